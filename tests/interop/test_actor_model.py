"""RivetKit's actor model, the same on both servers: interleaving, stateless actors, raw
requests without a handler, header routing, on_state_change, vars, ctx.request in connection
hooks, can_subscribe / can_publish (the actors of tests/ACTORS.md)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from actorbind import ActorError, Client


async def test_interleaved_actions_run_concurrently(client: Client, uid: str) -> None:
    actor = client.interleaved.get_or_create(uid)
    waiting = asyncio.ensure_future(actor.waitFor("a"))
    try:
        # release runs while waitFor is still awaiting: they interleave.
        assert await asyncio.wait_for(actor.release("a"), 15) is True
        assert await asyncio.wait_for(waiting, 15) == "a"
    finally:
        waiting.cancel()


async def test_stateless_actor(client: Client, uid: str) -> None:
    actor = client.stateless.get_or_create(uid)
    assert await actor.ping() == "pong"
    assert await actor.echo({"a": [1, "x"]}) == {"a": [1, "x"]}
    result = await actor.tryGetState()
    assert result["success"] is False
    assert result["code"] == "actor.state_not_enabled"
    assert "State not enabled" in result["error"]
    other = client.stateless.get_or_create(uid + "-2")
    first, second = await actor.getActorId(), await other.getActorId()
    assert isinstance(first, str) and first and first != second


async def test_raw_request_without_handler_is_404(client: Client, uid: str) -> None:
    response = await client.counter.get_or_create(uid).fetch("/anything", method="POST")
    assert response.status_code == 404
    assert response.content == b""
    assert response.headers["x-rivet-actor"] == await client.counter.get_or_create(uid).resolve()


async def test_header_routing(client: Client, endpoint: str, uid: str) -> None:
    handle = client.raw.get_or_create(uid)
    actor_id = await handle.resolve()
    routed = {"x-rivet-target": "actor", "x-rivet-actor": actor_id}
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(f"{endpoint}/request/api/hello?x=1", headers=routed)
        assert response.status_code == 200
        body = response.json()
        assert (body["method"], body["path"], body["query"]) == ("GET", "/api/hello", {"x": "1"})
        assert response.headers["x-rivet-actor"] == actor_id

        missing = await http.get(
            f"{endpoint}/request/api/hello", headers={"x-rivet-target": "actor"}
        )
        assert missing.status_code == 400
        assert missing.headers["x-rivet-error"] == "guard.missing_header"
        assert missing.json()["metadata"] == {"header": "x-rivet-actor"}

        other = await http.get(
            f"{endpoint}/request/api/hello", headers={**routed, "x-rivet-target": "elsewhere"}
        )
        assert other.status_code == 404
        assert (other.json()["group"], other.json()["code"]) == ("guard", "no_route")
        assert other.json()["metadata"]["path"] == "/request/api/hello"

    ws_url = endpoint.replace("http://", "ws://")
    protocols = [Subprotocol("rivet"), Subprotocol("rivet_target.actor")]
    protocols.append(Subprotocol(f"rivet_actor.{actor_id}"))
    async with connect(f"{ws_url}/websocket/echo", subprotocols=protocols) as ws:
        await ws.send("hi")
        assert await asyncio.wait_for(ws.recv(), 15) == "hi"
    json_protocols = [*protocols, Subprotocol("rivet_encoding.json")]
    async with connect(f"{ws_url}/connect", subprotocols=json_protocols) as ws:
        init = await asyncio.wait_for(ws.recv(), 15)
        assert actor_id in str(init) and '"Init"' in str(init)


@pytest.mark.parametrize("path", ["/request/x"])
async def test_header_routing_unknown_actor_fails(endpoint: str, path: str) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(
            endpoint + path, headers={"x-rivet-target": "actor", "x-rivet-actor": "nosuchactor"}
        )
    assert response.status_code == 500
    assert (response.json()["group"], response.json()["code"]) == ("core", "internal_error")


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    """Poll ``check`` until it holds (for what a server finishes after it answered)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not true within {timeout} s")
        await asyncio.sleep(0.05)


