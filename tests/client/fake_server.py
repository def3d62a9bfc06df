"""A scriptable fake Rivet gateway for client tests: real sockets on 127.0.0.1, port 0.

Each WebSocket handshake to ``/gateway/.../connect`` is one *attempt*. Attempt ``i`` runs
``scripts[i]`` (the last entry, or :meth:`Session.serve`, once the list runs out):

* an ``async def script(session)`` drives the upgraded socket (send an ``Init``, garbage, an
  ``Error``, close with a code, abort the TCP transport, ...). When it returns without closing,
  the server keeps reading (and recording) what the client sends until the client closes.
* a :class:`Refuse` answers the handshake with an HTTP status instead of ``101``.

Everything the client sent is decoded and recorded per session (``session.received``), with
the close code and reason the client sent (``session.client_close``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from actorbind.protocol.codecs import Codec, codec_for
from actorbind.protocol.messages import (
    ActionRequest,
    ActionResponse,
    Error,
    Event,
    Init,
    SubscriptionRequest,
    ToClient,
    ToServer,
)
from tests.utils import free_port

__all__ = [
    "FakeServer",
    "Refuse",
    "Script",
    "Session",
    "free_port",
    "silent_server",
    "tcp_drop_server",
]

Script = Callable[["Session"], Awaitable[None]]


@dataclass(frozen=True)
class Refuse:
    """Answer the handshake with this HTTP status and body instead of upgrading."""

    status: int = 500
    body: bytes = b""
    content_type: str = "text/plain"
    headers: Sequence[tuple[str, str]] = ()

    @classmethod
    def json(cls, status: int, group: str, code: str, message: str = "nope") -> Refuse:
        body = json.dumps({"group": group, "code": code, "message": message}).encode()
        return cls(status, body, "application/json", (("x-rivet-error", f"{group}.{code}"),))


@dataclass
class Session:
    """One upgraded socket, as the server sees it."""

    index: int
    ws: ServerConnection
    codec: Codec
    path: str
    subprotocols: list[str]
    params: Any
    received: list[ToServer | bytes | str] = field(default_factory=list)
    client_close: tuple[int | None, str] | None = None

    # --- sending ---------------------------------------------------------------------

    async def send(self, msg: ToClient) -> None:
        await self.ws.send(self.codec.encode_to_client(msg))

    async def send_raw(self, data: bytes | str) -> None:
        await self.ws.send(data)

    async def init(self, actor_id: str = "actor-1") -> None:
        await self.send(Init(actor_id, f"conn-{self.index}"))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.ws.close(code, reason)

    def abort(self) -> None:
        """Drop the TCP connection: no close frame."""
        assert self.ws.transport is not None
        self.ws.transport.abort()

    # --- receiving -------------------------------------------------------------------

    def _record(self, frame: bytes | str) -> ToServer | bytes | str:
        try:
            msg: ToServer | bytes | str = self.codec.decode_to_server(frame)
        except ValueError:
            msg = frame
        self.received.append(msg)
        return msg

    async def recv(self) -> ToServer | bytes | str:
        return self._record(await self.ws.recv())

    async def recv_action(self) -> ActionRequest:
        """Read until an ``ActionRequest`` arrives (recording everything)."""
        while True:
            msg = await self.recv()
            if isinstance(msg, ActionRequest):
                return msg

    def actions(self) -> list[ActionRequest]:
        return [m for m in self.received if isinstance(m, ActionRequest)]

    def subscriptions(self) -> list[SubscriptionRequest]:
        return [m for m in self.received if isinstance(m, SubscriptionRequest)]

    async def answer(self, msg: ActionRequest) -> None:
        """The fake actor: ``echo`` returns its args, ``emit`` broadcasts, ``fail`` errors,
        ``hang`` never answers; anything else returns ``{"name", "args"}``."""
        if msg.name == "hang":
            return
        if msg.name == "fail":
            await self.send(Error("user", "custom", "it failed", {"n": 1}, msg.id))
        elif msg.name == "emit":
            await self.send(Event(msg.args[0], list(msg.args[1:])))
            await self.send(ActionResponse(msg.id, True))
        elif msg.name == "echo":
            await self.send(ActionResponse(msg.id, list(msg.args)))
        else:
            await self.send(ActionResponse(msg.id, {"name": msg.name, "args": list(msg.args)}))

    async def serve(self) -> None:
        """Behave like a healthy actor: ``Init``, then answer every action."""
        await self.init()
        await self.serve_actions()

    async def serve_actions(self) -> None:
        while True:
            msg = await self.recv()
            if isinstance(msg, ActionRequest):
                await self.answer(msg)


async def _serve(session: Session) -> None:
    await session.serve()


class FakeServer:
    """A fake gateway: ``async with FakeServer("json", script1, script2) as server``."""

    def __init__(self, encoding: str, *scripts: Script | Refuse) -> None:
        self.encoding = encoding
        self.codec = codec_for(encoding)
        self.scripts: list[Script | Refuse] = list(scripts)
        self.handshakes = 0  # every handshake attempt, refused or not
        self.sessions: list[Session] = []
        self.errors: list[BaseException] = []  # scripts that raised (besides closed sockets)
        self.session_started = asyncio.Condition()
        self._server: Server | None = None
        self._handlers: set[asyncio.Task[Any]] = set()
        self.port = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script_for(self, index: int) -> Script | Refuse:
        if index < len(self.scripts):
            return self.scripts[index]
        return self.scripts[-1] if self.scripts else _serve

    async def __aenter__(self) -> FakeServer:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            subprotocols=["rivet"],  # select_subprotocol picks "rivet" from the client's offer
            process_request=self._process_request,
            compression=None,
            ping_interval=None,
            max_size=None,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        index = self.handshakes
        self.handshakes += 1
        conn.attempt_index = index  # type: ignore[attr-defined]
        script = self.script_for(index)
        if isinstance(script, Refuse):
            headers = Headers([("Content-Type", script.content_type), *script.headers])
            headers["Content-Length"] = str(len(script.body))
            return Response(script.status, "Refused", headers, script.body)
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        index: int = ws.attempt_index  # type: ignore[attr-defined]
        assert ws.request is not None
        offered = [
            p.strip()
            for value in ws.request.headers.get_all("Sec-WebSocket-Protocol")
            for p in value.split(",")
        ]
        params = None
        for p in offered:
            if p.startswith("rivet_conn_params."):
                params = json.loads(unquote(p.removeprefix("rivet_conn_params.")))
        session = Session(index, ws, self.codec, ws.request.path, offered, params)
        self.sessions.append(session)
        async with self.session_started:
            self.session_started.notify_all()
        script = self.script_for(index)
        assert not isinstance(script, Refuse)
        try:
            await script(session)
            async for frame in ws:  # keep recording until the client closes
                session._record(frame)
        except ConnectionClosed:
            pass
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # surfaced by the test's teardown
            self.errors.append(exc)
        finally:
            session.client_close = _client_close(ws)

    async def wait_sessions(self, n: int, timeout: float = 5.0) -> Session:
        """Wait until ``n`` sockets were upgraded; returns the ``n``-th."""
        async with asyncio.timeout(timeout):
            async with self.session_started:
                await self.session_started.wait_for(lambda: len(self.sessions) >= n)
        return self.sessions[n - 1]

    async def wait_handshakes(self, n: int, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while self.handshakes < n:
                await asyncio.sleep(0.005)


def _client_close(ws: ServerConnection) -> tuple[int | None, str] | None:
    rcvd = ws.protocol.close_rcvd
    return None if rcvd is None else (rcvd.code, rcvd.reason)


@contextlib.asynccontextmanager
async def tcp_drop_server(reply: bytes = b"") -> AsyncIterator[tuple[str, list[int]]]:
    """A server that reads the handshake request, writes ``reply`` (maybe nothing) and closes
    the TCP connection before any ``101``. Yields ``(endpoint, [attempt count])``."""
    count = [0]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        count[0] += 1
        with contextlib.suppress(Exception):
            await reader.readuntil(b"\r\n\r\n")
            if reply:
                writer.write(reply)
                await writer.drain()
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", count
    finally:
        server.close()
        await server.wait_closed()


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[str]:
    """A server that accepts TCP, reads the handshake and never answers (a hung gateway or a
    wrong endpoint that swallows packets). Yields its endpoint; every socket is closed at exit."""
    writers: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        with contextlib.suppress(Exception):
            while await reader.read(65536):
                pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        for writer in writers:
            writer.close()
        await server.wait_closed()
