"""The seam under :class:`~actorbind.transport.Transport`: what an HTTP transport is, and
what opens a WebSocket.

HTTP: one request in, one whole response out, as httpx's ``AsyncBaseTransport``. Production's
transports (the HTTP/1.1 pool of :mod:`.http1`, httpx in :mod:`.httpx_transport`) and the
tests' :class:`~actorbind.transport.mock.MockTransport` implement it. WebSocket opens go through
a :class:`WebSocketTransport` (:mod:`.ws_transport` in production). Everything that is policy
(error mapping and redaction, the sent/not-sent verdict, the limits' final check, the open
timeout and keepalive) sits above the seam, in :mod:`.base` and :mod:`.errors`, so a test
through a mock runs the code production runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx
from websockets.asyncio.client import ClientConnection

from .websocket import MessageHandler, Socket

__all__ = ["HTTPTransport", "Request", "RequestFailed", "SocketRequest", "WebSocketTransport"]


# Not frozen: a frozen dataclass costs a microsecond more per request (one is made per
# call on the client's hot path). Treat it as immutable all the same.
@dataclass(slots=True)
class Request:
    """One HTTP request, and the bounds its transport must keep while doing it.

    ``timeout``: seconds from connect to the reply's last byte (``None``: none);
    ``max_head``/``max_body``: the largest reply head and body, in bytes.
    """

    method: str
    url: str
    headers: Mapping[str, str]
    content: bytes | None
    timeout: float | None
    max_head: int
    max_body: int


class RequestFailed(Exception):
    """A transport's report of a failed request, mapped to an actorbind error above the seam.

    ``sent``: ``False`` if not one byte of the request was written (it may be sent again),
    ``True`` if it was written, ``None`` if the transport cannot tell. The message never
    holds the URL.
    """

    def __init__(self, message: str, *, sent: bool | None) -> None:
        super().__init__(message)
        self.sent = sent


class HTTPTransport(ABC):
    """Sends a :class:`Request` and returns the whole reply (its body read).

    Failures are raised as :class:`RequestFailed` (or as the library's own exceptions, which
    :func:`~actorbind.transport.errors.map_transport_errors` maps); a reply over a bound is a
    :class:`RequestFailed` with ``sent=True``.
    """

    @abstractmethod
    async def handle_request(self, request: Request) -> httpx.Response:
        """Send ``request``; the response's ``content`` is read."""

    async def aclose(self) -> None:  # noqa: B027 (a transport with nothing to close)
        """Close every connection; the transport stays usable (it opens new ones)."""


@dataclass(frozen=True, slots=True)
class SocketRequest:
    """One WebSocket open: where, which subprotocols, and the socket's bounds (seconds;
    ``None``: none). ``max_size``: the largest message accepted, bytes."""

    url: str
    subprotocols: Sequence[str]
    max_size: int | None
    open_timeout: float | None
    ping_interval: float | None
    ping_timeout: float | None
    close_timeout: float


class WebSocketTransport(ABC):
    """Opens WebSockets (the opening handshake done). Failures are the libraries' own
    exceptions (``websockets.InvalidStatus`` with the response, ``OSError``, ``TimeoutError``):
    :func:`~actorbind.transport.errors.map_transport_errors` maps them above the seam."""

    @abstractmethod
    async def open_socket(self, request: SocketRequest, on_messages: MessageHandler) -> Socket:
        """An actor connection's socket: it hands each read's messages to ``on_messages``."""

    @abstractmethod
    async def open_connection(self, request: SocketRequest) -> ClientConnection:
        """A raw socket the caller owns (``ActorHandle.websocket()``)."""
