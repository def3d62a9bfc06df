"""RivetKit's ``skipReadyWait`` on the wire: per call, per connection and client-wide."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from actorbind import create_client
from actorbind.transport import MockTransport
from tests.client.fake_server import FakeServer

pytestmark = pytest.mark.usefixtures("loop_health")


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(
            200, json={"output": 1, "method": "GET"}, headers={"content-type": "application/json"}
        )


def _client(recorder: Recorder, **kw: Any) -> Any:
    return create_client(
        "http://127.0.0.1:9",
        encoding="json",
        token="tok",
        disable_metadata_lookup=True,
        http_transport=MockTransport(recorder),
        **kw,
    )


async def test_actions_and_fetch_per_call() -> None:
    rec = Recorder()
    async with _client(rec) as client:
        handle = client.counter.get_or_create("k")
        await handle.increment(1)
        await handle.increment(1, skip_ready_wait=True)
        await handle.fetch("/x?a=1", skip_ready_wait=True)
        by_id = client.counter.get_for_id("actor-1")
        await by_id.action("increment", 1, skip_ready_wait=True)
        await by_id.fetch("/x?a=1", skip_ready_wait=True)
    plain, skipped, fetched, id_action, id_fetch = rec.requests
    assert "skip" not in str(plain.url) and "x-rivet-skip-ready-wait" not in plain.headers
    assert str(skipped.url).endswith("&rvt-token=tok&rvt-skip-ready-wait=true")
    assert skipped.headers["x-rivet-skip-ready-wait"] == "1"
    assert fetched.url.path == "/gateway/counter/request/x"
    assert str(fetched.url.query, "ascii").endswith("rvt-skip-ready-wait=true")
    # By id: the gateway path for actions, header routing for raw requests (as upstream).
    assert id_action.url.path == "/gateway/actor-1@tok/action/increment"
    for request in (id_action, id_fetch):
        assert request.headers["x-rivet-target"] == "actor"
        assert request.headers["x-rivet-actor"] == "actor-1"
        assert request.headers["x-rivet-skip-ready-wait"] == "1"
        assert request.headers["x-rivet-token"] == "tok"
    assert str(id_fetch.url) == "http://127.0.0.1:9/request/x?a=1"


async def test_client_wide_default_and_per_call_override() -> None:
    rec = Recorder()
    async with _client(rec, skip_ready_wait=True) as client:
        handle = client.counter.get_or_create("k")
        await handle.increment(1)
        await handle.increment(1, skip_ready_wait=False)
    on, off = rec.requests
    assert on.headers["x-rivet-skip-ready-wait"] == "1" and "rvt-skip-ready-wait" in str(on.url)
    assert "x-rivet-skip-ready-wait" not in off.headers and "skip" not in str(off.url)


async def test_connect_offers_the_subprotocol(
    make_client: Callable[..., Any], encoding: str
) -> None:
    async with FakeServer(encoding, lambda session: session.init()) as server:
        client = make_client(server.endpoint, encoding=encoding, token="tok")
        async with client.counter.get_or_create("k").connect(skip_ready_wait=True) as conn:
            await asyncio.wait_for(conn.ready(), 10)
        async with client.counter.get_for_id("actor-1").connect(skip_ready_wait=True) as conn:
            await asyncio.wait_for(conn.ready(), 10)
        async with client.counter.get_or_create("k").connect() as conn:
            await asyncio.wait_for(conn.ready(), 10)
    query, by_id, plain = server.sessions
    expected = ["rivet", f"rivet_encoding.{encoding}", "rivet_skip_ready_wait"]
    assert query.subprotocols[:3] == expected
    assert query.path.startswith("/gateway/counter/connect?")
    assert query.path.endswith("rvt-skip-ready-wait=true")
    assert by_id.path == "/connect"  # routed by subprotocols, as upstream
    assert by_id.subprotocols[2:6] == [
        "rivet_target.actor",
        "rivet_actor.actor-1",
        "rivet_token.tok",
        "rivet_skip_ready_wait",
    ]
    assert "rivet_skip_ready_wait" not in plain.subprotocols and "skip" not in plain.path
