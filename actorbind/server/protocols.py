"""The uvicorn protocols :func:`serve` runs, chosen for what they bound.

HTTP is uvicorn's h11 implementation, not httptools: h11 caps the whole request head
(``h11_max_incomplete_event_size``, here :attr:`Limits.max_header_bytes`) while httptools
buffers headers without limit (eight 16 MB headers cost +166 MB). On top of it, this module adds
what uvicorn lacks: a deadline for the request head (silent and slowloris connections), a
connection cap that drops the longest-waiting idle connection first, ``431`` answers in
RivetKit's error shape, and a check of every WebSocket handshake line before the upgrade.

WebSockets are uvicorn's ``websockets-sansio`` implementation (the maintained one; the legacy
``websockets`` one is deprecated and ``wsproto`` is one more dependency), with two fixes: a
handshake its parser refuses gets an HTTP answer at once (uvicorn sends nothing and leaves the
socket open), and a close sent while the peer reads nothing drops the connection instead of
waiting for buffer space that never comes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import SecurityError

from actorbind.protocol import HttpResponseError
from actorbind.protocol.http import error_reply

from .limits import Limits

__all__ = ["protocol_classes"]

log = logging.getLogger("actorbind.server")

# websockets' own handshake parser limits (websockets.http11): a longer line or more headers
# would make it refuse the handshake.
_WS_PARSER_MAX_LINE = 8192
_WS_PARSER_MAX_HEADERS = 128


def _error_response(status: int, reason: str, body: dict[str, Any]) -> bytes:
    reply = error_reply(HttpResponseError(**body), status)
    fields = "".join(f"{k}: {v}\r\n" for k, v in reply.headers.items())
    head = f"HTTP/1.1 {status} {reason}\r\n{fields}connection: close\r\n\r\n"
    return head.encode("ascii") + reply.body


def _too_long(what: str) -> bytes:
    body = {"group": "message", "code": "incoming_too_long", "message": f"{what} too long"}
    return _error_response(431, "Request Header Fields Too Large", body)


_INVALID = _error_response(
    400,
    "Bad Request",
    {"group": "guard", "code": "invalid_request", "message": "Invalid HTTP request received."},
)
_OVER_CAPACITY = _error_response(
    503,
    "Service Unavailable",
    {"group": "guard", "code": "service_unavailable", "message": "Too many connections."},
)


class HttpProtocol(H11Protocol):
    """h11 with request head and body deadlines, a connection cap and RivetKit-shaped 4xx
    answers."""

    limits: ClassVar[Limits] = Limits()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self.waiting_since: float | None = None
        if len(self.connections) > self.limits.max_connections and not self._evict_one():
            log.warning("connection refused: %d connections open", len(self.connections))
            self.transport.write(_OVER_CAPACITY)
            self.transport.close()
            return
        self._wait_for_head()

    def _evict_one(self) -> bool:
        idle = [
            c
            for c in self.connections
            if isinstance(c, HttpProtocol) and c is not self and c.waiting_since is not None
        ]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: c.waiting_since or 0.0)
        log.info("dropped an idle connection for a new one (connection cap)")
        oldest.expire()
        return True

    def _wait_for_head(self) -> None:
        self._cancel_head_timer()
        self.waiting_since = self.loop.time()
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self.waiting_since = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        log.debug("closed a connection that sent no complete request head in time")
        self.expire()

    def expire(self) -> None:
        """Close this connection now (it is between requests or still sending its head)."""
        self._cancel_head_timer()
        self.connections.discard(self)
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        state = self.conn.their_state
        if state is not h11.IDLE and self.waiting_since is not None:
            self._cancel_head_timer()  # a whole head arrived (or the connection failed)
        if state is h11.SEND_BODY and self._body_timer is None:
            self._body_timer = self.loop.call_later(self.limits.body_timeout, self._body_timed_out)
        elif state is not h11.SEND_BODY:
            self._cancel_body_timer()

    def _cancel_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _body_timed_out(self) -> None:
        self._body_timer = None
        if self.conn.their_state is h11.SEND_BODY:
            log.debug("closed a connection that sent no complete request body in time")
            self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._wait_for_head()  # only between requests: never during one

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        self._cancel_body_timer()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        buffered = len(self.conn.trailing_data[0])
        head_too_long = buffered > self.limits.max_header_bytes
        self.transport.write(_too_long("Request head") if head_too_long else _INVALID)
        self.transport.close()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        # The WebSocket parser re-reads the head with its own, tighter limits; answer here
        # rather than let it refuse the handshake.
        limit = min(self.limits.max_header_line, _WS_PARSER_MAX_LINE)
        lines = [len(event.method) + len(event.target) + 11]
        lines += [len(name) + len(value) + 4 for name, value in self.headers]
        if max(lines) > limit or len(self.headers) > _WS_PARSER_MAX_HEADERS:
            self.transport.write(_too_long("Request header line"))
            self.transport.close()
            return
        self._cancel_head_timer()
        super().handle_websocket_upgrade(event)


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """websockets-sansio that answers a refused handshake and never waits on a stalled peer."""

    limits: ClassVar[Limits] = Limits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.close_timeout = self.limits.close_timeout

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        exc = self.conn.handshake_exc
        if exc is not None and not self.handshake_initiated and not self.transport.is_closing():
            too_long = isinstance(exc.__cause__, SecurityError)
            self.transport.write(_too_long("Request header") if too_long else _INVALID)
            self.handshake_initiated = self.handshake_complete = self.close_sent = True
            self.transport.close()

    async def send(self, message: Any) -> None:
        stalled = (
            message["type"] == "websocket.close"
            and self.handshake_complete
            and not self.close_sent
            and not self.disconnected
            and self.initial_response is None
            and not self.writable.is_set()
        )
        if not stalled:
            await super().send(message)
            return
        # The peer has not read what is buffered already: queue the close frame and drop the
        # connection (a graceful close would wait for it forever).
        code = message.get("code", 1000)
        reason = message.get("reason") or ""
        self.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        self.conn.send_close(code, reason)
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        self.transport.abort()


def protocol_classes(limits: Limits) -> tuple[type[HttpProtocol], type[WebSocketProtocol]]:
    """The two protocol classes of one server, bound to its limits."""
    http = type("ActorbindHttpProtocol", (HttpProtocol,), {"limits": limits})
    ws = type("ActorbindWebSocketProtocol", (WebSocketProtocol,), {"limits": limits})
    return http, ws
