"""Response helpers shared by the HTTP and WebSocket routes."""

from __future__ import annotations

import json
import secrets
from typing import Any

from starlette.responses import Response

from actorbind.protocol import HttpResponseError

from .errors import RivetError
from .runtime import ActorRuntime
from .wire import server_codec

__all__ = [
    "actor_error_response",
    "actor_headers",
    "gateway_error_response",
    "json_response",
    "ray_id",
]


def ray_id() -> str:
    return secrets.token_hex(15)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return Response(data, status, headers=headers, media_type="application/json")


def gateway_error_response(err: RivetError) -> Response:
    """A gateway-level error: always JSON, ``x-rivet-error: group.code``, no ``actor``."""
    body: dict[str, Any] = {"group": err.group, "code": err.code, "message": err.message}
    if err.metadata is not None:
        body["metadata"] = err.metadata
    return json_response(body, err.status, {"x-rivet-error": err.reason})


def actor_headers(runtime: ActorRuntime) -> dict[str, str]:
    record = runtime.record
    key = record.serialized_key if record.key else ""
    return {
        "x-rivet-actor": record.actor_id,
        # Header values go out as latin-1; this makes a non-ASCII key travel as UTF-8 bytes.
        "x-rivet-actor-key": key.encode("utf-8").decode("latin-1"),
        "x-rivet-actor-generation": str(runtime.generation),
    }


def actor_error_response(runtime: ActorRuntime, encoding: str, err: RivetError) -> Response:
    """An actor-level error in the request's encoding, with ``actor: {actorId, ...}``."""
    codec = server_codec(encoding)
    assert codec is not None
    body = codec.encode_http_error(
        HttpResponseError(err.group, err.code, err.message, err.metadata, runtime.specifier)
    )
    return Response(body, err.status, headers=actor_headers(runtime), media_type=codec.content_type)