async def _equals(value: Awaitable[object], expected: object) -> bool:
    return await value == expected


def _hooks_conn_url(endpoint: str, uid: str) -> str:
    return (
        endpoint.replace("http://", "ws://")
        + f"/gateway/hooks/connect?rvt-namespace=default&rvt-method=getOrCreate&rvt-key={uid}"
        + "&rvt-runner=default&rvt-crash-policy=sleep"
    )


async def test_on_state_change_and_vars(client: Client, uid: str) -> None:
    hooks = client.hooks.get_or_create(uid)
    assert await hooks.setCount(3) == 3
    assert await hooks.setCount(4) == 4
    assert await hooks.setCount(4) == 4  # no change, no call
    assert await hooks.getChanges() == [3, 4]


async def test_request_in_connection_hooks(endpoint: str, uid: str) -> None:
    query = (
        f"rvt-namespace=default&rvt-method=getOrCreate&rvt-key={uid}&rvt-runner=default"
        "&rvt-crash-policy=sleep"
    )

    async def call(action: str, *args: object, headers: dict[str, str] | None = None) -> object:
        async with httpx.AsyncClient(timeout=30) as http:
            r = await http.post(
                f"{endpoint}/gateway/hooks/action/{action}?{query}",
                json={"args": list(args)},
                headers=headers,
            )
        assert r.status_code == 200, r.text
        return r.json()["output"]

    await call("setCount", 1, headers={"x-hooks-test": "v1"})
    requests = await call("getRequests")
    assert isinstance(requests, list)
    assert requests[:2] == [
        {"hook": h, "method": "POST", "path": "/action/setCount", "header": "v1"}
        for h in ("onBeforeConnect", "createConnState")
    ]
    await call("clearRequests")
    json_ws = [Subprotocol("rivet"), Subprotocol("rivet_encoding.json")]
    async with connect(
        _hooks_conn_url(endpoint, uid),
        subprotocols=json_ws,
        additional_headers={"x-hooks-test": "ws"},
    ) as ws:
        assert '"Init"' in str(await asyncio.wait_for(ws.recv(), 15))
    requests = await call("getRequests")
    assert isinstance(requests, list)
    assert requests[:2] == [
        {"hook": h, "method": "GET", "path": "/connect", "header": "ws"}
        for h in ("onBeforeConnect", "createConnState")
    ]


async def test_can_subscribe_refusal_closes_the_connection(endpoint: str, uid: str) -> None:
    json_ws = [Subprotocol("rivet"), Subprotocol("rivet_encoding.json")]
    subscribe = '{"body":{"tag":"SubscriptionRequest","val":{"eventName":"%s","subscribe":true}}}'
    set_count = '{"body":{"tag":"ActionRequest","val":{"id":1,"name":"setCount","args":[9]}}}'
    async with connect(_hooks_conn_url(endpoint, uid), subprotocols=json_ws) as ws:
        await asyncio.wait_for(ws.recv(), 15)  # Init
        await ws.send(subscribe % "open")
        await ws.send(set_count)
        got = [str(await asyncio.wait_for(ws.recv(), 15)) for _ in range(2)]
        assert any('"open"' in m for m in got) and any("ActionResponse" in m for m in got)
        await ws.send(subscribe % "secret")
        with pytest.raises(ConnectionClosed):
            while True:
                await asyncio.wait_for(ws.recv(), 15)
        assert ws.close_code == 1011 and ws.close_reason == "auth.forbidden"
    params = quote(json.dumps({"role": "admin"}))
    admin = [*json_ws, Subprotocol(f"rivet_conn_params.{params}")]
    async with connect(_hooks_conn_url(endpoint, uid), subprotocols=admin) as ws:
        await asyncio.wait_for(ws.recv(), 15)  # Init
        await ws.send(subscribe % "secret")
        await ws.send(set_count)
        got = [str(await asyncio.wait_for(ws.recv(), 15)) for _ in range(2)]
        assert any('"secret"' in m for m in got)


