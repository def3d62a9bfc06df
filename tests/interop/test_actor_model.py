"""RivetKit's actor model, the same on both servers: interleaving, stateless actors, raw
requests without a handler, header routing (the actors of tests/ACTORS.md)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from actorbind import Client


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
