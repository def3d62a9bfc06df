"""Issue 9, points 4, 6, 7 and 8 on WebSockets: handshake size, deep params, abandoned and
queued actions, and a subscriber that never reads."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import select
import socket
import threading
import uuid
from base64 import b64encode
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.typing import Subprotocol

from actorbind import ActorError, create_client
from actorbind.protocol import (
    ActionRequest,
    ActionResponse,
    Error,
    Init,
    SubscriptionRequest,
    codec_for,
)
from actorbind.server import ActionContext, Actor, Limits, Registry, action, run_in_thread
from tests.support.actors import registry as test_actors

JSON = codec_for("json")
_gates: dict[str, threading.Event] = {}
_started: dict[str, threading.Event] = {}


class Gate(Actor):
    """``hold`` blocks its actor until the test opens the gate."""

    name = "gate"
    state = {"count": 0}

    @action
    async def hold(self, ctx: ActionContext, k: str) -> bool:
        _started[k].set()
        await asyncio.to_thread(_gates[k].wait, 30)
        ctx.state["count"] += 1000
        return True

    @action
    def increment(self, ctx: ActionContext, x: int) -> int:
        ctx.state["count"] += x
        return int(ctx.state["count"])

    @action
    def getCount(self, ctx: ActionContext) -> int:
        return int(ctx.state["count"])

    @action
    def blast(self, ctx: ActionContext, n: int, size: int) -> int:
        for _ in range(n):
            ctx.broadcast("blob", "x" * size)
        return n


LIMITS = Limits(max_pending_actions=4, max_outbox_bytes=256 * 1024, close_timeout=0.5)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    reg = Registry(Gate, *test_actors)
    with run_in_thread(reg, limits=LIMITS) as ep:
        yield ep


@pytest.fixture
def gate() -> Iterator[str]:
    k = "g-" + uuid.uuid4().hex[:10]
    _gates[k], _started[k] = threading.Event(), threading.Event()
    try:
        yield k
    finally:
        _gates.pop(k).set()
        _started.pop(k)


def ws_url(endpoint: str, name: str, k: str) -> str:
    q = f"rvt-namespace=default&rvt-method=getOrCreate&rvt-runner=default&rvt-key={k}"
    return endpoint.replace("http://", "ws://") + f"/gateway/{name}/connect?{q}"


PROTOS = [Subprotocol("rivet"), Subprotocol("rivet_encoding.json")]


def _address(endpoint: str) -> tuple[str, int]:
    host, _, port = endpoint.removeprefix("http://").rpartition(":")
    return host, int(port)


def _handshake(endpoint: str, path: str, protocols: str) -> bytes:
    host, port = _address(endpoint)
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Key: {b64encode(os.urandom(16)).decode()}\r\n"
        f"Sec-WebSocket-Protocol: {protocols}\r\n\r\n"
    ).encode("latin-1")


def _read_head(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"closed without an answer: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), rest


def test_a_9_kb_params_handshake_gets_431_at_once(endpoint: str) -> None:
    params = quote(json.dumps({"blob": "p" * 9000}), safe="")
    path = "/gateway/" + ws_url(endpoint, "counter", "big").partition("/gateway/")[2]
    with socket.create_connection(_address(endpoint), timeout=10) as sock:
        sock.sendall(_handshake(endpoint, path, f"rivet, rivet_conn_params.{params}"))
        status, body = _read_head(sock)
    assert status == 431
    assert json.loads(body)["code"] == "incoming_too_long"


async def test_the_client_fails_a_too_big_handshake_instead_of_retrying(endpoint: str) -> None:
    async with create_client(endpoint, encoding="json") as client:
        conn = client.get_or_create("counter", ["big-params"]).connect({"blob": "p" * 9000})
        try:
            with pytest.raises(ActorError) as err:
                await asyncio.wait_for(conn.ready(), 10)
            assert (err.value.group, err.value.code) == ("message", "incoming_too_long")
        finally:
            await conn.dispose()


async def test_deep_subprotocol_params_close_with_a_frame(endpoint: str) -> None:
    deep = quote("[" * 1300 + "]" * 1300, safe="")  # past Python's recursion limit
    protos = [*PROTOS, Subprotocol(f"rivet_conn_params.{deep}")]
    async with connect(ws_url(endpoint, "counter", "deep"), subprotocols=protos) as ws:
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
    assert (ws.close_code, ws.close_reason) == (1011, "actor.invalid_request")


async def _recv(ws: Any) -> Any:
    return JSON.decode_to_client(await asyncio.wait_for(ws.recv(), 10))


async def test_queued_actions_of_a_closed_socket_are_dropped(endpoint: str, gate: str) -> None:
    async with connect(ws_url(endpoint, "gate", gate), subprotocols=PROTOS) as ws:
        assert isinstance(await _recv(ws), Init)
        await ws.send(JSON.encode_to_server(ActionRequest(0, "hold", [gate])))
        assert await asyncio.to_thread(_started[gate].wait, 10)
        for i in range(1, 4):
            await ws.send(JSON.encode_to_server(ActionRequest(i, "increment", [1])))
        # Closing completes only once the server has read every frame before the close.
    _gates[gate].set()
    async with httpx.AsyncClient(timeout=10) as http:
        url = ws_url(endpoint, "gate", gate).replace("ws://", "http://")
        r = await http.post(url.replace("/connect?", "/action/getCount?"), json={"args": []})
    # `hold` had started: it ran to the end. The three increments never started: dropped.
    assert r.json() == {"output": 1000}


async def test_pending_actions_per_connection_are_capped(endpoint: str, gate: str) -> None:
    async with connect(ws_url(endpoint, "gate", gate), subprotocols=PROTOS) as ws:
        assert isinstance(await _recv(ws), Init)
        await ws.send(JSON.encode_to_server(ActionRequest(0, "hold", [gate])))
        for i in range(1, 10):
            await ws.send(JSON.encode_to_server(ActionRequest(i, "increment", [1])))
        refused = [await _recv(ws) for _ in range(10 - LIMITS.max_pending_actions)]
        assert all(isinstance(e, Error) for e in refused)
        assert [e.action_id for e in refused] == list(range(LIMITS.max_pending_actions, 10))
        assert {e.code for e in refused} == {"too_many_pending_actions"}
        _gates[gate].set()
        replies = [await _recv(ws) for _ in range(LIMITS.max_pending_actions)]
        assert replies == [ActionResponse(0, True)] + [
            ActionResponse(i, 1000 + i) for i in range(1, LIMITS.max_pending_actions)
        ]


def test_a_subscriber_that_never_reads_is_closed(
    endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    k = "slow-" + uuid.uuid4().hex[:8]
    path = "/gateway/" + ws_url(endpoint, "gate", k).partition("/gateway/")[2]
    total = 400 * 32 * 1024
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(10)
        sock.connect(_address(endpoint))
        sock.sendall(_handshake(endpoint, path, "rivet, rivet_encoding.json"))
        status, _ = _read_head(sock)
        assert status == 101
        subscribe = JSON.encode_to_server(SubscriptionRequest("blob", True))
        sock.sendall(Frame(Opcode.TEXT, subscribe.encode()).serialize(mask=True, extensions=[]))
        with caplog.at_level(logging.WARNING, "actorbind.server"), httpx.Client() as http:
            url = ws_url(endpoint, "gate", k).replace("ws://", "http://")
            url = url.replace("/connect?", "/action/blast?")
            assert http.post(url, json={"args": [400, 32 * 1024]}, timeout=10).is_success
            got = 0
            try:
                while chunk := sock.recv(65536):  # now read: the server has given up on us
                    got += len(chunk)
            except ConnectionResetError:
                pass
            # the server is fine: the actor still answers
            assert http.post(url.replace("/blast?", "/getCount?"), json={}, timeout=10).is_success
        assert got < total / 4
        assert any("too slowly" in r.getMessage() for r in caplog.records)


def test_silent_and_slowloris_connections_are_closed() -> None:
    with run_in_thread(test_actors, limits=Limits(header_timeout=0.3)) as ep:
        with socket.create_connection(_address(ep), timeout=10) as silent:
            assert silent.recv(1) == b""
        with socket.create_connection(_address(ep), timeout=10) as slow:
            slow.sendall(b"GET /health HTTP/1.1\r\nhost: x\r\n")
            closed = False
            for byte in b"x-drip: " + b"d" * 400:  # one byte per 50 ms: 20 s at most
                try:
                    slow.sendall(bytes([byte]))
                except OSError:
                    closed = True
                    break
                if select.select([slow], [], [], 0.05)[0]:
                    try:
                        closed = slow.recv(1) == b""
                    except ConnectionResetError:
                        # The server closed with a dripped byte it had not read yet: Linux
                        # then sends a reset, not a FIN. Closed all the same.
                        closed = True
                    break
            assert closed


def test_a_slow_body_is_cut_off() -> None:
    with run_in_thread(test_actors, limits=Limits(body_timeout=0.3)) as ep:
        with socket.create_connection(_address(ep), timeout=10) as slow:
            slow.sendall(b"PUT /actors HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{")
            assert slow.recv(1) == b""  # closed, not waiting for the other 99 bytes


def test_the_connection_cap_drops_idle_connections_first() -> None:
    with run_in_thread(test_actors, limits=Limits(max_connections=8)) as ep:
        idle = [socket.create_connection(_address(ep), timeout=10) for _ in range(8)]
        try:
            with httpx.Client(base_url=ep, timeout=10) as c:
                assert c.get("/health").is_success  # got in: an idle one was dropped for it
            readable, _, _ = select.select(idle, [], [], 5)
            assert readable and all(s.recv(1) == b"" for s in readable)
        finally:
            for s in idle:
                s.close()