async def test_can_publish_guards_a_queue(endpoint: str, uid: str) -> None:
    url = (
        f"{endpoint}/gateway/hooks/queue/inbox?rvt-namespace=default&rvt-method=getOrCreate"
        f"&rvt-key={uid}&rvt-runner=default&rvt-crash-policy=sleep"
    )
    async with httpx.AsyncClient(timeout=30) as http:
        refused = await http.post(url, json={"body": 1})
        assert refused.status_code == 403
        assert (refused.json()["group"], refused.json()["code"]) == ("auth", "forbidden")
        admin = {"x-rivet-conn-params": json.dumps({"role": "admin"})}
        allowed = await http.post(url, json={"body": 1}, headers=admin)
        assert (allowed.status_code, allowed.json()) == (200, {"status": "completed"})


async def test_actor_calls_another_actor(client: Client, uid: str) -> None:
    assert await client.destroyable.get_or_create(uid).tellObserver("hello") == 1
    assert await client.observer.get_or_create(uid).events() == ["hello"]


async def test_destroy_from_inside(client: Client, endpoint: str, uid: str) -> None:
    handle = client.destroyable.get_or_create(uid)
    await handle.setValue(5)
    assert await handle.tellObserver("hello") == 1
    actor_id = await handle.resolve()
    url = endpoint.replace("http://", "ws://") + f"/gateway/{actor_id}/connect"
    json_ws = [Subprotocol("rivet"), Subprotocol("rivet_encoding.json")]
    async with connect(url, subprotocols=json_ws) as ws:
        await asyncio.wait_for(ws.recv(), 15)  # Init
        assert await handle.destroySelf() is True
        with pytest.raises(ConnectionClosed):
            while True:
                await asyncio.wait_for(ws.recv(), 15)
        assert (ws.close_code, ws.close_reason) == (1000, "")
    # RivetKit finishes the destroy (on_destroy, the record) after the close: poll, bounded.
    observer = client.observer.get_or_create(uid)
    await eventually(lambda: _equals(observer.events(), ["hello", "destroyed"]))

    async def gone() -> bool:
        async with httpx.AsyncClient(timeout=30) as http:
            r = await http.post(f"{endpoint}/gateway/{actor_id}/action/getValue", json={"args": []})
        return r.status_code == 404 and r.json()["code"] == "not_found"

    await eventually(gone)
    fresh = client.destroyable.get_or_create(uid)

    async def recreated() -> bool:
        try:
            return bool(await fresh.getValue() == 0)
        except ActorError as err:  # the engine may still route the key to the old actor
            if err.code != "route_resolve_query_timeout":
                raise
            return False

    await eventually(recreated, timeout=60)
    assert await fresh.resolve() != actor_id


def _queue_url(endpoint: str, name: str, uid: str, queue: str) -> str:
    return (
        f"{endpoint}/gateway/{name}/queue/{queue}?rvt-namespace=default&rvt-method=getOrCreate"
        f"&rvt-key={uid}&rvt-runner=default&rvt-crash-policy=sleep"
    )


async def test_pull_queue_next_batch_and_limit(client: Client, endpoint: str, uid: str) -> None:
    puller = client.puller.get_or_create(uid)
    assert await puller.next(50) is None
    url = _queue_url(endpoint, "puller", uid, "tasks")
    async with httpx.AsyncClient(timeout=30) as http:
        for i in range(3):
            r = await http.post(url, json={"body": i})
            assert (r.status_code, r.json()) == (200, {"status": "completed"})
        full = await http.post(url, json={"body": 3})
        assert full.status_code == 400
        body = full.json()
        assert (body["group"], body["code"], body["metadata"]) == ("queue", "full", {"limit": 3})
        assert body["message"] == "Queue is full. Limit is 3 messages."
        assert await puller.nextBatch(2, 1000) == [
            {"name": "tasks", "body": 0},
            {"name": "tasks", "body": 1},
        ]
        assert await puller.next(1000) == {"name": "tasks", "body": 2}
        assert await puller.next(50) is None
        other = await http.post(_queue_url(endpoint, "puller", uid, "other"), json={"body": "o"})
        assert other.status_code == 200
        assert await puller.next(50) is None  # "other" is not asked for
        assert await puller.nextAny(1000) == {"name": "other", "body": "o"}


