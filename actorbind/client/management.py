"""The engine's management API (``/metadata``, ``/actors``) and the metadata redirect."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from ..protocol.errors import ActorNotFound, ConnDisposed, MalformedMessage
from ..protocol.keys import ActorKey, serialize_key
from ..protocol.urls import encode_input_rest
from ..transport import Transport
from .config import USER_AGENT, ClientConfig

__all__ = ["ActorRecord", "Management"]


@dataclass(frozen=True, slots=True)
class ActorRecord:
    """What the management API says about one actor."""

    actor_id: str
    name: str
    key: str
    raw: dict[str, Any]

    @classmethod
    def parse(cls, obj: Any) -> ActorRecord:
        if not isinstance(obj, dict) or not isinstance(obj.get("actor_id"), str):
            raise MalformedMessage("the management API returned a malformed actor")
        return cls(obj["actor_id"], str(obj.get("name", "")), str(obj.get("key", "")), obj)


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
        url = f"{cfg.endpoint}/metadata?{urlencode({'namespace': cfg.namespace})}"
        meta = await self._transport.request_json(
            "GET", url, headers=self.headers(cfg), what="metadata lookup"
        )
        if not isinstance(meta, dict):
            raise MalformedMessage("metadata lookup: the reply is not a JSON object")
        endpoint = meta.get("clientEndpoint")
        return cfg.with_overrides(
            endpoint if isinstance(endpoint, str) else None,
            _opt_str(meta.get("clientNamespace")),
            _opt_str(meta.get("clientToken")),
        )

    @staticmethod
    def headers(cfg: ClientConfig) -> dict[str, str]:
        headers = {"user-agent": USER_AGENT, **cfg.headers}
        if cfg.token:
            headers["authorization"] = f"Bearer {cfg.token}"
        return headers

    async def _call(
        self, method: str, path: str, query: dict[str, str], body: Any, what: str
    ) -> Any:
        cfg = await self.config()
        url = f"{cfg.endpoint}{path}?{urlencode({**query, 'namespace': cfg.namespace})}"
        return await self._transport.request_json(
            method, url, headers=self.headers(cfg), body=body, what=what
        )

    async def get_by_id(self, actor_id: str) -> ActorRecord | None:
        reply = await self._call("GET", "/actors", {"actor_ids": actor_id}, None, "get actor")
        return _first(reply)

    async def get_by_key(self, name: str, key: ActorKey) -> ActorRecord:
        reply = await self._call(
            "GET", "/actors", {"name": name, "key": serialize_key(key)}, None, "get actor"
        )
        record = _first(reply)
        if record is None:
            raise ActorNotFound("actor", "not_found", f"Actor not found: {name}:{list(key)!r}")
        return record

    async def get_or_create(
        self, name: str, key: ActorKey, *, input: Any, has_input: bool, region: str | None
    ) -> tuple[ActorRecord, bool]:
        body = await self._create_body(name, key, input, has_input, region)
        reply = await self._call("PUT", "/actors", {}, body, "get or create actor")
        if not isinstance(reply, dict):
            raise MalformedMessage("get or create actor: malformed reply")
        return ActorRecord.parse(reply.get("actor")), bool(reply.get("created"))

    async def create(
        self, name: str, key: ActorKey, *, input: Any, has_input: bool, region: str | None
    ) -> ActorRecord:
        body = await self._create_body(name, key, input, has_input, region)
        reply = await self._call("POST", "/actors", {}, body, "create actor")
        if not isinstance(reply, dict):
            raise MalformedMessage("create actor: malformed reply")
        return ActorRecord.parse(reply.get("actor"))

    async def destroy(self, actor_id: str) -> None:
        await self._call("DELETE", f"/actors/{quote(actor_id, safe='')}", {}, None, "destroy actor")

    async def _create_body(
        self, name: str, key: ActorKey, input: Any, has_input: bool, region: str | None
    ) -> dict[str, Any]:
        cfg = await self.config()
        body: dict[str, Any] = {
            "name": name,
            "key": serialize_key(key),
            "runner_name_selector": cfg.runner,
            "crash_policy": "sleep",
        }
        if has_input:
            body["input"] = encode_input_rest(input)
        if region is not None:
            body["datacenter"] = region
        return body


def _first(reply: Any) -> ActorRecord | None:
    if not isinstance(reply, dict) or not isinstance(reply.get("actors"), list):
        raise MalformedMessage("the management API returned a malformed actor list")
    actors = reply["actors"]
    return ActorRecord.parse(actors[0]) if actors else None


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
