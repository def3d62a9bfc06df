"""I/O only: the HTTP/1.1 pool, the WebSocket, one error mapper and the seam above them.

``actorbind.client`` talks to the network only through :class:`Transport`, and it through one
seam, :class:`HTTPTransport` (the HTTP/1.1 pool, httpx, or the tests' :class:`MockTransport`);
every library exception is mapped to an :mod:`actorbind` one in :mod:`.errors`.
"""

from __future__ import annotations

from .base import Transport
from .errors import error_from_response, map_transport_errors, redact
from .interface import HTTPTransport, Request, RequestFailed
from .mock import MockTransport

__all__ = [
    "HTTPTransport",
    "MockTransport",
    "Request",
    "RequestFailed",
    "Transport",
    "error_from_response",
    "map_transport_errors",
    "redact",
]
