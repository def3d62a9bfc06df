"""``ActorHandle``: a lazy reference to one actor; stateless actions over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast
from urllib.parse import quote

import httpx
from websockets.asyncio.client import ClientConnection

from ..protocol.errors import ActorError, ActorNotFound, ConnDisposed
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
from .params import ParamsProvider, conn_params_protocol

if TYPE_CHECKING:
    from .conn import ActorConn

__all__ = ["ActorHandle", "ParamsProvider", "QueueSendResult"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class QueueSendResult:
    """The outcome of ``send(..., wait=True)``: ``status`` is ``completed`` or ``timedOut``."""

    status: str
    response: Any = None


class ActorHandle:
    """A reference to one actor. Creating it does no I/O; each call addresses the actor.

    Actions: ``await handle.action("increment", 5)`` or ``await handle.increment(5)``.
    """

    __slots__ = (
        "_ctx",
        "_has_input",
        "_input",
        "_key",
        "_method",
        "_name",
        "_params",
        "_region",
        "_resolved",
    )

    def __init__(
        self,
        ctx: ClientContext,
        name: str,
        key: ActorKey,
        *,
        method: Literal["get", "getOrCreate", "id"],
        actor_id: str | None = None,
        params: Any = None,
        input: Any = None,
        has_input: bool = False,
        region: str | None = None,
    ) -> None:
        self._ctx = ctx
        self._name = name
        self._key = key
        self._method = method
        self._resolved = actor_id
        self._params = params
        self._input = input
        self._has_input = has_input
        self._region = region

    def __repr__(self) -> str:
        return f"ActorHandle(name={self._name!r}, key={list(self._key)!r}, method={self._method!r})"

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        if name.startswith("_"):
            raise AttributeError(name)
        return partial(self.action, name)

    @property
    def name(self) -> str:
        """The actor's name (its type in the registry)."""
        return self._name

    @property
    def key(self) -> ActorKey:
        """The actor's key, as a tuple of strings."""
        return self._key

    @property
    def params(self) -> Any:
        """The connection params sent with every call and connection."""
        return self._params

    def typed(self, protocol: Callable[..., T]) -> T:
        """This handle, typed as ``protocol`` (a ``typing.Protocol`` of async actions)."""
        return cast(T, self)

    # --- addressing -------------------------------------------------------------------

    def _query_target(self) -> QueryTarget | None:
        if self._method == "id" or query_key(self._key) is None:
            return None
        if (
            self._method == "getOrCreate"
            and self._has_input
            and encode_input_query(self._input) is None
        ):
            return None
        return QueryTarget(
            self._name,
            self._key,
            "getOrCreate" if self._method == "getOrCreate" else "get",
            input=self._input,
            has_input=self._has_input,
            region=self._region,
            runner=self._ctx.initial.runner,
        )

    async def _target(self) -> QueryTarget | IdTarget:
        # Keys the gateway would split (",", empty parts) or inputs too big for a URL go by id:
        # the official client reaches a different actor there; we resolve first instead.
        query = self._query_target()
        if query is not None:
            return query
        return IdTarget(await self.resolve())

    async def resolve(self) -> str:
        """The actor's id (for ``get_or_create`` handles: creating it if needed). Cached."""
        if self._resolved is not None:
            return self._resolved
        mgmt = self._ctx.management
        if self._method == "get":
            record = await mgmt.get_by_key(self._name, self._key)
        else:
            record, _ = await mgmt.get_or_create(
                self._name,
                self._key,
                input=self._input,
                has_input=self._has_input,
                region=self._region,
            )
        self._resolved = record.actor_id
        return record.actor_id

    async def url(self, path: str = "") -> str:
        """The gateway URL of ``path`` on this actor (``gateway_url`` in upstream)."""
        cfg = await self._ctx.management.config()
        return gateway_url(
            cfg.endpoint, await self._target(), path, namespace=cfg.namespace, token=cfg.token
        )

    async def gateway_url(self) -> str:
        """The actor's gateway URL with an empty path, like ``getGatewayUrl()``."""
        return await self.url("")

    def _skip(self, override: bool | None) -> bool:
        return self._ctx.initial.skip_ready_wait if override is None else override

    async def _route(self, cfg: ClientConfig, path: str, skip: bool) -> GatewayRoute:
        return gateway_route(
            cfg.endpoint,
            await self._target(),
            path,
            namespace=cfg.namespace,
            token=cfg.token,
            skip_ready_wait=skip,
        )

    # --- HTTP -------------------------------------------------------------------------

    def _headers(self, cfg: ClientConfig, params: Any, content_type: str | None) -> dict[str, str]:
        headers = self._ctx.gateway_headers(cfg)
        if content_type is not None:
            headers["x-rivet-encoding"] = self._ctx.codec.name
            headers["content-type"] = content_type
        if params is not None:
            headers["x-rivet-conn-params"] = json.dumps(params, separators=(",", ":"))
        return headers

    async def _post(
        self, path: str, body: bytes, what: str, *, params: Any = None, skip: bool = False
    ) -> httpx.Response:
        async def attempt() -> httpx.Response:
            cfg = await self._ctx.management.config()
            route = await self._route(cfg, path, skip)
            headers = {**self._headers(cfg, params, self._ctx.codec.content_type), **route.headers}
            response = await self._ctx.transport.request(
                "POST", route.url, headers=headers, content=body, what=what
            )
            if response.status_code >= 400:
                raise error_from_response(response, self._ctx.codec)
            return response

        return await self._with_retries(attempt)

    async def _with_retries(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Try ``attempt`` again as :func:`~actorbind.protocol.classify` (or the client's
        ``retry=``) says: ``RETRY`` once per ``backoff.request_delays``; ``STALE`` re-resolves a
        name+key handle (up to 24 tries for ``get``, 60 for ``get_or_create``, like RivetKit);
        anything else is raised."""
        ctx = self._ctx
        stale_budget = {"get": 24, "getOrCreate": 60}.get(self._method, 1)
        stale_tries = 0
        lifecycle_tries = 0
        while True:
            try:
                return await attempt()
            except ActorError as exc:
                verdict = ctx.retry(exc)
                if verdict is Retry.STALE:
                    if self._method != "id":
                        self._resolved = None  # re-resolve a name+key handle
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

    async def action(self, name: str, *args: Any, skip_ready_wait: bool | None = None) -> Any:
        """Call an action over HTTP (a fresh, throwaway connection on the actor side).

        ``skip_ready_wait=True`` asks the gateway not to wait for the actor to be ready
        (RivetKit's ``skipReadyWait``; ``None``: the client's default).

        Raises:
            ActorError: the actor (or gateway) answered with an error.
            OutcomeUnknown: the request was sent, then the call failed (connection lost,
                deadline, reply over a limit): it may have been applied; never sent again.
            TransportError: the network failed before anything was sent.
            TypeError, ValueError: the args cannot be encoded.
        """
        codec = self._ctx.codec
        body = codec.encode_action_request(list(args))
        response = await self._post(
            f"/action/{quote(name, safe='')}",
            body,
            f"action {name!r}",
            params=self._params,
            skip=self._skip(skip_ready_wait),
        )
        return codec.decode_action_response(response.content)

    async def send(
        self, name: str, body: Any = None, *, wait: bool = False, timeout: float | None = None
    ) -> QueueSendResult | None:
        """Send a message to the actor's queue ``name``.

        With ``wait=True`` returns the handler's :class:`QueueSendResult`; ``timeout`` is in
        seconds.
        """
        return await self._send_queue(name, body, wait=wait, timeout=timeout, params=self._params)

    async def _send_queue(
        self, name: str, body: Any, *, wait: bool, timeout: float | None, params: Any
    ) -> QueueSendResult | None:
        codec = self._ctx.codec
        request = HttpQueueSendRequest(
            body=body,
            name=name,
            wait=wait,
            timeout=None if timeout is None else int(timeout * 1000),
        )
        response = await self._post(
            f"/queue/{quote(name, safe='')}",
            codec.encode_queue_send(request),
            f"queue {name!r}",
            params=params,
        )
        result = codec.decode_queue_response(response.content)
        return QueueSendResult(result.status, result.response) if wait else None

    async def fetch(
        self,
        path: str = "/",
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        content: bytes | str | None = None,
        skip_ready_wait: bool | None = None,
    ) -> httpx.Response:
        """A raw HTTP request to the actor's ``on_request`` handler (``/request/<path>``).

        A ``#fragment`` in ``path`` is dropped, as a browser's ``fetch`` does.
        """
        if not path.startswith("/"):
            path = "/" + path
        data = content.encode() if isinstance(content, str) else content
        skip = self._skip(skip_ready_wait)

        async def attempt() -> httpx.Response:
            cfg = await self._ctx.management.config()
            route = await self._route(cfg, "/request" + path, skip)
            hdrs = {**self._headers(cfg, self._params, None), **(headers or {}), **route.headers}
            response = await self._ctx.transport.request(
                method, route.url, headers=hdrs, content=data, what="raw request"
            )
            if response.status_code >= 400 and "x-rivet-error" in response.headers:
                raise error_from_response(response, self._ctx.codec)
            return response

        return await self._with_retries(attempt)

    async def websocket(
        self, path: str = "", *, skip_ready_wait: bool | None = None
    ) -> ClientConnection:
        """Open a raw WebSocket to the actor's ``on_websocket`` handler (``/websocket/<path>``).

        The caller owns it (``async with await handle.websocket() as ws``); the client's
        ``dispose()`` does not track it, as upstream. A ``#fragment`` in ``path`` is dropped.
        """
        if path and not path.startswith("/"):
            path = "/" + path
        cfg = await self._ctx.management.config()
        route = await self._route(cfg, "/websocket" + path, self._skip(skip_ready_wait))
        protocols = [
            "rivet",
            "rivet_encoding.bare",
            *route.subprotocols,
            *conn_params_protocol(self._params),
        ]
        return await self._ctx.transport.open_websocket(
            to_websocket_url(route.url),
            protocols,
            max_size=cfg.max_incoming_message_size,
            what="raw websocket",
        )

    # --- connections ------------------------------------------------------------------

    def connect(
        self,
        params: Any = None,
        *,
        get_params: ParamsProvider | None = None,
        skip_ready_wait: bool | None = None,
    ) -> ActorConn:
        """Open a persistent connection; it starts connecting at once (needs a running loop).

        ``params`` overrides the handle's params; ``get_params`` is called before every
        attempt (fresh tokens on reconnect). ``skip_ready_wait`` as for :meth:`action`.
        """
        from .conn import ActorConn

        if self._ctx.disposed:
            raise ConnDisposed("the client was disposed")
        conn = ActorConn(
            self,
            self._params if params is None else params,
            get_params,
            skip_ready_wait=self._skip(skip_ready_wait),
        )
        self._ctx.conns.add(conn)
        conn._start()
        return conn

    # Used by ActorConn.
    @property
    def _context(self) -> ClientContext:
        return self._ctx

    @property
    def _is_query(self) -> bool:
        return self._method != "id"

    async def _connect_route(self, skip: bool) -> GatewayRoute:
        """The ``/connect`` route, its URL already ``ws(s)://``."""
        cfg = await self._ctx.management.config()
        route = await self._route(cfg, "/connect", skip)
        return GatewayRoute(to_websocket_url(route.url), route.headers, route.subprotocols)

    def _forget_resolution(self) -> None:
        if self._method != "id":
            self._resolved = None
