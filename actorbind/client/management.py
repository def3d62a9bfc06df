"""The engine's management API (``/metadata``, ``/actors``) and the metadata redirect."""

from __future__ import annotations

import asyncio
from typing import Any

from ..protocol.errors import ActorNotFound, ConnDisposed
from ..protocol.http import bearer_header
from ..protocol.keys import ActorKey
from ..protocol.management import (
    ActorRecord,
    ApiRequest,
    actor_by_id_request,
    actor_by_key_request,
    create_actor_request,
    destroy_actor_request,
    metadata_request,
    read_actor_list,
    read_create_reply,
    read_get_or_create_reply,
    read_metadata,
)
from ..transport import Transport
from .config import USER_AGENT, ClientConfig

__all__ = ["ActorRecord", "Management"]


class Management:
    """Metadata lookup (once, then cached) and ``/actors`` calls for one client.

    Every call of the client's handles goes through :meth:`config` first, so once
    :attr:`closed` is set (``client.dispose()``) each raises :class:`ConnDisposed`.
    """

    def __init__(self, config: ClientConfig, transport: Transport) -> None:
        self._initial = config
        self._transport = transport
        self._config: ClientConfig | None = None
        self._lock: asyncio.Lock | None = None
        self.closed = False

    @property
    def endpoint(self) -> str:
        """The endpoint in use (the redirect's, once ``/metadata`` answered); never a token."""
        return (self._config or self._initial).endpoint

    async def config(self) -> ClientConfig:
        """The effective config: after ``/metadata`` may have redirected endpoint/ns/token.

        Raises:
            ConnDisposed: the client was disposed.
        """
        if self.closed:
            raise ConnDisposed("the client was disposed")
        if self._config is not None:
            return self._config
        if self._initial.disable_metadata_lookup:
            self._config = self._initial
            return self._config
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._config is None:
                self._config = await self._lookup()
        return self._config

    async def _lookup(self) -> ClientConfig:
        # One try per call, not cached when it fails: the caller sees the failure at once (a
        # connection retries with its own backoff) instead of waiting on hidden retries.
        cfg = self._initial
        request = metadata_request(cfg.namespace)
        meta = read_metadata(await self._send(cfg, request))
        return cfg.with_overrides(meta.client_endpoint, meta.client_namespace, meta.client_token)

    @staticmethod
    def headers(cfg: ClientConfig) -> dict[str, str]:
        return {"user-agent": USER_AGENT, **cfg.headers, **bearer_header(cfg.token)}

    async def _send(self, cfg: ClientConfig, request: ApiRequest) -> Any:
        return await self._transport.request_json(
            request.method,
            request.url(cfg.endpoint),
            headers=self.headers(cfg),
            body=request.body,
            what=request.what,
        )

    async def get_by_id(self, actor_id: str) -> ActorRecord | None:
        cfg = await self.config()
        actors = read_actor_list(
            await self._send(cfg, actor_by_id_request(actor_id, cfg.namespace))
        )
        return actors[0] if actors else None

    async def get_by_key(self, name: str, key: ActorKey) -> ActorRecord:
        cfg = await self.config()
        request = actor_by_key_request(name, key, cfg.namespace)
        actors = read_actor_list(await self._send(cfg, request))
        if not actors:
            raise ActorNotFound("actor", "not_found", f"Actor not found: {name}:{list(key)!r}")
        return actors[0]

    async def get_or_create(
        self, name: str, key: ActorKey, *, input: Any, has_input: bool, region: str | None
    ) -> tuple[ActorRecord, bool]:
        reply = await self._create(name, key, input, has_input, region, get_or_create=True)
        return read_get_or_create_reply(reply)

    async def create(
        self, name: str, key: ActorKey, *, input: Any, has_input: bool, region: str | None
    ) -> ActorRecord:
        reply = await self._create(name, key, input, has_input, region, get_or_create=False)
        return read_create_reply(reply)

    async def _create(
        self,
        name: str,
        key: ActorKey,
        input: Any,
        has_input: bool,
        region: str | None,
        *,
        get_or_create: bool,
    ) -> Any:
        cfg = await self.config()
        request = create_actor_request(
            name,
            key,
            namespace=cfg.namespace,
            runner=cfg.runner,
            input=input,
            has_input=has_input,
            region=region,
            get_or_create=get_or_create,
        )
        return await self._send(cfg, request)

    async def destroy(self, actor_id: str) -> None:
        cfg = await self.config()
        await self._send(cfg, destroy_actor_request(actor_id, cfg.namespace))
