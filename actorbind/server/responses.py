"""Response helpers shared by the HTTP and WebSocket routes."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any, Final

from starlette.responses import Response

from actorbind.protocol.http import ErrorReply, error_reply

from .errors import RivetError
from .runtime import ActorRuntime
from .wire import server_codec

__all__ = [
    "actor_error_response",
    "actor_headers",
    "gateway_error_response",
    "json_error_response",
    "json_response",
    "ray_id",
]


def ray_id() -> str:
    return secrets.token_hex(15)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return Response(data, status, headers=headers, media_type="application/json")


def json_error_response(err: RivetError, *, named: bool = True) -> Response:
    """An error as JSON without ``actor``; ``named`` adds ``x-rivet-error: group.code``
    (the gateway's replies have it, the management API's do not)."""
    return _response(error_reply(err.wire(), err.status, named=named))


def _response(reply: ErrorReply, extra: dict[str, str] | None = None) -> Response:
    return Response(reply.body, reply.status, headers={**(extra or {}), **reply.headers})


def gateway_error_response(err: RivetError) -> Response:
    """A gateway-level error: always JSON, ``x-rivet-error: group.code``, no ``actor``."""
    return json_error_response(err)


# A valid HTTP field value (RFC 9110 field-value, as latin-1 text): visible characters and
# obs-text, inner spaces and tabs, no control characters, no leading or trailing whitespace.
_VCHAR: Final = r"[\x21-\x7e\x80-\xff]"
_FIELD_VALUE: Final = re.compile(rf"(?:{_VCHAR}(?:[\x20-\x7e\x80-\xff\t]*{_VCHAR})?)?")


def actor_headers(runtime: ActorRuntime) -> dict[str, str]:
    """``x-rivet-actor*`` headers. Like RivetKit, the key header is left out when the key
    cannot be a header value (RivetKit: a ``\r`` or ``\n``; here any control character or
    edge whitespace), so any key keeps its replies intact."""
    record = runtime.record
    headers = {
        "x-rivet-actor": record.actor_id,
        "x-rivet-actor-generation": str(runtime.generation),
    }
    # Header values go out as latin-1; this makes a non-ASCII key travel as UTF-8 bytes.
    key = (record.serialized_key if record.key else "").encode("utf-8").decode("latin-1")
    if _FIELD_VALUE.fullmatch(key):
        headers["x-rivet-actor-key"] = key
    return headers


def actor_error_response(runtime: ActorRuntime, encoding: str, err: RivetError) -> Response:
    """An actor-level error in the request's encoding, with ``actor: {actorId, ...}``."""
    codec = server_codec(encoding)
    assert codec is not None
    reply = error_reply(err.wire(runtime.specifier), err.status, codec, named=False)
    return _response(reply, actor_headers(runtime))
