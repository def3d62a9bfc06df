"""One client's I/O: HTTP requests through an :class:`~.interface.HTTPTransport` and WebSocket
opens through a :class:`~.interface.WebSocketTransport` (the seam production and tests share),
errors mapped by :mod:`.errors`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, overload

import httpx
from websockets.asyncio.client import ClientConnection

from ..protocol.codecs import JsonCodec
from ..protocol.errors import MalformedMessage
from .errors import error_from_response, map_transport_errors
from .http1 import DEFAULT_MAX_BODY, DEFAULT_MAX_HEAD, HTTP1Pool
from .httpx_transport import HttpxTransport
from .interface import HTTPTransport, Request, RequestFailed, SocketRequest, WebSocketTransport
from .websocket import MessageHandler, Socket
from .ws_transport import WebSocketsTransport

__all__ = ["Transport"]

_JSON = JsonCodec()


class Transport:
    """One client's HTTP transport plus its WebSocket transport.

    ``timeout`` bounds each HTTP call from connect to the reply's last byte (``None``: no
    bound); ``max_response_head_size``/``max_response_size`` bound each reply's head and body.
    ``http_transport``: the seam's implementation; by default plain ``http://`` goes through
    the HTTP/1.1 pool (several times less CPU per request than httpx's), the rest through
    httpx. An ``httpx.AsyncBaseTransport`` takes every request, through httpx.
    ``websocket_transport`` opens the WebSockets (default: over the network).
    """

    def __init__(
        self,
        *,
        timeout: float | None,
        http_transport: HTTPTransport | httpx.AsyncBaseTransport | None = None,
        max_response_head_size: int = DEFAULT_MAX_HEAD,
        max_response_size: int = DEFAULT_MAX_BODY,
        websocket_transport: WebSocketTransport | None = None,
    ) -> None:
        self._deadline = timeout
        self._max_head = max_response_head_size
        self._max_body = max_response_size
        # The gateway holds an upgrade exactly as it holds a request (up to its 15 s actor
        # placement wait, then wake retries); the TS client sets no open timeout at all. So a
        # WebSocket open waits as long as an HTTP call may take (``timeout``; None: no bound).
        self.open_timeout = timeout
        self.websockets = websocket_transport or WebSocketsTransport()
        self.http: HTTPTransport
        if http_transport is None:
            self.http = HTTP1Pool(fallback=HttpxTransport())
        elif isinstance(http_transport, httpx.AsyncBaseTransport):
            self.http = HttpxTransport(http_transport)
        else:
            self.http = http_transport

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        content: bytes | None = None,
        what: str,
    ) -> httpx.Response:
        """Send one request; transport failures raise :class:`TransportError` (a written
        non-idempotent request that failed: :class:`OutcomeUnknown`)."""
        request = Request(
            method, url, headers, content, self._deadline, self._max_head, self._max_body
        )
        with map_transport_errors(what, method=method):
            response = await self.http.handle_request(request)
            self._check(response)
        return response

    def _check(self, response: httpx.Response) -> None:
        # The bounds, whatever the transport (the pool and httpx keep them while reading too).
        # The body as decoded: a content-encoding does not get a reply past the limit.
        body = len(response.content)
        if body > self._max_body:
            raise RequestFailed(
                f"the reply's body ({body} bytes) is over the limit of {self._max_body} bytes",
                sent=True,
            )
        # A lower bound of the head's size (no status line; ": " and CRLF per header).
        head = sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
        if head > self._max_head:
            raise RequestFailed(
                f"the reply's head is over the limit of {self._max_head} bytes", sent=True
            )

    async def request_json(
        self, method: str, url: str, *, headers: Mapping[str, str], body: Any = None, what: str
    ) -> Any:
        """A management API call: JSON in, JSON out, errors as :class:`ActorError`."""
        hdrs = dict(headers)
        content = None
        if body is not None:
            hdrs["content-type"] = "application/json"
            content = json.dumps(body, separators=(",", ":")).encode()
        response = await self.request(method, url, headers=hdrs, content=content, what=what)
        if response.status_code >= 400:
            raise error_from_response(response, _JSON)
        try:
            return json.loads(response.content)
        except (ValueError, RecursionError) as exc:  # deep nesting: RecursionError
            raise MalformedMessage(f"{what}: the reply is not JSON") from exc

    @overload
    async def open_websocket(
        self,
        url: str,
        subprotocols: Sequence[str],
        *,
        max_size: int | None,
        what: str,
        on_messages: None = None,
    ) -> ClientConnection: ...

    @overload
    async def open_websocket(
        self,
        url: str,
        subprotocols: Sequence[str],
        *,
        max_size: int | None,
        what: str,
        on_messages: MessageHandler,
    ) -> Socket: ...

    async def open_websocket(
        self,
        url: str,
        subprotocols: Sequence[str],
        *,
        max_size: int | None,
        what: str,
        on_messages: MessageHandler | None = None,
    ) -> ClientConnection | Socket:
        """Open a WebSocket; handshake failures raise actorbind errors.

        With ``on_messages`` (actor connections): a lean callback-driven :class:`Socket`
        that hands messages to it from ``data_received``; without (raw user sockets):
        websockets' asyncio client.
        """
        request = SocketRequest(
            url,
            subprotocols,
            max_size,
            self.open_timeout,
            ping_interval=20,
            ping_timeout=20,
            close_timeout=5,
        )
        with map_transport_errors(what):
            if on_messages is not None:
                return await self.websockets.open_socket(request, on_messages)
            return await self.websockets.open_connection(request)

    async def aclose(self) -> None:
        """Close every HTTP connection; later requests open new ones."""
        await self.http.aclose()