async def test_pull_queue_waits_for_a_message(client: Client, endpoint: str, uid: str) -> None:
    puller = client.puller.get_or_create(uid)
    waiting = asyncio.ensure_future(puller.next(10_000))
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            await eventually(lambda: _sent(http, _queue_url(endpoint, "puller", uid, "tasks")))
        assert await asyncio.wait_for(waiting, 15) == {"name": "tasks", "body": "late"}
    finally:
        waiting.cancel()


async def _sent(http: httpx.AsyncClient, url: str) -> bool:
    r = await http.post(url, json={"body": "late"})
    return r.status_code == 200


async def test_completable_message_answers_its_sender(
    client: Client, endpoint: str, uid: str
) -> None:
    puller = client.puller.get_or_create(uid)
    await puller.next(0)  # the actor exists before the send waits
    async with httpx.AsyncClient(timeout=30) as http:
        sender = asyncio.ensure_future(
            http.post(
                _queue_url(endpoint, "puller", uid, "tasks"),
                json={"body": "w", "wait": True, "timeout": 15_000},
            )
        )
        try:
            assert await puller.completeNext({"r": 1}, 10_000) == "w"
            reply = await asyncio.wait_for(sender, 20)
        finally:
            sender.cancel()
    assert reply.json() == {"status": "completed", "response": {"r": 1}}


async def _actor_json(http: httpx.AsyncClient, endpoint: str, actor_id: str) -> dict[str, Any]:
    r = await http.get(f"{endpoint}/actors?namespace=default&actor_ids={actor_id}")
    actor: dict[str, Any] = r.json()["actors"][0]
    return actor


async def _asleep(http: httpx.AsyncClient, endpoint: str, actor_id: str, after: int = 0) -> bool:
    """Asleep (per the management API, which never wakes it), since after ``after``."""
    sleep_ts = (await _actor_json(http, endpoint, actor_id)).get("sleep_ts")
    return sleep_ts is not None and sleep_ts > after


async def test_sleep_and_wake(client: Client, endpoint: str, uid: str) -> None:
    sleepy = client.sleepy.get_or_create(uid)
    assert await sleepy.getCounts() == {"startCount": 1, "sleepCount": 0}
    actor_id = await sleepy.resolve()
    async with httpx.AsyncClient(timeout=30) as http:
        assert await sleepy.triggerSleep() is True
        await eventually(lambda: _asleep(http, endpoint, actor_id))
        first = await _actor_json(http, endpoint, actor_id)
        assert first["connectable_ts"] is None
        # The next call wakes it: on_sleep ran, then on_wake again, the state survived.
        assert await sleepy.getCounts() == {"startCount": 2, "sleepCount": 1}
        # Idle for sleep_timeout (no request, no connection): it sleeps on its own.
        await eventually(lambda: _asleep(http, endpoint, actor_id, after=first["sleep_ts"]))
        assert await sleepy.getCounts() == {"startCount": 3, "sleepCount": 2}


