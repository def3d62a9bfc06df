"""The gateway: ``/gateway/{actorId}[@token]/...`` and ``/gateway/{name}/...?rvt-*``.

Parses the target the way the Rivet Engine's guard does (``rvt-*`` params,
``deny_unknown_fields``), with :mod:`actorbind.protocol.gateway`, which also builds them for
the client; then finds, creates or wakes the actor. Gateway-level errors are
:class:`RivetError`; they go out as JSON with an ``x-rivet-error`` header.
"""

from __future__ import annotations

from starlette.types import Scope

from actorbind.protocol.gateway import (
    ACTOR_HEADER,
    GatewayAddress,
    GatewayQueryError,
    RoutedTarget,
    parse_gateway_address,
    read_target_headers,
    read_target_protocols,
)

from .errors import RivetError
from .host import ActorHost
from .limits import DEFAULT_LIMITS, json_too_deep
from .runtime import ActorRuntime

__all__ = ["GatewayTarget", "header_target", "parse_gateway", "resolve", "scope_target"]


GatewayTarget = GatewayAddress
"""Where a gateway request goes, and the path/query the actor sees (the protocol's parse)."""


def _invalid(detail: str) -> RivetError:
    return RivetError(
        "guard",
        "query_invalid_params",
        f"invalid query gateway params: {detail}",
        {"detail": detail},
        status=400,
    )


def parse_gateway(raw_path: str, query_string: str) -> GatewayTarget:
    """Parse a gateway path (still percent-encoded) and its query string
    (:func:`~actorbind.protocol.gateway.parse_gateway_address`), with the server's depth limit
    on ``rvt-input``.

    Raises:
        RivetError: ``guard.no_route`` (404) without a target, ``guard.query_invalid_params``
            (400) for a bad query URL.
    """
    try:
        address = parse_gateway_address(
            raw_path, query_string, lambda v: json_too_deep(v, DEFAULT_LIMITS.max_json_depth)
        )
    except GatewayQueryError as exc:
        if exc.no_route:
            raise RivetError("guard", "no_route", "No route found", status=404) from None
        raise _invalid(exc.detail) from None
    return address


def _no_route(scope: Scope, path: str) -> RivetError:
    hostname = ""
    for name, value in scope.get("headers", []):
        if name == b"host":
            hostname = value.decode("latin-1").rpartition(":")[0] or value.decode("latin-1")
    return RivetError(
        "guard",
        "no_route",
        f"No route found for hostname {hostname}, path {path}.",
        {"host": hostname, "path": path},
        status=404,
    )


def header_target(scope: Scope, raw_path: str) -> GatewayTarget | None:
    """The target of a header-routed request, as the engine's guard reads it; ``None`` if the
    request does not ask for header routing.

    HTTP: ``x-rivet-target: actor`` and ``x-rivet-actor: {id}`` (only raw ``/request`` paths
    reach the actor, as on the engine). WebSocket: the subprotocols ``rivet_target.actor`` and
    ``rivet_actor.{id}``. The path and query go to the actor unchanged.

    Raises:
        RivetError: ``guard.missing_header`` (400) without an actor id, ``guard.no_route``
            (404) for another target or path.
    """
    routed = scope_target(scope)
    if routed is None:
        return None
    if not routed.is_actor:
        raise _no_route(scope, raw_path)
    if routed.actor_id is None:
        header = ACTOR_HEADER
        raise RivetError(
            "guard",
            "missing_header",
            f"Missing {header} header.",
            {"header": header},
            status=400,
        )
    if scope["type"] == "http" and raw_path != "/request" and not raw_path.startswith("/request/"):
        raise _no_route(scope, raw_path)
    query = scope.get("query_string", b"").decode("latin-1")
    return GatewayTarget(path=raw_path, query=query, actor_id=routed.actor_id)


def scope_target(scope: Scope) -> RoutedTarget | None:
    """What an ASGI request names in its headers (HTTP) or subprotocols (WebSocket), read by
    :mod:`actorbind.protocol.gateway`; ``None``: it asks for no header routing."""
    if scope["type"] == "websocket":
        return read_target_protocols(scope.get("subprotocols", []))
    return read_target_headers(
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in scope.get("headers", [])
    )


async def resolve(host: ActorHost, target: GatewayTarget) -> ActorRuntime:
    """Find (or create) and wake the target actor.

    Raises:
        RivetError: ``actor.not_found`` (404), ``core.internal_error`` (500, an id that never
            existed), ``guard.actor_wake_retries_exceeded`` (503, a name nobody serves).
    """
    if target.actor_id is not None:
        record = host.storage.by_id(target.actor_id)
        if record is None:
            raise RivetError.internal("core")
        if record.destroy_ts is not None:
            raise RivetError.actor_not_found()
    else:
        assert target.name is not None
        if target.method == "get":
            found = host.storage.by_key(target.namespace, target.name, target.key)
            if found is None:
                raise RivetError.actor_not_found()
            record = found
        else:
            if not host.allow_unknown_names and host.registry.get(target.name) is None:
                raise RivetError(
                    "guard",
                    "actor_wake_retries_exceeded",
                    f"No actor named {target.name!r} in this registry.",
                    {"reason": "actor_stopped_before_ready"},
                    status=503,
                )
            record, _ = host.get_or_create(
                target.namespace,
                target.name,
                target.key,
                input=target.input,
                runner=target.runner,
                crash_policy=target.crash_policy,
                datacenter=target.region,
            )
    return await host.wake(record)
