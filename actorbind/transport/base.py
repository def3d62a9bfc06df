"""The I/O seam: one client's HTTP requests and WebSocket opens, errors mapped by :mod:`.errors`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from typing import Any, overload

import httpx
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

from ..protocol.codecs import JsonCodec
from ..protocol.errors import MalformedMessage, OutcomeUnknown, TransportError
from .errors import error_from_response, map_transport_errors
from .http1 import DEFAULT_MAX_BODY, DEFAULT_MAX_HEAD, HTTP1Pool
from .websocket import MessageHandler, Socket, open_socket

__all__ = ["Transport"]

_JSON = JsonCodec()


# httpx failures that happen before any byte of the request is written.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class Transport:
    """One client's HTTP connection pool plus its WebSocket factory.

    ``timeout`` bounds each HTTP call from connect to the reply's last byte (``None``: no
    bound); ``max_response_head_size``/``max_response_size`` bound each reply's head and body.
    """

    def __init__(
        self,
        *,
        timeout: float | None,
        http_transport: httpx.AsyncBaseTransport | None = None,
        max_response_head_size: int = DEFAULT_MAX_HEAD,
        max_response_size: int = DEFAULT_MAX_BODY,
    ) -> None:
        self._deadline = timeout
        self._max_head = max_response_head_size
        self._max_body = max_response_size
        self._timeout = httpx.Timeout(connect=10.0, read=timeout, write=30.0, pool=None)
        # The gateway holds an upgrade exactly as it holds a request (up to its 15 s actor
        # placement wait, then wake retries); the TS client sets no open timeout at all. So a
        # WebSocket open waits as long as an HTTP call may take (``timeout``; None: no bound).
        self.open_timeout = timeout
        self._http_transport = http_transport
        self._http: httpx.AsyncClient | None = None
        # Plain http:// requests go through a small keep-alive client of our own (several
        # times less CPU per request than httpx's pool); https://, anything it does not do,
        # and a custom httpx transport (tests) go through httpx.
        self._fast: HTTP1Pool | None = self._new_pool() if http_transport is None else None

    def _new_pool(self) -> HTTP1Pool:
        return HTTP1Pool(timeout=self._deadline, max_head=self._max_head, max_body=self._max_body)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None or self._http.is_closed:
            self._http = httpx.AsyncClient(
                timeout=self._timeout,
                transport=self._http_transport,
                follow_redirects=False,
                trust_env=False,
                # Keep every connection alive: httpx's default of 20 makes concurrent actions
                # churn through new TCP connections.
                limits=httpx.Limits(max_connections=512, max_keepalive_connections=512),
            )
        return self._http

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
        fast = self._fast
        if fast is not None:
            with map_transport_errors(what):
                response = await fast.request(
                    method, url, headers=headers, content=content, what=what
                )
            if response is not None:
                return response
        try:
            with map_transport_errors(what):
                async with asyncio.timeout(self._deadline):
                    return await self._httpx_request(method, url, headers, content, what)
        except TransportError as exc:
            cause = exc.__cause__
            if method in ("GET", "HEAD") or cause is None or isinstance(cause, _NOT_SENT):
                raise
            # httpx does not say whether the request was written: it may have been.
            raise OutcomeUnknown(
                f"{exc}; the request may have been sent and applied (it is not sent again)"
            ) from cause

    async def _httpx_request(
        self, method: str, url: str, headers: Mapping[str, str], content: bytes | None, what: str
    ) -> httpx.Response:
        # Streamed so that the body limit holds before the body is in memory.
        client = self._client()
        request = client.build_request(method, url, headers=dict(headers), content=content)
        response = await client.send(request, stream=True)
        if response.is_stream_consumed:  # a transport that read it already (MockTransport)
            if len(response.content) > self._max_body:
                raise TransportError(
                    f"{what}: the reply's body is over the limit of {self._max_body} bytes"
                )
            return response
        try:
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > self._max_body:
                raise TransportError(
                    f"{what}: the reply's body ({length} bytes) is over the limit of "
                    f"{self._max_body} bytes"
                )
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_raw():
                size += len(chunk)
                if size > self._max_body:
                    raise TransportError(
                        f"{what}: the reply's body is over the limit of {self._max_body} bytes"
                    )
                chunks.append(chunk)
        finally:
            await response.aclose()
        whole = httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(b"".join(chunks)),
            request=request,
            extensions=response.extensions,
        )
        await whole.aread()  # decodes a content-encoding, as httpx would have
        return whole

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
        with map_transport_errors(what):
            if on_messages is not None:
                return await open_socket(
                    url,
                    subprotocols,
                    on_messages=on_messages,
                    max_size=max_size,
                    open_timeout=self.open_timeout,
                    ping_interval=20,
                    ping_timeout=20,
                    close_timeout=5,
                )
            return await ws_connect(
                url,
                subprotocols=[websockets.Subprotocol(p) for p in subprotocols],
                max_size=max_size,
                compression=None,
                open_timeout=self.open_timeout,
                ping_interval=20,
                ping_timeout=20,
                close_timeout=5,
                user_agent_header=None,
            )

    async def aclose(self) -> None:
        fast = self._fast
        if fast is not None:
            # A fresh pool for any later request, as ``_client()`` makes a fresh httpx client.
            self._fast = self._new_pool()
            await fast.aclose()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
