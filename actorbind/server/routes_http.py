"""Gateway HTTP: ``/action/{name}``, ``/queue/{name}``, raw ``/request/...`` and the actor's
own ``/metadata``, ``/health`` and ``/``."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from actorbind.protocol import HttpQueueSendResponse
from actorbind.protocol.errors import MalformedMessage
from actorbind.protocol.http import (
    CONN_PARAMS_HEADER,
    DEFAULT_ENCODING,
    ENCODING_HEADER,
    read_conn_params_header,
)

from .context import ActionContext, ConnContext
from .errors import RivetError, public_error
from .gateway import GatewayTarget, header_target, parse_gateway, resolve
from .host import ActorHost
from .limits import DEFAULT_LIMITS, loads_json
from .responses import actor_error_response, actor_headers, gateway_error_response, json_response
from .runtime import ActorRuntime, call_user
from .wire import server_codec

__all__ = [
    "actor_http",
    "actor_scope",
    "conn_params_header",
    "gateway_http",
    "gateway_target",
    "raw_path_of",
    "single_segment",
    "strip_prefix",
]

log = logging.getLogger("actorbind.server")

# Bodies over the limit are drained (so the client can read our answer) up to this size.
_DRAIN_LIMIT = 64 * 1024 * 1024


def raw_path_of(scope: Scope) -> str:
    raw = scope.get("raw_path")
    if isinstance(raw, bytes | bytearray):
        return bytes(raw).decode("latin-1").partition("?")[0]
    from urllib.parse import quote

    return quote(str(scope.get("path", "")))


def gateway_target(scope: Scope, *, by_header: bool) -> GatewayTarget:
    """The target of a ``/gateway/...`` URL, or of a header-routed request.

    Raises:
        RivetError: a gateway error (bad ``rvt-*`` query, missing header, no route).
    """
    raw = raw_path_of(scope)
    if by_header:
        target = header_target(scope, raw)
        assert target is not None
        return target
    return parse_gateway(raw, scope.get("query_string", b"").decode("latin-1"))


def single_segment(path: str, prefix: str) -> str | None:
    """The one path segment after ``prefix``, percent-decoded (``None`` if not that shape).

    Raises:
        RivetError: the segment is not valid UTF-8 once decoded.
    """
    if not path.startswith(prefix):
        return None
    segment = path[len(prefix) :]
    if not segment or "/" in segment:
        return None
    try:
        return unquote_to_bytes(segment).decode("utf-8")
    except UnicodeDecodeError:
        raise RivetError.bad_request() from None


def conn_params_header(scope: Scope, max_depth: int = DEFAULT_LIMITS.max_json_depth) -> Any:
    """``x-rivet-conn-params`` (plain JSON), or ``None``.

    Raises:
        RivetError: the header is not JSON, or nests deeper than ``max_depth``
            (400 ``core.internal_error``).
    """
    for name, value in scope.get("headers", []):
        if name == CONN_PARAMS_HEADER.encode():
            try:
                text = value.decode("utf-8")
                return read_conn_params_header(text, lambda t: loads_json(t, max_depth))
            except ValueError:
                raise RivetError.bad_request() from None
    return None


def _encoding(request: Request) -> str:
    enc = request.headers.get(ENCODING_HEADER, DEFAULT_ENCODING)
    return enc if server_codec(enc) is not None else DEFAULT_ENCODING


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or ``None`` if it is over ``limit`` bytes (the rest is drained)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif size > _DRAIN_LIMIT:
            break
    return None if size > limit else b"".join(chunks)


async def gateway_http(
    host: ActorHost, scope: Scope, receive: Receive, send: Send, *, by_header: bool = False
) -> None:
    """A gateway request: ``/gateway/...``, or header-routed (``x-rivet-target: actor``)."""
    try:
        target = gateway_target(scope, by_header=by_header)
        runtime = await resolve(host, target)
    except RivetError as err:
        await gateway_error_response(err)(scope, receive, send)
        return
    await actor_http(host, runtime, target, scope, receive, send)


async def actor_http(
    host: ActorHost,
    runtime: ActorRuntime,
    target: GatewayTarget,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """Serve one HTTP request to an already running actor (``target.path`` is actor-relative)."""
    # In flight from here: a sleep that starts now waits for this request.
    async with runtime.activity.working():
        response = await _dispatch(host, runtime, target, Request(scope, receive))
    await response(scope, receive, send)


async def _dispatch(
    host: ActorHost, runtime: ActorRuntime, target: GatewayTarget, request: Request
) -> Response:
    encoding = _encoding(request)
    path = target.path
    try:
        action = single_segment(path, "/action/")
        queue = single_segment(path, "/queue/") if action is None else None
    except RivetError as err:
        return actor_error_response(runtime, encoding, err)
    if action is not None or queue is not None:
        if request.method != "POST":
            not_allowed = RivetError.method_not_allowed(request.method, path)
            return actor_error_response(runtime, encoding, not_allowed)
        try:
            body = await _read_body(request, host.limits.max_incoming)
            if body is None:
                raise RivetError.incoming_too_long()
            # What ctx.request shows the connection hooks: the actor-relative path.
            seen = Request(actor_scope(request.scope, path, target.query))
            if action is not None:
                return await _action(host, runtime, seen, encoding, action, body)
            assert queue is not None
            return await _queue(host, runtime, seen, encoding, queue, body)
        except RivetError as err:
            return actor_error_response(runtime, encoding, err)
    if path in ("/metadata", "/health", "/"):
        return _framework(path, request, runtime)
    return await _raw_request(runtime, target, request)


async def _action(
    host: ActorHost,
    runtime: ActorRuntime,
    request: Request,
    encoding: str,
    name: str,
    body: bytes,
) -> Response:
    codec = server_codec(encoding)
    assert codec is not None
    try:
        args = codec.decode_action_request(body)
    except MalformedMessage:
        raise RivetError.bad_request() from None
    params = conn_params_header(request.scope, runtime.host.limits.max_json_depth)
    output = await runtime.with_http_conn(
        params, lambda conn: runtime.run_action(conn, name, args), request
    )
    try:
        data = codec.encode_action_response(output)
    except (TypeError, ValueError) as exc:
        raise public_error(exc, where=f"encoding the output of action {name!r}") from None
    if len(data) > host.limits.max_outgoing:
        raise RivetError.outgoing_too_long()
    return Response(data, 200, headers=actor_headers(runtime), media_type=codec.content_type)


async def _queue(
    host: ActorHost,
    runtime: ActorRuntime,
    request: Request,
    encoding: str,
    name: str,
    body: bytes,
) -> Response:
    codec = server_codec(encoding)
    assert codec is not None
    try:
        req = codec.decode_queue_send(body)
    except MalformedMessage:
        raise RivetError.bad_request() from None
    params = conn_params_header(request.scope, runtime.host.limits.max_json_depth)
    declared = name in runtime.cls.queue_names()

    async def check(conn: ConnContext) -> None:
        # Like RivetKit: an undeclared queue is not guarded (the message is dropped anyway).
        if declared:
            await runtime.check_guard("can_publish", conn, name)

    # Like RivetKit, the sender gets a short-lived connection (hooks run, params checked).
    await runtime.with_http_conn(params, check, request)
    try:
        status, response = await runtime.queue.send(
            name, req.body, wait=bool(req.wait), timeout_ms=req.timeout
        )
    except (TypeError, ValueError) as exc:
        raise public_error(exc, where=f"queue {name!r}") from None
    except RivetError:
        raise
    except Exception as exc:
        raise public_error(exc, where=f"queue {name!r}") from None
    data = codec.encode_queue_response(HttpQueueSendResponse(status, response))
    if len(data) > host.limits.max_outgoing:
        raise RivetError.outgoing_too_long()
    return Response(data, 200, headers=actor_headers(runtime), media_type=codec.content_type)


def _framework(path: str, request: Request, runtime: ActorRuntime) -> Response:
    if request.method != "GET":
        err = RivetError.method_not_allowed(request.method, path)
        return actor_error_response(runtime, _encoding(request), err)
    if path == "/metadata":
        return json_response({"runtime": "rivetkit", "version": "2.3.19", "type": "local"})
    if path == "/health":
        return PlainTextResponse("ok")
    return PlainTextResponse("This is an RivetKit actor.\n\nLearn more at https://rivetkit.org")


def actor_scope(scope: Scope, path: str, query: str) -> Scope:
    inner = dict(scope)
    # Like RivetKit, the actor sees the path with its escapes kept (``/a%2Fb``).
    inner["path"] = path
    inner["raw_path"] = path.encode("latin-1", "replace")
    inner["query_string"] = query.encode("latin-1", "replace")
    inner["root_path"] = ""
    return inner


def strip_prefix(path: str, prefix: str) -> str | None:
    """``/request/x`` -> ``/x`` (``/request`` -> ``/``); ``None`` if not under ``prefix``."""
    if path == prefix:
        return "/"
    if path.startswith(prefix + "/"):
        return path[len(prefix) :]
    return None


async def _raw_request(runtime: ActorRuntime, target: GatewayTarget, request: Request) -> Response:
    handler = getattr(runtime.instance, "on_request", None)
    encoding = _encoding(request)
    if handler is None:
        # RivetKit answers an empty 404 (with the actor headers) when there is no handler.
        return Response(b"", 404, headers=actor_headers(runtime))
    path = strip_prefix(target.path, "/request") or target.path
    inner = Request(actor_scope(request.scope, path, target.query), request.receive)
    try:
        params = conn_params_header(request.scope, runtime.host.limits.max_json_depth)

        async def run(conn: Any) -> Any:
            return await call_user(handler, ActionContext(runtime, conn), inner)

        response = await runtime.with_http_conn(params, run, inner)
    except RivetError as err:
        return actor_error_response(runtime, encoding, err)
    if not isinstance(response, Response):
        log.error(
            "actor %s: on_request returned %s, not a Response",
            runtime.record.name,
            type(response).__name__,
        )
        return actor_error_response(runtime, encoding, RivetError.internal())
    # Like RivetKit, the actor's own response carries the actor headers too.
    for name, value in actor_headers(runtime).items():
        response.headers.setdefault(name, value)
    return response
