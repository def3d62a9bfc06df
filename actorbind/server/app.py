"""The ASGI application: management API at the root, actors under ``/gateway/``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from .admission import Admission
from .gateway import scope_target
from .host import ActorHost
from .limits import Limits
from .logs import redacted_logs
from .registry import Registry
from .routes_api import api_routes
from .routes_http import gateway_http
from .routes_ws import gateway_websocket
from .storage import Storage

__all__ = ["create_app", "resolve_limits"]


class _HeaderRouting:
    """Requests outside ``/gateway`` that name their actor in headers (``x-rivet-target:
    actor``) or subprotocols (``rivet_target.actor``) go to the gateway, as on the engine."""

    def __init__(self, app: ASGIApp, host: ActorHost) -> None:
        self.app = app
        self.host = host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("path", "").startswith("/gateway/"):
            # A gateway path routes by its path even with the headers (RivetKit's client sends
            # both for skipReadyWait actions by id; the engine answers them).
            await self.app(scope, receive, send)
        elif scope["type"] in ("http", "websocket") and scope_target(scope) is not None:
            if scope["type"] == "http":
                await gateway_http(self.host, scope, receive, send, by_header=True)
            else:
                await gateway_websocket(self.host, scope, receive, send, by_header=True)
        else:
            await self.app(scope, receive, send)


class _Gateway:
    def __init__(self, host: ActorHost) -> None:
        self.host = host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await gateway_http(self.host, scope, receive, send)
        elif scope["type"] == "websocket":
            await gateway_websocket(self.host, scope, receive, send)


def create_app(
    registry: Registry,
    *,
    data: str | Path | None = None,
    max_incoming: int | None = None,
    max_outgoing: int | None = None,
    limits: Limits | None = None,
    token: str | None = None,
    allow_unknown_names: bool = False,
    client: Callable[[str], Any] | None = None,
    endpoint: str | None = None,
) -> Starlette:
    """The server as an ASGI app (run it with any ASGI server, or use :func:`serve`).

    Args:
        registry: the actors to host.
        data: the SQLite file for durable state; ``None`` or ``":memory:"`` keeps it in memory.
        max_incoming: largest HTTP body / WebSocket message accepted, in bytes (default
            ``limits.max_incoming``).
        max_outgoing: largest response / message sent, in bytes (default
            ``limits.max_outgoing``).
        limits: every other limit and timeout (:class:`Limits`; defaults in docs/server.md).
        token: if set, required on the management API and the gateway (see docs/server.md).
        allow_unknown_names: create actors whose name the registry does not serve.
        client: makes the client of ``ctx.client()`` from this server's endpoint, e.g.
            ``actorbind.create_client``; injected so the server never imports the client.
        endpoint: this server's own URL for ``client`` (``serve`` fills it in).
    """
    if not isinstance(registry, Registry):
        raise TypeError(f"create_app takes a Registry, got {type(registry).__name__}")
    if token is not None and not token:
        raise ValueError("token must not be empty")
    limits = resolve_limits(limits, max_incoming, max_outgoing)
    storage = Storage(":memory:" if data is None else data)
    host = ActorHost(registry, storage, limits, allow_unknown_names=allow_unknown_names)
    host.client_factory = client
    host.endpoint = endpoint

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        host.alarms.load()  # calls scheduled by an earlier run wake their actors
        # Under any ASGI server (uvicorn's access log included), not only serve().
        with redacted_logs():
            try:
                yield
            finally:
                await host.shutdown()
                storage.close()

    app = Starlette(
        routes=[*api_routes(), Mount("/gateway", app=_Gateway(host))],
        middleware=[
            Middleware(Admission, limits=limits, token=token),
            Middleware(_HeaderRouting, host=host),
        ],
        lifespan=lifespan,
    )
    app.state.host = host
    return app


def resolve_limits(
    limits: Limits | None, max_incoming: int | None, max_outgoing: int | None
) -> Limits:
    """``limits`` (or the defaults) with the two message limits given on their own applied."""
    base = limits or Limits()
    return replace(
        base,
        max_incoming=base.max_incoming if max_incoming is None else max_incoming,
        max_outgoing=base.max_outgoing if max_outgoing is None else max_outgoing,
    )
