"""The management API, as the Rivet Engine answers it: ``/metadata``, ``/health``, ``/actors``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actorbind._version import __version__
from actorbind.protocol.management import (
    BadApiRequest,
    CreateRequest,
    actor_list_reply,
    actor_object,
    create_reply,
    get_or_create_reply,
    metadata_reply,
    read_create_body,
    read_list_query,
    read_namespace,
)

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
    return read_namespace(request.query_params)


def _error(err: RivetError) -> Response:
    return json_error_response(err, named=False)


def _bad_request(message: str) -> Response:
    return _error(RivetError("api", "bad_request", message, status=400))


def actor_json(host: ActorHost, record: ActorRecord) -> dict[str, Any]:
    started = None if record.destroy_ts is not None else host.start_ts(record.actor_id)
    return actor_object(
        actor_id=record.actor_id,
        name=record.name,
        key=record.key,
        namespace=record.namespace,
        datacenter=record.datacenter,
        runner=record.runner,
        crash_policy=record.crash_policy,
        create_ts=record.create_ts,
        start_ts=started,
        connectable_ts=None if host.is_asleep(record.actor_id) else started,
        sleep_ts=host.sleep_ts.get(record.actor_id),
        destroy_ts=record.destroy_ts,
    )


async def metadata(request: Request) -> Response:
    return json_response(
        metadata_reply(
            ENGINE_VERSION,
            server="actorbind",
            server_version=__version__,
            actor_names=_host(request).registry.names,
        )
    )


async def health(request: Request) -> Response:
    return json_response({"runtime": "engine", "status": "ok", "version": ENGINE_VERSION})


async def list_actors(request: Request) -> Response:
    host = _host(request)
    namespace = _namespace(request)
    try:
        query = read_list_query(request.query_params)
    except BadApiRequest as exc:
        return _bad_request(str(exc))
    records: list[ActorRecord] = []
    if query.actor_ids:
        for actor_id in query.actor_ids:
            found = host.storage.by_id(actor_id)
            if found is not None and found.namespace == namespace:
                records.append(found)
    elif query.key is not None:
        assert query.name is not None
        hit = host.storage.by_key(namespace, query.name, query.key)
        records = [] if hit is None else [hit]
    else:
        assert query.name is not None
        records = host.storage.by_name(namespace, query.name)
    return json_response(actor_list_reply([actor_json(host, r) for r in records]))


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


async def _create_options(request: Request) -> tuple[CreateRequest, dict[str, Any]] | Response:
    host = _host(request)
    raw = await _limited_body(request, host.limits.max_api_body)
    if raw is None:
        return _too_large()
    try:
        body = loads_json(raw, host.limits.max_json_depth)
    except ValueError:
        return _bad_request("the body is not JSON")
    try:
        parsed = read_create_body(body, lambda v: json_too_deep(v, host.limits.max_json_depth))
    except BadApiRequest as exc:
        return _bad_request(str(exc))
    if not host.allow_unknown_names and host.registry.get(parsed.name) is None:
        return _bad_request(f"no actor named {parsed.name!r} in this registry")
    options: dict[str, Any] = {
        option: value
        for option, value in (
            ("input", parsed.input),
            ("runner", parsed.runner),
            ("crash_policy", parsed.crash_policy),
            ("datacenter", parsed.datacenter),
        )
        if value is not None
    }
    return parsed, options


async def get_or_create(request: Request) -> Response:
    parsed = await _create_options(request)
    if isinstance(parsed, Response):
        return parsed
    wanted, options = parsed
    host = _host(request)
    record, created = host.get_or_create(_namespace(request), wanted.name, wanted.key, **options)
    return json_response(get_or_create_reply(actor_json(host, record), created))


async def create(request: Request) -> Response:
    parsed = await _create_options(request)
    if isinstance(parsed, Response):
        return parsed
    wanted, options = parsed
    host = _host(request)
    try:
        record = host.create(_namespace(request), wanted.name, wanted.key, **options)
    except RivetError as err:
        return _error(err)
    return json_response(create_reply(actor_json(host, record)))


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
