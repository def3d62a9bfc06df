"""The I/O boundary: httpx for HTTP, websockets for sockets, errors mapped in one place.

Every exception of httpx, websockets and the OS that can escape a request or a socket open is
turned into an :mod:`actorbind` exception here (``raise ... from exc``), so nothing above this
module catches library-specific errors. URLs are never put in messages: they may hold tokens.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, overload

import httpx
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

from ._http1 import HTTP1Pool
from ._socket import MessageHandler, Socket, open_socket
from .protocol.codecs import Codec, JsonCodec
from .protocol.errors import (
    ActorError,
    ClientError,
    MalformedMessage,
    TransportError,
    actor_error,
)

__all__ = ["Transport", "error_from_response", "map_transport_errors"]

_JSON = JsonCodec()

# httpx logs every request URL (INFO) and websockets the handshake request line and headers
# (DEBUG); gateway URLs carry the token (``rvt-token=``, ``/gateway/{id}@{token}``) and the
# subprotocols the params. Redact them in those libraries' records, before any handler.
_SECRETS = re.compile(
    r"(rvt-token=|rivet_conn_params\.|rivet_token\.)[^&\s,\"'>]+"
    r"|(/gateway/[^/?#\s@\"']+@)[^/?#\s\"'>]+"
)


def redact(text: str) -> str:
    """``text`` with gateway tokens and connection params replaced by ``<redacted>``."""
    return _SECRETS.sub(lambda m: (m.group(1) or m.group(2)) + "<redacted>", text)


class _RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


for _name in ("httpx", "websockets.client"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _RedactSecrets) for f in _logger.filters):
        _logger.addFilter(_RedactSecrets())


@contextmanager
def map_transport_errors(what: str) -> Iterator[None]:
    """Translate transport exceptions raised inside the block into :class:`TransportError`."""
    try:
        yield
    except (ClientError, ActorError):
        raise
    except httpx.TimeoutException as exc:
        raise TransportError(f"{what}: timed out") from exc
    except httpx.HTTPError as exc:  # ConnectError, ReadError, RemoteProtocolError, ...
        raise TransportError(f"{what}: {type(exc).__name__}: {_short(exc)}") from exc
    except websockets.InvalidStatus as exc:
        raise _from_handshake_response(what, exc) from exc
    except websockets.InvalidURI as exc:
        raise TransportError(f"{what}: invalid websocket URL") from exc
    except websockets.WebSocketException as exc:  # InvalidHandshake, ConnectionClosed, ...
        raise TransportError(f"{what}: {type(exc).__name__}: {_short(exc)}") from exc
    except TimeoutError as exc:
        raise TransportError(f"{what}: timed out") from exc
    except OSError as exc:  # refused, unreachable, DNS (socket.gaierror)
        raise TransportError(f"{what}: {exc.strerror or type(exc).__name__}") from exc


def _short(exc: BaseException) -> str:
    # Library messages may embed URLs (and so tokens); keep only the first line, no URL.
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text if "://" not in text else type(exc).__name__


def _from_handshake_response(what: str, exc: websockets.InvalidStatus) -> Exception:
    response = exc.response
    try:
        body = bytes(response.body or b"")
        if body:
            err = _JSON.decode_http_error(body)
            return actor_error(
                err.group,
                err.code,
                err.message,
                err.metadata,
                err.actor,
                status=response.status_code,
            )
    except MalformedMessage:
        pass
    return TransportError(f"{what}: the server refused the websocket (HTTP {response.status_code})")


def error_from_response(response: httpx.Response, codec: Codec) -> Exception:
    """The error an unsuccessful HTTP reply stands for (JSON if it says so, else ``codec``)."""
    ray_id = response.headers.get("x-rivet-ray-id")
    content_type = response.headers.get("content-type", "")
    decoder: Codec = _JSON if "application/json" in content_type else codec
    try:
        err = decoder.decode_http_error(response.content)
    except MalformedMessage:
        group_code = response.headers.get("x-rivet-error", "")
        group, _, code = group_code.partition(".")
        if group and code:
            return actor_error(
                group,
                code,
                f"HTTP {response.status_code}",
                ray_id=ray_id,
                status=response.status_code,
            )
        return TransportError(
            f"unexpected HTTP {response.status_code} reply "
            f"({len(response.content)} bytes of {content_type or 'unknown type'})"
        )
    return actor_error(
        err.group,
        err.code,
        err.message,
        err.metadata,
        err.actor,
        ray_id=ray_id,
        status=response.status_code,
    )


class Transport:
    """One client's HTTP connection pool plus its WebSocket factory."""

    def __init__(
        self,
        *,
        timeout: float | None,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        read = None if timeout is None else timeout
        self._timeout = httpx.Timeout(connect=10.0, read=read, write=30.0, pool=None)
        self._http_transport = http_transport
        self._http: httpx.AsyncClient | None = None
        # Plain http:// requests go through a small keep-alive client of our own (several
        # times less CPU per request than httpx's pool); https://, anything it does not do,
        # and a custom httpx transport (tests) go through httpx.
        self._fast: HTTP1Pool | None = (
            HTTP1Pool(read_timeout=read) if http_transport is None else None
        )

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
        """Send one request; transport failures raise :class:`TransportError`."""
        fast = self._fast
        if fast is not None:
            with map_transport_errors(what):
                response = await fast.request(method, url, headers=headers, content=content)
            if response is not None:
                return response
        with map_transport_errors(what):
            return await self._client().request(method, url, headers=dict(headers), content=content)

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
            return response.json()
        except ValueError as exc:
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
                    open_timeout=10,
                    ping_interval=20,
                    ping_timeout=20,
                    close_timeout=5,
                )
            return await ws_connect(
                url,
                subprotocols=[websockets.Subprotocol(p) for p in subprotocols],
                max_size=max_size,
                compression=None,
                open_timeout=10,
                ping_interval=20,
                ping_timeout=20,
                close_timeout=5,
                user_agent_header=None,
            )

    async def aclose(self) -> None:
        fast = self._fast
        if fast is not None:
            # A fresh pool for any later request, as ``_client()`` makes a fresh httpx client.
            self._fast = HTTP1Pool(read_timeout=self._timeout.read)
            await fast.aclose()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
