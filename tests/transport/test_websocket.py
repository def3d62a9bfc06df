"""The lean actor-connection socket (``actorbind.transport.websocket``) against real
websockets servers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed, InvalidMessage, InvalidStatus
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.typing import Subprotocol

from actorbind.transport import websocket as _socket
from actorbind.transport.websocket import Socket, open_socket
from tests.client.fake_server import tcp_drop_server
from tests.utils import SECOND

pytestmark = pytest.mark.usefixtures("loop_health")

Handler = Callable[[ServerConnection], Awaitable[None]]


@contextlib.asynccontextmanager
async def server(handler: Handler, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """A websockets server running ``handler``; yields its ``ws://`` URL."""

    async def run(ws: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            await handler(ws)
            await ws.wait_closed()

    async with serve(
        run, host, 0, subprotocols=[Subprotocol("rivet")], compression=None, ping_interval=None
    ) as srv:
        port = srv.sockets[0].getsockname()[1]
        yield f"ws://{'[::1]' if ':' in host else host}:{port}/gateway/x/connect?rvt-token=t"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes | str] = []
        self.batches = 0

    def __call__(self, batch: list[bytes | str]) -> None:
        self.batches += 1
        self.messages.extend(batch)

    async def wait(self, n: int, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.messages) < n:
                await asyncio.sleep(0.002)


async def connect(url: str, inbox: Inbox, **kw: Any) -> Socket:
    kw.setdefault("max_size", 1 << 20)
    sock = await open_socket(url, ["rivet", "rivet_encoding.json"], on_messages=inbox, **kw)
    sock.start()
    return sock


async def test_handshake_messages_send_and_clean_close() -> None:
    received: list[Any] = []
    seen_protocols: list[str | None] = []

    async def echo(ws: ServerConnection) -> None:
        assert ws.request is not None
        seen_protocols.append(ws.request.headers.get("Sec-WebSocket-Protocol"))
        await ws.send("hello")
        await ws.send(b"\x00\x01")
        async for msg in ws:
            received.append(msg)

    async with server(echo) as url:
        inbox = Inbox()
        sock = await connect(url, inbox)
        assert sock.protocol.subprotocol == "rivet"
        assert seen_protocols == ["rivet, rivet_encoding.json"]
        await inbox.wait(2)
        assert inbox.messages == ["hello", b"\x00\x01"]
        sock.send(["a", b"b"])
        sock.send(["c"])  # same loop iteration: written together with the next flush
        sock.close(1000, "Disposed")
        await asyncio.wait_for(sock.wait_closed(), 5)
        assert received == ["a", b"b", "c"]  # queued frames go before the close frame
        assert sock.state is State.CLOSED
        assert sock.close_info() == (1000, "Disposed")
        sock.send(["late"])  # ignored once closed


async def test_messages_with_the_101_are_held_until_start() -> None:
    async def eager(ws: ServerConnection) -> None:
        for i in range(3):
            await ws.send(str(i))

    async with server(eager) as url:
        inbox = Inbox()
        sock = await open_socket(url, ["rivet"], on_messages=inbox, max_size=None)
        await asyncio.sleep(0.05)
        assert inbox.messages == []
        sock.start()
        await inbox.wait(3)
        assert inbox.messages == ["0", "1", "2"]
        sock.close()
        await sock.wait_closed()


async def test_fragmented_messages_and_split_reads() -> None:
    async def fragments(ws: ServerConnection) -> None:
        await ws.send(["fra", "gmen", "ted"])  # one text message in three frames
        await ws.send([b"\x01", b"\x02\x03"])
        # One frame dribbled a byte at a time (the parser keeps partial frames).
        assert ws.transport is not None
        raw = Frame(Opcode.TEXT, "dribbled €".encode()).serialize(mask=False, extensions=[])
        for i in range(len(raw)):
            ws.transport.write(raw[i : i + 1])
            await asyncio.sleep(0)

    async with server(fragments) as url:
        inbox = Inbox()
        sock = await connect(url, inbox)
        await inbox.wait(3)
        assert inbox.messages == ["fragmented", b"\x01\x02\x03", "dribbled €"]
        sock.close()
        await sock.wait_closed()


