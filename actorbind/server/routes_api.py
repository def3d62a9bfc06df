"""The management API, as the Rivet Engine answers it: ``/metadata``, ``/health``, ``/actors``."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import cbor2
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actorbind._version import __version__
from actorbind.protocol import ActorKey, deserialize_key

from .errors import RivetError
from .host import ActorHost
from .limits import json_too_deep, loads_json
from .responses import json_error_response, json_response
from .storage import ActorRecord

__all__ = ["ENGINE_VERSION", "api_routes"]

ENGINE_VERSION = "2.3.19"


def _host(request: Request) -> ActorHost:
    host: ActorHost = request.app.state.host
    return host


def _namespace(request: Request) -> str:
    return request.query_params.get("namespace") or "default"


def _error(err: RivetError) -> Response:
    return json_error_response(err, named=False)


def _bad_request(message: str) -> Response:
    return _error(RivetError("api", "bad_request", message, status=400))


def actor_json(host: ActorHost, record: ActorRecord) -> dict[str, Any]:
    started = None if record.destroy_ts is not None else host.start_ts(record.actor_id)
    return {
        "actor_id": record.actor_id,
        "name": record.name,
        "key": record.serialized_key,
        "namespace_id": record.namespace,
        "datacenter": record.datacenter,
        "runner_name_selector": record.runner,
        "crash_policy": record.crash_policy,
        "create_ts": record.create_ts,
        "start_ts": started,
        "pending_allocation_ts": None,
        "connectable_ts": None if host.is_asleep(record.actor_id) else started,
        "sleep_ts": host.sleep_ts.get(record.actor_id),
        "reschedule_ts": None,
        "destroy_ts": record.destroy_ts,
    }


async def metadata(request: Request) -> Response:
    return json_response(
        {
            "runtime": "engine",
            "version": ENGINE_VERSION,
            "server": "actorbind",
            "server_version": __version__,
            "actor_names": _host(request).registry.names,
        }
    )


async def health(request: Request) -> Response:
    return json_response({"runtime": "engine", "status": "ok", "version": ENGINE_VERSION})


async def list_actors(request: Request) -> Response:
    host = _host(request)
    q = request.query_params
    namespace = _namespace(request)
    records: list[ActorRecord] = []
    if q.get("actor_ids"):
        for actor_id in q["actor_ids"].split(","):
            found = host.storage.by_id(actor_id.strip())
            if found is not None and found.namespace == namespace:
                records.append(found)
    elif q.get("name"):
        if "key" in q:
            try:
                key = deserialize_key(q["key"])
            except ValueError:
                return _bad_request("invalid key")
            hit = host.storage.by_key(namespace, q["name"], key)
            records = [] if hit is None else [hit]
        else:
            records = host.storage.by_name(namespace, q["name"])
    else:
        return _bad_request("either `actor_ids` or `name` is required")
    return json_response(
        {"actors": [actor_json(host, r) for r in records], "pagination": {"cursor": None}}
    )


def _too_large() -> Response:
    # The guard's answer to a body over its limit. ``connection: close``: the rest of the body
    # is never read, so the connection cannot carry another request.
    response = _error(
        RivetError(
            "guard",
            "invalid_request_body",
            "Unable to parse request body: length limit exceeded.",
            status=413,
        )
    )
    response.headers["connection"] = "close"
    return response


async def _limited_body(request: Request, limit: int) -> bytes | None:
    """The body, streamed; ``None`` as soon as it is over ``limit`` (the rest is never read)."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _create_options(request: Request) -> tuple[str, ActorKey, dict[str, Any]] | Response:
    host = _host(request)
    raw = await _limited_body(request, host.limits.max_api_body)
    if raw is None:
        return _too_large()
    try:
        body = loads_json(raw, host.limits.max_json_depth)
    except ValueError:
        return _bad_request("the body is not JSON")
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
        return _bad_request("`name` is required")
    if not host.allow_unknown_names and host.registry.get(body["name"]) is None:
        return _bad_request(f"no actor named {body['name']!r} in this registry")
    raw_key = body.get("key")
    if raw_key is not None and not isinstance(raw_key, str):
        return _bad_request("`key` must be a string")
    key = deserialize_key(raw_key) if raw_key else ()
    options: dict[str, Any] = {}
    raw_input = body.get("input")
    if raw_input is not None:
        try:
            decoded = base64.b64decode(raw_input, validate=True)
            if json_too_deep(cbor2.loads(decoded), host.limits.max_json_depth):
                raise ValueError("too deep")
        except (binascii.Error, ValueError, TypeError, RecursionError, cbor2.CBORDecodeError):
            return _bad_request("`input` is not base64-encoded CBOR")
        options["input"] = decoded
    for field, option in (
        ("runner_name_selector", "runner"),
        ("crash_policy", "crash_policy"),
        ("datacenter", "datacenter"),
    ):
        value = body.get(field)
        if isinstance(value, str):
            options[option] = value
    return body["name"], key, options


async def get_or_create(request: Request) -> Response:
    parsed = await _create_options(request)
    if isinstance(parsed, Response):
        return parsed
    name, key, options = parsed
    host = _host(request)
    record, created = host.get_or_create(_namespace(request), name, key, **options)
    return json_response({"actor": actor_json(host, record), "created": created})


async def create(request: Request) -> Response:
    parsed = await _create_options(request)
    if isinstance(parsed, Response):
        return parsed
    name, key, options = parsed
    host = _host(request)
    try:
        record = host.create(_namespace(request), name, key, **options)
    except RivetError as err:
        return _error(err)
    return json_response({"actor": actor_json(host, record)})


async def destroy(request: Request) -> Response:
    host = _host(request)
    record = host.storage.by_id(request.path_params["actor_id"])
    # Another namespace's actor is "not found", as a missing one.
    if record is None or record.namespace != _namespace(request):
        return _error(RivetError.actor_not_found())
    if not await host.destroy(record.actor_id):
        return _error(RivetError.actor_not_found())
    return json_response({})


async def sleep(request: Request) -> Response:
    """``POST /actors/{id}/sleep`` (JSON body): put a running actor to sleep."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        reason = "Expected request with `Content-Type: application/json`"
        return _error(
            RivetError(
                "api",
                "bad_request",
                f"Request is invalid: {reason}",
                {"reason": reason},
                status=400,
            )
        )
    host = _host(request)
    record = host.storage.by_id(request.path_params["actor_id"])
    if record is None or record.destroy_ts is not None or record.namespace != _namespace(request):
        return _error(RivetError.actor_not_found())
    await host.sleep(record.actor_id)
    return json_response({})


def api_routes() -> list[Route]:
    return [
        Route("/metadata", metadata, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/actors", list_actors, methods=["GET"]),
        Route("/actors", get_or_create, methods=["PUT"]),
        Route("/actors", create, methods=["POST"]),
        Route("/actors/{actor_id}", destroy, methods=["DELETE"]),
        Route("/actors/{actor_id}/sleep", sleep, methods=["POST"]),
    ]
