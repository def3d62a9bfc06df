"""The engine's tunnel: client HTTP requests and WebSockets, onto the actorbind.server routes.

The engine forwards the client's own requests (path after ``/gateway/{actor}``, headers, body)
and WebSocket frames; each one becomes an ASGI call of :func:`actor_http` /
:func:`actor_websocket`, the same handlers the embedded server runs. Every request gets an
answer (503 ``envoy.actor_not_found`` for an actor not running here; 500 if a handler fails),
because an unanswered one holds the client for the gateway's 5-minute timeout. Nothing sent
may exceed the engine's ``maxResponsePayloadSize``: one oversized frame ends the whole envoy
connection, so larger responses and messages are refused here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import unquote

from starlette.types import Message
from starlette.websockets import WebSocket

from actorbind.protocol.http import ERROR_HEADER, RIVET_PROTOCOL, ErrorReply, error_reply
from actorbind.server.errors import RivetError
from actorbind.server.gateway import GatewayTarget
from actorbind.server.host import ActorHost
from actorbind.server.routes_http import actor_http
from actorbind.server.routes_ws import actor_websocket
from actorbind.server.runtime import ActorRuntime

from . import _envoy_v8 as v8

__all__ = ["Tunnel"]

log = logging.getLogger("actorbind.runner")

Key = tuple[bytes, bytes]  # (gatewayId, requestId)
# Room for the status, headers and framing inside one tunnel frame.
_MARGIN: Final = 64 * 1024
_NOT_FOUND: Final = "Actor not found"
# The Rust envoy client's answer for an actor not running here (envoy-client/src/tunnel.rs):
# the engine reads the header, so it is not a RivetKit error body.
_NOT_FOUND_REPLY: Final = ErrorReply(
    503, {ERROR_HEADER: "envoy.actor_not_found"}, _NOT_FOUND.encode()
)
# What the tunnel answers itself when the handler failed or its reply is too large: a named
# JSON error body, as the gateway's, which a client reads whatever encoding it asked for.
_INTERNAL_REPLY: Final = error_reply(RivetError.internal("core").wire(), 500)
_TOO_LARGE: Final = RivetError.outgoing_too_long()
_TOO_LARGE_REPLY: Final = error_reply(_TOO_LARGE.wire(), _TOO_LARGE.status)


def _header_bytes(value: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _scope(kind: str, actor_id: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    raw_path, _, query = path.partition("?")
    scope: dict[str, Any] = {
        "type": kind,
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "http" if kind == "http" else "ws",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode("latin-1", "replace"),
        "query_string": query.encode("latin-1", "replace"),
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), _header_bytes(v)) for k, v in headers.items()],
        "server": None,
        "client": None,
        "state": {},
    }
    if kind == "websocket":
        offered = headers.get("sec-websocket-protocol", "")
        scope["subprotocols"] = [p.strip() for p in offered.split(",") if p.strip()]
    return scope


@dataclass
class _Http:
    start: v8.ToEnvoyRequestStart
    body: bytearray = field(default_factory=bytearray)
    task: asyncio.Task[None] | None = None


@dataclass
class _Socket:
    actor_id: str
    inbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    closed: bool = False
    task: asyncio.Task[None] | None = None


class Tunnel:
    """The tunnel state of one envoy: in-flight requests and open sockets by (gateway, request)."""

    def __init__(
        self,
        host: ActorHost,
        find: Callable[[str], Awaitable[ActorRuntime | None]],
        send: Callable[[v8.ToRivet], None],
    ) -> None:
        self.host = host
        self._find = find
        self._send = send
        self.max_payload = 20 * 1024 * 1024
        self._http: dict[Key, _Http] = {}
        self._sockets: dict[Key, _Socket] = {}
        self._index: dict[Key, int] = {}

    # --- sending ----------------------------------------------------------------------

    def _emit(self, key: Key, kind: v8.ToRivetTunnelMessageKind) -> None:
        index = self._index.get(key, 0)
        self._index[key] = (index + 1) & 0xFFFF
        self._send(v8.ToRivetTunnelMessage(v8.MessageId(key[0], key[1], index), kind))

    def _respond(self, key: Key, status: int, headers: dict[str, str], body: bytes) -> None:
        self._emit(key, v8.ToRivetResponseStart(status, headers, body, False))

    # --- receiving --------------------------------------------------------------------

    def handle(self, msg: v8.ToEnvoyTunnelMessage) -> None:
        key = (msg.message_id.gateway_id, msg.message_id.request_id)
        kind = msg.message_kind
        if isinstance(kind, v8.ToEnvoyRequestStart):
            request = self._http[key] = _Http(kind)
            if kind.body is not None:
                request.body += kind.body
            if not kind.stream:
                self._run_http(key, request)
        elif isinstance(kind, v8.ToEnvoyRequestChunk):
            pending = self._http.get(key)
            if pending is not None and pending.task is None:
                pending.body += kind.body
                if kind.finish:
                    self._run_http(key, pending)
        elif isinstance(kind, v8.ToEnvoyRequestAbort):
            aborted = self._http.pop(key, None)
            if aborted is not None and aborted.task is not None:
                aborted.task.cancel()
        elif isinstance(kind, v8.ToEnvoyWebSocketOpen):
            sock = self._sockets[key] = _Socket(kind.actor_id)
            sock.inbox.put_nowait({"type": "websocket.connect"})
            sock.task = self.host.spawn(self._serve_ws(key, kind, sock))
        elif isinstance(kind, v8.ToEnvoyWebSocketMessage):
            open_sock = self._sockets.get(key)
            if open_sock is not None:
                event: dict[str, Any] = {"type": "websocket.receive"}
                if kind.binary:
                    event["bytes"] = kind.data
                else:
                    event["text"] = kind.data.decode("utf-8", "replace")
                open_sock.inbox.put_nowait(event)
        elif isinstance(kind, v8.ToEnvoyWebSocketClose):
            closing = self._sockets.get(key)
            if closing is not None:
                closing.inbox.put_nowait(
                    {"type": "websocket.disconnect", "code": kind.code or 1005}
                )
                if not closing.closed:
                    # RivetKit echoes the close; the engine then forgets the socket.
                    closing.closed = True
                    self._emit(key, v8.ToRivetWebSocketClose(kind.code, kind.reason, False))
        # Body cancel / window updates only matter for streamed bodies, which are not used.

    def close_actor(self, actor_id: str, code: int = 1011, reason: str = "actor.stopped") -> None:
        """The actor stops here: close its sockets (clients reconnect, and the engine restarts
        it wherever it schedules it)."""
        for key, sock in list(self._sockets.items()):
            if sock.actor_id == actor_id and not sock.closed:
                sock.closed = True
                self._emit(key, v8.ToRivetWebSocketClose(code, reason, False))
                sock.inbox.put_nowait({"type": "websocket.disconnect", "code": code})

    # --- HTTP -------------------------------------------------------------------------

    def _run_http(self, key: Key, request: _Http) -> None:
        request.task = self.host.spawn(self._serve_http(key, request))

    async def _serve_http(self, key: Key, request: _Http) -> None:
        start = request.start
        answered = False
        status = 500
        headers: dict[str, str] = {}
        chunks: list[bytes] = []
        size = 0
        limit = self.max_payload - _MARGIN

        def reply(code: int, hdrs: dict[str, str], body: bytes) -> None:
            nonlocal answered
            if not answered:
                answered = True
                self._respond(key, code, hdrs, body)

        def reply_error(error: ErrorReply) -> None:
            reply(error.status, dict(error.headers), error.body)

        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                body, request.body = bytes(request.body), bytearray()
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # no more body: wait to be cancelled
            raise AssertionError("unreachable")

        sent_body = False

        async def send(message: Message) -> None:
            nonlocal status, size, sent_body
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers", []):
                    k = name.decode("latin-1").lower()
                    v = value.decode("latin-1")
                    headers[k] = f"{headers[k]}, {v}" if k in headers else v
            elif message["type"] == "http.response.body" and not sent_body:
                body = bytes(message.get("body", b""))
                size += len(body)
                if size <= limit:
                    chunks.append(body)
                if not message.get("more_body", False):
                    sent_body = True
                    if size > limit:
                        reply_error(_TOO_LARGE_REPLY)
                    else:
                        headers.pop("content-length", None)
                        headers["content-length"] = str(size)
                        reply(status, headers, b"".join(chunks))

        try:
            runtime = await self._find(start.actor_id)
            if runtime is None:
                reply_error(_NOT_FOUND_REPLY)
                return
            raw_path, _, query = start.path.partition("?")
            target = GatewayTarget(path=raw_path, query=query, actor_id=start.actor_id)
            scope = _scope("http", start.actor_id, start.path, start.headers)
            scope["method"] = start.method.upper()
            await actor_http(self.host, runtime, target, scope, receive, send)
        except asyncio.CancelledError:
            answered = True  # aborted by the engine: nobody waits for an answer
            raise
        except Exception as exc:
            log.error("tunnel request to actor %s failed", start.actor_id, exc_info=exc)
        finally:
            reply_error(_INTERNAL_REPLY)
            self._http.pop(key, None)
            self._index.pop(key, None)

    # --- WebSocket --------------------------------------------------------------------

    async def _serve_ws(self, key: Key, start: v8.ToEnvoyWebSocketOpen, sock: _Socket) -> None:
        limit = self.max_payload - _MARGIN

        async def send(message: Message) -> None:
            if sock.closed:
                return
            kind = message["type"]
            if kind == "websocket.accept":
                self._emit(key, v8.ToRivetWebSocketOpen(False))
            elif kind == "websocket.send":
                text = message.get("text")
                data = text.encode("utf-8") if text is not None else bytes(message["bytes"])
                if len(data) > limit:
                    await send(
                        {
                            "type": "websocket.close",
                            "code": 1011,
                            "reason": "message.outgoing_too_long",
                        }
                    )
                    return
                self._emit(key, v8.ToRivetWebSocketMessage(data, text is None))
            elif kind == "websocket.close":
                sock.closed = True
                code = int(message.get("code", 1000))
                reason = str(message.get("reason") or "")
                self._emit(key, v8.ToRivetWebSocketClose(code, reason, False))
                sock.inbox.put_nowait({"type": "websocket.disconnect", "code": code})

        try:
            runtime = await self._find(start.actor_id)
            if runtime is None:
                sock.closed = True
                self._emit(key, v8.ToRivetWebSocketClose(1011, _NOT_FOUND, False))
                return
            ws = WebSocket(
                _scope("websocket", start.actor_id, start.path, start.headers), sock.inbox.get, send
            )
            await ws.accept(subprotocol=RIVET_PROTOCOL)
            raw_path, _, query = start.path.partition("?")
            target = GatewayTarget(path=raw_path, query=query, actor_id=start.actor_id)
            await actor_websocket(self.host, runtime, target, ws)
        except Exception as exc:
            log.error("tunnel socket of actor %s failed", start.actor_id, exc_info=exc)
        finally:
            if not sock.closed:
                sock.closed = True
                self._emit(key, v8.ToRivetWebSocketClose(1011, "core.internal_error", False))
            self._sockets.pop(key, None)
            self._index.pop(key, None)
