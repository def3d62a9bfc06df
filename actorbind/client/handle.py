"""``ActorHandle``: a lazy reference to one actor; stateless actions over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar, cast
from urllib.parse import quote

import httpx
from websockets.asyncio.client import ClientConnection

from ..protocol.errors import ConnDisposed
from ..protocol.http import socket_protocols
from ..protocol.keys import ActorKey
from ..protocol.urls import to_websocket_url
from ..transport import error_from_response
from .conn import ActorConn
from .context import ClientContext
from .params import ParamsProvider
from .target import ActorTarget, Method, QueueSendResult

__all__ = ["ActorHandle", "ParamsProvider", "QueueSendResult"]

T = TypeVar("T")


class ActorHandle:
    """A reference to one actor. Creating it does no I/O; each call addresses the actor.

    Actions: ``await handle.action("increment", 5)`` or ``await handle.increment(5)``.
    """

    __slots__ = ("_ctx", "_params", "_target")

    def __init__(
        self,
        ctx: ClientContext,
        name: str,
        key: ActorKey,
        *,
        method: Method,
        actor_id: str | None = None,
        params: Any = None,
        input: Any = None,
        has_input: bool = False,
        region: str | None = None,
    ) -> None:
        self._ctx = ctx
        self._params = params
        self._target = ActorTarget(
            ctx,
            name,
            key,
            method=method,
            actor_id=actor_id,
            input=input,
            has_input=has_input,
            region=region,
        )

    def __repr__(self) -> str:
        t = self._target
        return f"ActorHandle(name={t.name!r}, key={list(t.key)!r}, method={t.method!r})"

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        if name.startswith("_"):
            raise AttributeError(name)
        return partial(self.action, name)

    @property
    def name(self) -> str:
        """The actor's name (its type in the registry)."""
        return self._target.name

    @property
    def key(self) -> ActorKey:
        """The actor's key, as a tuple of strings."""
        return self._target.key

    @property
    def params(self) -> Any:
        """The connection params sent with every call and connection."""
        return self._params

    def typed(self, protocol: Callable[..., T]) -> T:
        """This handle, typed as ``protocol`` (a ``typing.Protocol`` of async actions)."""
        return cast(T, self)

    # --- addressing -------------------------------------------------------------------

    async def resolve(self) -> str:
        """The actor's id (for ``get_or_create`` handles: creating it if needed). Cached."""
        return await self._target.resolve()

    async def url(self, path: str = "") -> str:
        """The gateway URL of ``path`` on this actor (``gateway_url`` in upstream)."""
        return await self._target.url(path)

    async def gateway_url(self) -> str:
        """The actor's gateway URL with an empty path, like ``getGatewayUrl()``."""
        return await self.url("")

    def _skip(self, override: bool | None) -> bool:
        return self._ctx.initial.skip_ready_wait if override is None else override

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
        response = await self._target.post(
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
        return await self._target.send_queue(
            name, body, wait=wait, timeout=timeout, params=self._params
        )

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
        target = self._target

        async def attempt() -> httpx.Response:
            cfg = await self._ctx.management.config()
            route = await target.route(cfg, "/request" + path, skip)
            hdrs = {**target.headers(cfg, self._params, None), **(headers or {}), **route.headers}
            response = await self._ctx.transport.request(
                method, route.url, headers=hdrs, content=data, what="raw request"
            )
            if response.status_code >= 400 and "x-rivet-error" in response.headers:
                raise error_from_response(response, self._ctx.codec)
            return response

        return await target.with_retries(attempt)

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
        route = await self._target.route(cfg, "/websocket" + path, self._skip(skip_ready_wait))
        protocols = socket_protocols("bare", self._params, route.subprotocols)
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
        if self._ctx.disposed:
            raise ConnDisposed("the client was disposed")
        return ActorConn(
            self._ctx,
            self._target,
            self,
            self._params if params is None else params,
            get_params,
            skip_ready_wait=self._skip(skip_ready_wait),
        )