async def test_server_close_code_and_reason() -> None:
    async def close(ws: ServerConnection) -> None:
        await ws.send("last")
        await ws.close(1011, "actor.stopped#ray")

    async with server(close) as url:
        inbox = Inbox()
        sock = await connect(url, inbox)
        await asyncio.wait_for(sock.wait_closed(), 5)
        assert inbox.messages == ["last"]
        assert sock.close_info() == (1011, "actor.stopped#ray")


async def test_invalid_utf8_fails_with_1007() -> None:
    async def bad(ws: ServerConnection) -> None:
        assert ws.transport is not None
        ws.transport.write(Frame(Opcode.TEXT, b"\xff\xfe").serialize(mask=False, extensions=[]))

    async with server(bad) as url:
        inbox = Inbox()
        sock = await connect(url, inbox)
        await asyncio.wait_for(sock.wait_closed(), 5)
        assert inbox.messages == []
        assert sock.close_info()[0] == 1007


async def test_answers_pings() -> None:
    latencies: list[float] = []

    async def pinger(ws: ServerConnection) -> None:
        pong = await ws.ping(b"abcd")
        latencies.append(await asyncio.wait_for(pong, 5))
        await ws.send("pong seen")

    async with server(pinger) as url:
        inbox = Inbox()
        sock = await connect(url, inbox)
        await inbox.wait(1)
        assert len(latencies) == 1
        sock.close()
        await sock.wait_closed()


async def test_keepalive_pings_and_detects_a_dead_peer() -> None:
    pings: list[bytes] = []
    two_pings = asyncio.Event()
    client_gone = asyncio.Event()

    async def alive_then_deaf(ws: ServerConnection) -> None:
        original = ws.protocol.recv_frame

        def spy(frame: Frame) -> None:
            if frame.opcode is Opcode.PING:
                pings.append(bytes(frame.data))
                if len(pings) == 2:
                    two_pings.set()
            original(frame)

        ws.protocol.recv_frame = spy  # type: ignore[method-assign]
        # Pongs are sent: the socket stays open. Bounded: if the client gave up early, the
        # assertions below say so instead of this handler spinning forever.
        await asyncio.wait_for(two_pings.wait(), 10 * SECOND)
        assert ws.transport is not None
        ws.transport.pause_reading()  # now half-open: nothing is read, no pong comes back
        await client_gone.wait()
        ws.transport.abort()

    async with server(alive_then_deaf) as url:
        inbox = Inbox()
        # A pong needs two loop iterations: a timeout of 0.1 s failed a live peer whenever
        # the loop stalled that long between a ping and its pong (a busy machine).
        sock = await connect(
            url, inbox, ping_interval=0.05, ping_timeout=0.5 * SECOND, close_timeout=0.1
        )
        await asyncio.wait_for(sock.wait_closed(), 10 * SECOND)
        client_gone.set()
        assert len(pings) >= 2
        assert sock.close_info() == (1011, "keepalive ping timeout")


async def test_refusal_keeps_the_response() -> None:
    body = b'{"group":"auth","code":"forbidden","message":"no"}'
    reply = (
        b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    async with tcp_drop_server(reply) as (endpoint, _):
        url = endpoint.replace("http://", "ws://") + "/gateway/x/connect"
        with pytest.raises(InvalidStatus) as info:
            await open_socket(url, ["rivet"], on_messages=Inbox(), max_size=None)
        assert info.value.response.status_code == 403
        assert info.value.response.body == body
    async with tcp_drop_server() as (endpoint, _):
        url = endpoint.replace("http://", "ws://") + "/gateway/x/connect"
        with pytest.raises(InvalidMessage):
            await open_socket(url, ["rivet"], on_messages=Inbox(), max_size=None)


async def test_open_timeout() -> None:
    """No ``101`` ever comes: the open times out and the socket is dropped."""
    done = asyncio.Event()
    dropped: list[bytes] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        dropped.append(await reader.read())  # b"" once the client aborts
        writer.close()
        done.set()

    srv = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        with pytest.raises(TimeoutError):
            await open_socket(
                f"ws://127.0.0.1:{port}/",
                ["rivet"],
                on_messages=Inbox(),
                open_timeout=0.1,
                max_size=None,
            )
        await asyncio.wait_for(done.wait(), 5)
        assert dropped == [b""]
    finally:
        srv.close()
        await srv.wait_closed()


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6(), reason="no IPv6 loopback")
async def test_ipv6_host() -> None:
    async def hello(ws: ServerConnection) -> None:
        await ws.send("v6")

    async with server(hello, host="::1") as url:
        inbox = Inbox()
        sock = await connect(url, inbox)
        await inbox.wait(1)
        sock.close()
        await sock.wait_closed()


