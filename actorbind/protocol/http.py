"""Gateway HTTP and handshake rules that both sides share: conn params and error bodies.

One side writes, the other reads, with the functions of this module (tested in pairs):

- a stateless request carries the params as plain JSON in ``x-rivet-conn-params``, its
  encoding in ``x-rivet-encoding`` (none: JSON) and a token in ``x-rivet-token`` (the
  management API: ``Authorization: Bearer``);
- a WebSocket offers ``rivet``, its encoding as ``rivet_encoding.<name>`` and the params as
  ``rivet_conn_params.<urlencoded JSON>``; the server accepts ``rivet``;
- an error reply carries RivetKit's error body (``group``, ``code``, ``message``, optional
  ``metadata`` and, from an actor, ``actor``) in the request's encoding, or JSON from the
  gateway, and ``x-rivet-error: group.code``; :func:`error_reply` builds the whole reply
  (status, headers, body) for every server-side writer (the embedded server's routes, its
  admission and handshake refusals, the engine runner's tunnel).

Params are secrets: nothing here logs them or puts them in an error message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, unquote

from .codecs import Codec, JsonCodec
from .errors import MalformedMessage
from .messages import HttpResponseError

__all__ = [
    "CONN_PARAMS_HEADER",
    "CONN_PARAMS_PROTOCOL",
    "DEFAULT_ENCODING",
    "ENCODING_HEADER",
    "ENCODING_PROTOCOL",
    "ERROR_HEADER",
    "RIVET_PROTOCOL",
    "TOKEN_HEADER",
    "ErrorReply",
    "bearer_header",
    "conn_params_header",
    "conn_params_protocol",
    "error_header",
    "error_reply",
    "read_bearer",
    "read_conn_params_header",
    "read_error_body",
    "read_error_header",
    "read_subprotocols",
    "socket_protocols",
    "write_error_body",
]

CONN_PARAMS_HEADER: Final = "x-rivet-conn-params"
CONN_PARAMS_PROTOCOL: Final = "rivet_conn_params."
ENCODING_PROTOCOL: Final = "rivet_encoding."
ENCODING_HEADER: Final = "x-rivet-encoding"
DEFAULT_ENCODING: Final = "json"
"""A request without ``x-rivet-encoding`` (or a socket without ``rivet_encoding.``) is JSON."""
ERROR_HEADER: Final = "x-rivet-error"
TOKEN_HEADER: Final = "x-rivet-token"
RIVET_PROTOCOL: Final = "rivet"
# What the TS client leaves unescaped (encodeURIComponent), so both write the same bytes.
_PARAM_SAFE: Final = "-_.!~*'"

JsonLoads = Callable[[str], Any]

_JSON: Final = JsonCodec()


def conn_params_header(params: Any) -> str | None:
    """The ``x-rivet-conn-params`` value for ``params`` (``None``: send no header)."""
    if params is None:
        return None
    return json.dumps(params, separators=(",", ":"))


def read_conn_params_header(value: str, loads: JsonLoads = json.loads) -> Any:
    """The params of an ``x-rivet-conn-params`` value.

    Raises:
        ValueError: not JSON (or whatever ``loads``, e.g. a depth-limited one, refuses).
    """
    return loads(value)


def conn_params_protocol(params: Any) -> list[str]:
    """The ``rivet_conn_params.<urlencoded json>`` subprotocol, if there are params."""
    if params is None:
        return []
    text = json.dumps(params, separators=(",", ":"), ensure_ascii=False)
    return [CONN_PARAMS_PROTOCOL + quote(text, safe=_PARAM_SAFE)]


def socket_protocols(encoding: str, params: Any = None, route: Iterable[str] = ()) -> list[str]:
    """What a client's socket offers: ``rivet``, its encoding, the ``route``'s subprotocols
    (:func:`~actorbind.protocol.gateway.target_protocols`, ...) and the params, if any."""
    return [RIVET_PROTOCOL, ENCODING_PROTOCOL + encoding, *route, *conn_params_protocol(params)]


def bearer_header(token: str | None) -> dict[str, str]:
    """``authorization: Bearer <token>`` (the management API's), or nothing without a token."""
    return {"authorization": f"Bearer {token}"} if token else {}


def read_bearer(value: str) -> str | None:
    """The token of an ``Authorization`` value, if its scheme is ``Bearer`` (any case)."""
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else None


def read_subprotocols(
    offered: Iterable[str],
    loads: JsonLoads = json.loads,
    *,
    default_encoding: str = DEFAULT_ENCODING,
) -> tuple[str, Any, bool]:
    """``(encoding, params, params_ok)`` from a handshake's offered subprotocols.

    ``params_ok`` is false when a params subprotocol was there but ``loads`` refused it.
    """
    encoding = default_encoding
    params: Any = None
    ok = True
    for proto in offered:
        if proto.startswith(ENCODING_PROTOCOL):
            encoding = proto[len(ENCODING_PROTOCOL) :]
        elif proto.startswith(CONN_PARAMS_PROTOCOL):
            try:
                params = loads(unquote(proto[len(CONN_PARAMS_PROTOCOL) :]))
            except ValueError:
                ok = False
    return encoding, params, ok


def write_error_body(err: HttpResponseError, codec: Codec = _JSON) -> bytes:
    """An error reply's body in ``codec``'s encoding (its ``content_type``).

    The gateway answers JSON without ``actor``; an actor answers in the request's encoding.
    """
    return codec.encode_http_error(err)


def error_header(err: HttpResponseError) -> str:
    """The ``x-rivet-error`` value of an error reply: ``group.code``."""
    return f"{err.group}.{err.code}"


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """A whole error reply: ``status``, ``headers`` (lower-case names) and ``body``."""

    status: int
    headers: dict[str, str]
    body: bytes

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """The headers as ASGI wants them (latin-1 bytes)."""
        return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]


def error_reply(
    err: HttpResponseError, status: int, codec: Codec = _JSON, *, named: bool = True
) -> ErrorReply:
    """The reply that carries ``err``: its body in ``codec``'s encoding, ``content-type`` and
    ``content-length``, and (``named``) ``x-rivet-error: group.code``.

    The gateway's and engine's own errors are JSON and named; an actor's are in the request's
    encoding with ``actor`` set; the management API's are JSON and not named.
    """
    body = write_error_body(err, codec)
    headers = {"content-type": codec.content_type, "content-length": str(len(body))}
    if named:
        headers[ERROR_HEADER] = error_header(err)
    return ErrorReply(status, headers, body)


def read_error_body(
    body: bytes, content_type: str = "", codec: Codec = _JSON
) -> HttpResponseError | None:
    """The error an unsuccessful reply's body holds, or ``None`` if it holds none.

    JSON when ``content_type`` says so (the gateway's errors), else ``codec`` (the request's).
    """
    decoder: Codec = _JSON if "application/json" in content_type else codec
    try:
        return decoder.decode_http_error(body)
    except MalformedMessage:
        return None


def read_error_header(value: str) -> tuple[str, str] | None:
    """``(group, code)`` of an ``x-rivet-error`` value, or ``None`` if it names none."""
    group, _, code = value.partition(".")
    return (group, code) if group and code else None
