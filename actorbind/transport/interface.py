"""The seam under :class:`~actorbind.transport.Transport`: what an HTTP transport is.

One request in, one whole response out, as httpx's ``AsyncBaseTransport``. Production's
transports (the HTTP/1.1 pool of :mod:`.http1`, httpx in :mod:`.httpx_transport`) and the
tests' :class:`~actorbind.transport.mock.MockTransport` implement it; everything that is policy
(error mapping and redaction, the sent/not-sent verdict, the limits' final check) sits above it,
in :mod:`.base` and :mod:`.errors`, so a test through the mock runs the code production runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

__all__ = ["HTTPTransport", "Request", "RequestFailed"]


@dataclass(frozen=True, slots=True)
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