async def test_a_flood_yields_to_the_loop() -> None:
    """20,000 events written in one burst: processed in slices of about BUDGET each, reading
    paused meanwhile, other callbacks run in between; between two runs of another callback
    only a small part of the burst is handled (counted in messages, not in seconds: a loop
    stalled by a busy machine must not fail it)."""
    n = 20_000
    frames = b"".join(
        Frame(Opcode.BINARY, b"ev%05d" % i).serialize(mask=False, extensions=[]) for i in range(n)
    )

    async def flood(ws: ServerConnection) -> None:
        assert ws.transport is not None
        ws.transport.write(frames)

    loop = asyncio.get_running_loop()
    ticks = 0
    per_tick: dict[int, int] = {}  # messages delivered between two runs of the ticker
    inbox = Inbox()

    def slow_inbox(batch: list[bytes | str]) -> None:
        per_tick[ticks] = per_tick.get(ticks, 0) + len(batch)
        deadline = time.perf_counter() + 20e-6 * len(batch)  # ~0.4 s of work in all
        while time.perf_counter() < deadline:
            pass
        inbox(batch)

    def tick() -> None:
        nonlocal ticks
        ticks += 1
        if len(inbox.messages) < n:
            loop.call_soon(tick)

    pauses = 0
    async with server(flood) as url:
        sock = await open_socket(url, ["rivet"], on_messages=slow_inbox, max_size=None)
        assert sock._transport is not None
        transport = sock._transport
        original_pause = transport.pause_reading

        def pause() -> None:
            nonlocal pauses
            pauses += 1
            original_pause()

        transport.pause_reading = pause  # type: ignore[method-assign]
        sock.start()
        loop.call_soon(tick)
        await inbox.wait(n, timeout=30)
        assert inbox.messages[0] == b"ev00000" and inbox.messages[-1] == b"ev%05d" % (n - 1)
        assert len(set(inbox.messages)) == n
        # Many slices, each followed by other callbacks (the ticker) ...
        assert inbox.batches > 50
        assert len(per_tick) > 50
        assert pauses >= 1  # ... with reading paused while the backlog is worked off
        assert transport.is_reading()  # and resumed once it is
        # One slice is ~BUDGET of work (~200 of these events); all 20,000 in one go was the bug.
        assert max(per_tick.values()) <= n // 10
        sock.close()
        await sock.wait_closed()


def test_budget_and_slice_are_small() -> None:
    assert 0 < _socket.BUDGET <= 0.004
    assert 256 <= _socket.SLICE <= 16384


def test_the_socket_runs_on_uvloop() -> None:
    """uvloop's transports are not asyncio.Transport subclasses; the socket must not care."""
    uvloop = pytest.importorskip("uvloop")
    n = 3000

    async def main() -> tuple[list[bytes | str], Any]:
        async def handler(ws: ServerConnection) -> None:
            assert ws.transport is not None
            # A burst (the frame fast path, several reads) with a ping in the middle.
            ws.transport.write(
                b"".join(
                    Frame(Opcode.BINARY, b"ev%05d" % i).serialize(mask=False, extensions=[])
                    for i in range(n)
                )
            )
            await ws.ping(b"p")
            await ws.send("text")
            echoed = await ws.recv()
            await ws.send(echoed)
            await ws.close(1000, "done")

        inbox = Inbox()
        async with server(handler) as url:
            sock = await connect(url, inbox)
            await inbox.wait(n + 1, timeout=30)
            sock.send(["hello"])
            await inbox.wait(n + 2, timeout=30)
            async with asyncio.timeout(30):
                await sock.wait_closed()
            return inbox.messages, sock.close_info()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        messages, info = runner.run(main())
    assert messages == [b"ev%05d" % i for i in range(n)] + ["text", "hello"]
    assert info == (1000, "done")