async def test_socket_survives_sleep(endpoint: str, client: Client, uid: str) -> None:
    sleepy = client.sleepy.get_or_create(uid)
    actor_id = await sleepy.resolve()
    url = endpoint.replace("http://", "ws://") + f"/gateway/{actor_id}/connect"
    json_ws = [Subprotocol("rivet"), Subprotocol("rivet_encoding.json")]
    call = '{"body":{"tag":"ActionRequest","val":{"id":%d,"name":"%s","args":[]}}}'
    async with connect(url, subprotocols=json_ws) as ws, httpx.AsyncClient(timeout=30) as http:
        assert '"Init"' in str(await asyncio.wait_for(ws.recv(), 15))
        await ws.send(call % (1, "triggerSleep"))
        assert "ActionResponse" in str(await asyncio.wait_for(ws.recv(), 15))
        await eventually(lambda: _asleep(http, endpoint, actor_id))
        # Hibernation: the socket stayed open; its next action wakes the actor, no new Init.
        await ws.send(call % (2, "getCounts"))
        reply = json.loads(str(await asyncio.wait_for(ws.recv(), 30)))
        assert reply["body"]["tag"] == "ActionResponse"
        assert reply["body"]["val"]["output"] == {"startCount": 2, "sleepCount": 1}


async def test_alarm_wakes_a_sleeping_actor(client: Client, endpoint: str, uid: str) -> None:
    sleepy = client.sleepy.get_or_create(uid)
    actor_id = await sleepy.resolve()
    async with httpx.AsyncClient(timeout=30) as http:
        due_ms = int(time.time() * 1000) + 1500
        assert await sleepy.scheduleAfter(1500, "x1") is True
        await eventually(lambda: _asleep(http, endpoint, actor_id))
        # Nobody calls it: a sleep that began after the alarm's time means the alarm woke it.
        await eventually(lambda: _asleep(http, endpoint, actor_id, after=due_ms))
    assert await sleepy.getAlarms() == ["x1"]


async def test_sleep_through_the_management_api(client: Client, endpoint: str, uid: str) -> None:
    sleepy = client.sleepy.get_or_create(uid)
    await sleepy.keepAwakeFor(0)
    actor_id = await sleepy.resolve()
    async with httpx.AsyncClient(timeout=30) as http:
        url = f"{endpoint}/actors/{actor_id}/sleep?namespace=default"
        bad = await http.post(url)
        assert bad.status_code == 400
        assert (bad.json()["group"], bad.json()["code"]) == ("api", "bad_request")
        ok = await http.post(url, json={})
        assert (ok.status_code, ok.json()) == (200, {})
        await eventually(lambda: _asleep(http, endpoint, actor_id))
    assert (await sleepy.getCounts())["sleepCount"] == 1


async def test_connections_keep_awake_raw_sockets_close_on_sleep(
    client: Client, endpoint: str, uid: str
) -> None:
    # raw has the default sleep timeout; the API puts it to sleep with a raw socket open.
    handle = client.raw.get_or_create(uid)
    actor_id = await handle.resolve()
    async with await handle.websocket("/x") as ws, httpx.AsyncClient(timeout=30) as http:
        await ws.send("a")
        assert await asyncio.wait_for(ws.recv(), 15) == "a"
        r = await http.post(f"{endpoint}/actors/{actor_id}/sleep?namespace=default", json={})
        assert r.status_code == 200
        with pytest.raises(ConnectionClosed):
            while True:
                await asyncio.wait_for(ws.recv(), 15)
        assert (ws.close_code, ws.close_reason) == (1000, "actor.stopped")


async def test_management_destroy_closes_normally(client: Client, endpoint: str, uid: str) -> None:
    actor_id = await client.counter.get_or_create(uid).resolve()
    url = endpoint.replace("http://", "ws://") + f"/gateway/{actor_id}/connect"
    json_ws = [Subprotocol("rivet"), Subprotocol("rivet_encoding.json")]
    async with connect(url, subprotocols=json_ws) as ws, httpx.AsyncClient(timeout=30) as http:
        await asyncio.wait_for(ws.recv(), 15)  # Init
        r = await http.delete(f"{endpoint}/actors/{actor_id}?namespace=default")
        assert (r.status_code, r.json()) == (200, {})
        with pytest.raises(ConnectionClosed):
            while True:
                await asyncio.wait_for(ws.recv(), 15)
        assert (ws.close_code, ws.close_reason) == (1000, "")
