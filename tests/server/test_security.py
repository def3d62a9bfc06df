"""Issue 9, point 10: the token, namespaces, destroy and unknown names on the embedded server."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Subprotocol

from actorbind import ActorError, create_client
from actorbind.server import run_in_thread
from tests.support.actors import registry

TOKEN = "s3cret-token-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with run_in_thread(registry, token=TOKEN) as ep:
        yield ep


def key() -> str:
    return "s-" + uuid.uuid4().hex[:10]


def gw(endpoint: str, k: str, path: str, extra: str = "") -> str:
    q = f"rvt-namespace=default&rvt-method=getOrCreate&rvt-runner=default&rvt-key={k}{extra}"
    return f"{endpoint}/gateway/counter{path}?{q}"


def forbidden(r: httpx.Response) -> None:
    assert r.status_code == 403, r.content
    assert r.json() == {"group": "api", "code": "forbidden", "message": "Access denied"}


def test_management_api_needs_the_token(endpoint: str) -> None:
    bearer = {"authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=endpoint, timeout=10) as c:
        for method, path in [("GET", "/metadata"), ("GET", "/actors?name=counter")]:
            forbidden(c.request(method, path))
            forbidden(c.request(method, path, headers={"authorization": "Bearer nope"}))
            # same length, one character off: still refused (compared in constant time)
            wrong = TOKEN[:-1] + ("x" if TOKEN[-1] != "x" else "y")
            forbidden(c.request(method, path, headers={"authorization": f"Bearer {wrong}"}))
            assert c.request(method, path, headers=bearer).status_code == 200
        forbidden(c.put("/actors", json={"name": "counter", "key": key()}))
        made = c.put("/actors", json={"name": "counter", "key": key()}, headers=bearer)
        actor_id = made.json()["actor"]["actor_id"]
        forbidden(c.delete(f"/actors/{actor_id}"))
        assert c.get(f"/actors?actor_ids={actor_id}", headers=bearer).json()["actors"]
        assert c.delete(f"/actors/{actor_id}", headers=bearer).status_code == 200


def test_gateway_http_needs_the_token(endpoint: str) -> None:
    k = key()
    with httpx.Client(timeout=10) as c:
        r = c.post(gw(endpoint, k, "/action/increment"), json={"args": [1]})
        forbidden(r)
        assert r.headers["x-rivet-error"] == "api.forbidden"
        ok = c.post(
            gw(endpoint, k, "/action/increment"),
            json={"args": [1]},
            headers={"x-rivet-token": TOKEN},
        )
        assert ok.json() == {"output": 1}
        by_query = c.post(
            gw(endpoint, k, "/action/increment", f"&rvt-token={quote(TOKEN)}"), json={"args": [1]}
        )
        assert by_query.json() == {"output": 2}
        actor_id = ok.headers["x-rivet-actor"]
        direct = f"{endpoint}/gateway/{actor_id}@{quote(TOKEN)}/action/increment"
        assert c.post(direct, json={"args": [1]}).json() == {"output": 3}
        forbidden(c.post(f"{endpoint}/gateway/{actor_id}@nope/action/increment", json={}))


async def test_gateway_websocket_needs_the_token(endpoint: str) -> None:
    url = gw(endpoint.replace("http://", "ws://"), key(), "/connect")
    protos = [Subprotocol("rivet"), Subprotocol("rivet_encoding.json")]
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, subprotocols=protos, open_timeout=10):
            pass
    assert refused.value.response.status_code == 403  # an HTTP answer: clients fail at once
    token_proto = Subprotocol(f"rivet_token.{TOKEN}")
    async with connect(url, subprotocols=[*protos, token_proto], open_timeout=10) as ws:
        assert "Init" in str(await asyncio.wait_for(ws.recv(), 10))
    async with connect(url + f"&rvt-token={quote(TOKEN)}", subprotocols=protos) as ws:
        assert "Init" in str(await asyncio.wait_for(ws.recv(), 10))


async def test_the_client_with_the_token_works_and_without_fails(endpoint: str) -> None:
    k = key()
    async with create_client(endpoint, token=TOKEN, encoding="bare") as client:
        handle = client.get_or_create("counter", [k])
        assert await handle.action("increment", 5) == 5
        async with handle.connect() as conn:
            await asyncio.wait_for(conn.ready(), 10)
            assert await conn.action("increment", 1) == 6
    async with create_client(endpoint, encoding="json") as client:
        handle = client.get_or_create("counter", [k])
        with pytest.raises(ActorError) as err:
            await handle.action("getCount")
        assert (err.value.group, err.value.code) == ("api", "forbidden")
        conn = handle.connect()
        try:
            with pytest.raises(ActorError) as err:
                await asyncio.wait_for(conn.ready(), 10)  # gives up: no retry loop
            assert (err.value.group, err.value.code) == ("api", "forbidden")
        finally:
            await conn.dispose()


def test_namespaces_are_isolated() -> None:
    with run_in_thread(registry) as ep, httpx.Client(base_url=ep, timeout=10) as c:
        k = key()
        mine = c.put("/actors?namespace=a", json={"name": "counter", "key": k}).json()["actor"]
        actor_id = mine["actor_id"]
        assert c.get(f"/actors?namespace=b&actor_ids={actor_id}").json()["actors"] == []
        assert c.get(f"/actors?namespace=b&name=counter&key={k}").json()["actors"] == []
        assert c.get("/actors?namespace=b&name=counter").json()["actors"] == []
        assert c.delete(f"/actors/{actor_id}?namespace=b").status_code == 404
        assert c.delete(f"/actors/{actor_id}").status_code == 404  # "default" is another one
        still = c.get(f"/actors?namespace=a&actor_ids={actor_id}").json()["actors"]
        assert still[0]["destroy_ts"] is None
        theirs = c.put("/actors?namespace=b", json={"name": "counter", "key": k}).json()
        assert theirs["created"] is True and theirs["actor"]["actor_id"] != actor_id
        assert c.delete(f"/actors/{actor_id}?namespace=a").status_code == 200


def test_unknown_names_are_refused_unless_allowed() -> None:
    with run_in_thread(registry) as ep, httpx.Client(base_url=ep, timeout=10) as c:
        for method in ("PUT", "POST"):
            r = c.request(method, "/actors", json={"name": "nobody", "key": key()})
            assert r.status_code == 400 and r.json()["group"] == "api"
        r = c.post(gw(ep, key(), "/action/x").replace("/counter/", "/nobody/"), json={})
        assert r.status_code == 503
        assert r.headers["x-rivet-error"] == "guard.actor_wake_retries_exceeded"
        assert c.get("/actors?name=nobody").json()["actors"] == []  # no durable record
    with run_in_thread(registry, allow_unknown_names=True) as ep, httpx.Client(base_url=ep) as c:
        r = c.put("/actors", json={"name": "nobody", "key": key()})
        assert r.status_code == 200 and r.json()["created"] is True


def test_cli_token_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.server.test_durability import cli

    monkeypatch.setenv("ACTORBIND_SERVER_TOKEN", TOKEN)
    with cli() as (proc, ep):
        forbidden(httpx.get(f"{ep}/health", timeout=10))
        ok = httpx.get(f"{ep}/health", headers={"x-rivet-token": TOKEN}, timeout=10)
        assert ok.status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
