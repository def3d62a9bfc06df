"""``ActorTarget``: how one actor is addressed, the id it resolved to, and the gateway
requests sent to it.

A handle and the connections it makes share one target: the handle for its stateless calls, a
connection for its socket route on every attempt and its queue sends. Neither reaches into the
other; the target is the one place where "this actor" is decided (a name+key query, or an id
resolved through the management API and cached until the actor is gone).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx

from ..protocol.errors import ActorError, ActorNotFound
from ..protocol.http import CONN_PARAMS_HEADER, ENCODING_HEADER, conn_params_header
from ..protocol.keys import ActorKey, query_key
from ..protocol.messages import HttpQueueSendRequest
from ..protocol.retry import Retry
from ..protocol.urls import (
    GatewayRoute,
    IdTarget,
    QueryTarget,
    encode_input_query,
    gateway_route,
    gateway_url,
    to_websocket_url,
)
from ..transport import error_from_response
from .config import ClientConfig
from .context import ClientContext

__all__ = ["ActorTarget", "Method", "QueueSendResult"]

T = TypeVar("T")
Method = Literal["get", "getOrCreate", "id"]


@dataclass(frozen=True, slots=True)
class QueueSendResult:
    """The outcome of ``send(..., wait=True)``: ``status`` is ``completed`` or ``timedOut``."""

    status: str
    response: Any = None


class ActorTarget:
    """One actor's address: ``get`` / ``getOrCreate`` by name+key, or an id; no I/O until used."""

    __slots__ = (
        "_ctx",
        "_has_input",
        "_input",
        "_region",
        "_resolved",
        "_routes",
        "key",
        "method",
        "name",
    )

    def __init__(
        self,
        ctx: ClientContext,
        name: str,
        key: ActorKey,
        *,
        method: Method,
        actor_id: str | None = None,
        input: Any = None,
        has_input: bool = False,
        region: str | None = None,
    ) -> None:
        self._ctx = ctx
        self.name = name
        self.key = key
        self.method: Method = method
        self._resolved = actor_id
        self._input = input
        self._has_input = has_input
        self._region = region
        # Query routes by (path, skip): the URL is a function of this target and the config
        # alone, and building it (quoting the rvt-* query) was ~10 µs of every HTTP call.
        self._routes: dict[tuple[str, bool], tuple[ClientConfig, GatewayRoute]] = {}

    @property
    def is_query(self) -> bool:
        """Addressed by name+key: "actor gone" means "resolve again", not "give up"."""
        return self.method != "id"

    @property
    def resolved_id(self) -> str | None:
        """The id, if known without I/O (always for an id target)."""
        return self._resolved

    def forget(self) -> None:
        """The actor behind a name+key is gone: resolve again next time."""
        if self.is_query:
            self._resolved = None

    def _query(self) -> QueryTarget | None:
        if self.method == "id" or query_key(self.key) is None:
            return None
        if self.method == "getOrCreate" and self._has_input:
            if encode_input_query(self._input) is None:  # too big for a URL: go by id
                return None
        return QueryTarget(
            self.name,
            self.key,
            "getOrCreate" if self.method == "getOrCreate" else "get",
            input=self._input,
            has_input=self._has_input,
            region=self._region,
            runner=self._ctx.initial.runner,
        )

    async def address(self) -> QueryTarget | IdTarget:
        """What goes into the gateway URL."""
        # Keys the gateway would split (",", empty parts) or inputs too big for a URL go by id:
        # the official client reaches a different actor there; we resolve first instead.
        query = self._query()
        if query is not None:
            return query
        return IdTarget(await self.resolve())

    async def resolve(self) -> str:
        """The actor's id (for ``getOrCreate``: creating it if needed). Cached."""
        if self._resolved is not None:
            return self._resolved
        mgmt = self._ctx.management
        if self.method == "get":
            record = await mgmt.get_by_key(self.name, self.key)
        else:
            record, _ = await mgmt.get_or_create(
                self.name,
                self.key,
                input=self._input,
                has_input=self._has_input,
                region=self._region,
            )
        self._resolved = record.actor_id
        return record.actor_id

    async def url(self, path: str = "") -> str:
        """The gateway URL of ``path`` on this actor."""
        cfg = await self._ctx.management.config()
        return gateway_url(
            cfg.endpoint, await self.address(), path, namespace=cfg.namespace, token=cfg.token
        )

    async def route(self, cfg: ClientConfig, path: str, skip: bool) -> GatewayRoute:
        """URL, headers and subprotocols of ``path`` (``skip``: RivetKit's skipReadyWait)."""
        cached = self._routes.get((path, skip))
        if cached is not None and cached[0] is cfg:
            return cached[1]
        address = await self.address()
        route = gateway_route(
            cfg.endpoint,
            address,
            path,
            namespace=cfg.namespace,
            token=cfg.token,
            skip_ready_wait=skip,
        )
        # Not by id (the id can be forgotten and resolved again), not with an input (the
        # caller's object, encoded as it is at each call), and bounded (raw request paths).
        if isinstance(address, QueryTarget) and not self._has_input and len(self._routes) < 32:
            self._routes[path, skip] = (cfg, route)
        return route

    async def connect_route(self, skip: bool) -> GatewayRoute:
        """The ``/connect`` route, its URL already ``ws(s)://``."""
        cfg = await self._ctx.management.config()
        route = await self.route(cfg, "/connect", skip)
        return GatewayRoute(to_websocket_url(route.url), route.headers, route.subprotocols)

    # --- gateway requests -----------------------------------------------------------------

    def headers(self, cfg: ClientConfig, params: Any, content_type: str | None) -> dict[str, str]:
        headers = self._ctx.gateway_headers(cfg)
        if content_type is not None:
            headers[ENCODING_HEADER] = self._ctx.codec.name
            headers["content-type"] = content_type
        params_header = conn_params_header(params)
        if params_header is not None:
            headers[CONN_PARAMS_HEADER] = params_header
        return headers

    async def post(
        self, path: str, body: bytes, what: str, *, params: Any = None, skip: bool = False
    ) -> httpx.Response:
        """``POST`` an encoded body to ``path`` on the actor; errors raised, retried as policy."""

        async def attempt() -> httpx.Response:
            cfg = await self._ctx.management.config()
            route = await self.route(cfg, path, skip)
            headers = {**self.headers(cfg, params, self._ctx.codec.content_type), **route.headers}
            response = await self._ctx.transport.request(
                "POST", route.url, headers=headers, content=body, what=what
            )
            if response.status_code >= 400:
                raise error_from_response(response, self._ctx.codec)
            return response

        return await self.with_retries(attempt)

    async def with_retries(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Try ``attempt`` again as the client's ``retry=`` policy says: ``RETRY`` once per
        ``backoff.request_delays``; ``STALE`` resolves a name+key target again (up to 24 tries
        for ``get``, 60 for ``getOrCreate``, like RivetKit); anything else is raised."""
        ctx = self._ctx
        stale_budget = {"get": 24, "getOrCreate": 60}.get(self.method, 1)
        stale_tries = 0
        lifecycle_tries = 0
        while True:
            try:
                return await attempt()
            except ActorError as exc:
                verdict = ctx.retry(exc)
                if verdict is Retry.STALE:
                    self.forget()
                    stale_tries += 1
                    if stale_tries >= stale_budget:
                        if exc.group == "actor" and exc.code.startswith("destroyed"):
                            raise ActorNotFound("actor", "not_found", exc.message) from exc
                        raise
                    await asyncio.sleep(ctx.backoff.stale_delay)
                    continue
                delays = ctx.backoff.request_delays
                if verdict is Retry.RETRY and lifecycle_tries < len(delays):
                    await asyncio.sleep(delays[lifecycle_tries])
                    lifecycle_tries += 1
                    continue
                raise

    async def send_queue(
        self, name: str, body: Any, *, wait: bool, timeout: float | None, params: Any
    ) -> QueueSendResult | None:
        """Send ``body`` to the actor's queue ``name`` (``timeout`` in seconds)."""
        codec = self._ctx.codec
        request = HttpQueueSendRequest(
            body=body,
            name=name,
            wait=wait,
            timeout=None if timeout is None else int(timeout * 1000),
        )
        response = await self.post(
            f"/queue/{quote(name, safe='')}",
            codec.encode_queue_send(request),
            f"queue {name!r}",
            params=params,
        )
        result = codec.decode_queue_response(response.content)
        return QueueSendResult(result.status, result.response) if wait else None
