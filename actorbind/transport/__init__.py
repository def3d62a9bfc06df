"""I/O only: the HTTP/1.1 pool, the WebSocket, one error mapper and the seam under them.

``actorbind.client`` talks to the network only through :class:`Transport`, and it through one
seam: :class:`HTTPTransport` (the HTTP/1.1 pool, httpx, or the tests' :class:`MockTransport`)
and :class:`WebSocketTransport`. Every library exception is mapped to an :mod:`actorbind` one
in :mod:`.errors`.
"""

from __future__ import annotations

from .base import Transport
from .errors import error_from_response, map_transport_errors, redact
from .interface import HTTPTransport, Request, RequestFailed, SocketRequest, WebSocketTransport
from .mock import MockTransport

__all__ = [
    "HTTPTransport",
    "MockTransport",
    "Request",
    "RequestFailed",
    "SocketRequest",
    "Transport",
    "WebSocketTransport",
    "error_from_response",
    "map_transport_errors",
    "redact",
]
