"""What every request passes before routing: the header count and, if set, the token.

The token is checked like the Rivet Engine's admin token (``subtle::ConstantTimeEq`` there,
:func:`hmac.compare_digest` here), and taken from wherever its clients put it:

* management API: ``Authorization: Bearer <token>`` (or ``x-rivet-token``);
* gateway HTTP: ``x-rivet-token``, the ``rvt-token`` query param, ``/gateway/{id}@{token}``;
* gateway WebSocket: the same URL forms, or a ``rivet_token.<token>`` subprotocol.

A missing or wrong token is ``403 api.forbidden`` "Access denied", as the engine answers; a
WebSocket gets it as the HTTP answer to its handshake (so clients fail at once, no retry).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import parse_qsl, unquote

from starlette.types import ASGIApp, Receive, Scope, Send

from actorbind.protocol import HttpResponseError
from actorbind.protocol.gateway import read_token_protocols
from actorbind.protocol.http import TOKEN_HEADER, error_reply, read_bearer

from .limits import Limits

__all__ = ["Admission", "reject"]

_TOKEN_HEADER: Final = TOKEN_HEADER.encode("latin-1")

_FORBIDDEN: Final = {"group": "api", "code": "forbidden", "message": "Access denied"}
_TOO_MANY_HEADERS: Final = {
    "group": "message",
    "code": "incoming_too_long",
    "message": "Too many request headers",
}


class Admission:
    """ASGI middleware: ``431`` for too many headers, ``403`` without the token."""

    def __init__(self, app: ASGIApp, *, limits: Limits, token: str | None) -> None:
        self.app = app
        self.limits = limits
        self._token = None if token is None else token.encode("utf-8")

    def __repr__(self) -> str:
        return f"Admission(token={'set' if self._token else 'none'})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if len(scope.get("headers", ())) > self.limits.max_headers:
            await reject(scope, send, 431, _TOO_MANY_HEADERS)
            return
        if self._token is not None and not self._authorized(scope):
            await reject(scope, send, 403, _FORBIDDEN)
            return
        await self.app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        assert self._token is not None
        ok = False
        for candidate in _candidates(scope):
            # No early exit: every offered token costs the same comparison.
            ok |= hmac.compare_digest(candidate.encode("utf-8", "surrogateescape"), self._token)
        return ok


def _candidates(scope: Scope) -> Iterator[str]:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            bearer = read_bearer(value.decode("latin-1"))
            if bearer is not None:
                yield bearer
        elif name == _TOKEN_HEADER:
            yield value.decode("latin-1")
    yield from read_token_protocols(scope.get("subprotocols", ()))
    path = _raw_path(scope)
    if not path.startswith("/gateway/"):
        return
    segment = path[len("/gateway/") :].partition("/")[0]
    if "@" in segment:
        yield unquote(segment.partition("@")[2])
    query = scope.get("query_string", b"").decode("latin-1")
    for k, v in parse_qsl(query, keep_blank_values=True):
        if k == "rvt-token":
            yield v


def _raw_path(scope: Scope) -> str:
    raw = scope.get("raw_path")
    if isinstance(raw, bytes | bytearray):
        return bytes(raw).decode("latin-1").partition("?")[0]
    return str(scope.get("path", ""))


async def reject(scope: Scope, send: Send, status: int, body: dict[str, Any]) -> None:
    """Answer an HTTP request, or refuse a WebSocket handshake, with a RivetKit error body."""
    reply = error_reply(HttpResponseError(**body), status)
    if scope["type"] == "websocket" and "websocket.http.response" not in scope.get(
        "extensions", {}
    ):
        await send({"type": "websocket.close", "code": 1008})  # the server answers 403 itself
        return
    prefix = "http" if scope["type"] == "http" else "websocket.http"
    start = {"type": f"{prefix}.response.start", "status": status, "headers": reply.raw_headers()}
    await send(start)
    await send({"type": f"{prefix}.response.body", "body": reply.body})
