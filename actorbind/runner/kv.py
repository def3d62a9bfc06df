"""The engine's per-actor KV over the envoy socket: request ids, timeouts, the engine's limits.

Limits are the engine's (``pegboard/src/actor_kv``), checked here so a request the engine would
refuse never leaves: key <= 2 KiB, value <= 128 KiB, <= 128 keys per request, a put's keys and
values <= 976 KiB together. A put is one database transaction in the engine: all or nothing.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Final

from actorbind.server.storage import StoreError

from . import _envoy_v8 as v8

__all__ = [
    "MAX_KEY",
    "MAX_KEYS",
    "MAX_PUT",
    "MAX_VALUE",
    "KvClient",
    "KvError",
    "KvLimitError",
]

MAX_KEY: Final = 2048
MAX_VALUE: Final = 128 * 1024
MAX_KEYS: Final = 128
MAX_PUT: Final = 976 * 1024


class KvError(StoreError):
    """The engine answered a KV request with an error, or it was lost with the connection."""


class KvLimitError(KvError):
    """The request is over one of the engine's KV limits (it was not sent)."""


def _check_keys(keys: list[bytes]) -> None:
    if len(keys) > MAX_KEYS:
        raise KvLimitError(f"{len(keys)} keys in one KV request (the engine allows {MAX_KEYS})")
    for key in keys:
        if len(key) > MAX_KEY:
            raise KvLimitError(f"KV key of {len(key)} bytes (the engine allows {MAX_KEY})")


class KvClient:
    """Sends ``ToRivetKvRequest`` through ``send`` and matches responses by request id."""

    def __init__(self, send: Callable[[v8.ToRivet], None], *, timeout: float = 30.0) -> None:
        self._send = send
        self.timeout = timeout
        self._ids = itertools.count()
        self._waiting: dict[int, asyncio.Future[v8.KvResponseData]] = {}

    async def request(self, actor_id: str, data: v8.KvRequestData) -> v8.KvResponseData:
        request_id = next(self._ids) & 0xFFFF_FFFF
        fut = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = fut
        try:
            self._send(v8.ToRivetKvRequest(actor_id, request_id, data))
            try:
                response: v8.KvResponseData = await asyncio.wait_for(
                    asyncio.shield(fut), self.timeout
                )
            except TimeoutError:
                raise KvError(f"KV request timed out after {self.timeout} s") from None
        finally:
            self._waiting.pop(request_id, None)
        if isinstance(response, v8.KvErrorResponse):
            raise KvError(f"engine KV error: {response.message}")
        return response

    def resolve(self, msg: v8.ToEnvoyKvResponse) -> None:
        fut = self._waiting.get(msg.request_id)
        if fut is not None and not fut.done():
            fut.set_result(msg.data)

    def fail_all(self, why: str) -> None:
        """The connection is gone: the engine aborts requests in flight, so do we."""
        for fut in self._waiting.values():
            if not fut.done():
                fut.set_exception(KvError(why))

    # --- operations -------------------------------------------------------------------

    async def get(self, actor_id: str, keys: list[bytes]) -> dict[bytes, bytes]:
        _check_keys(keys)
        response = await self.request(actor_id, v8.KvGetRequest(keys))
        assert isinstance(response, v8.KvGetResponse)
        return dict(zip(response.keys, response.values, strict=True))

    async def list_prefix(self, actor_id: str, prefix: bytes) -> dict[bytes, bytes]:
        _check_keys([prefix])
        query = v8.KvListRequest(v8.KvListPrefixQuery(prefix), None, None)
        response = await self.request(actor_id, query)
        assert isinstance(response, v8.KvListResponse)
        return dict(zip(response.keys, response.values, strict=True))

    async def put(self, actor_id: str, entries: dict[bytes, bytes]) -> None:
        """Write all ``entries`` in one engine transaction."""
        keys = list(entries)
        values = list(entries.values())
        _check_keys(keys)
        for value in values:
            if len(value) > MAX_VALUE:
                raise KvLimitError(
                    f"KV value of {len(value)} bytes (the engine allows {MAX_VALUE})"
                )
        size = sum(map(len, keys)) + sum(map(len, values))
        if size > MAX_PUT:
            raise KvLimitError(f"KV put of {size} bytes (the engine writes {MAX_PUT} atomically)")
        await self.request(actor_id, v8.KvPutRequest(keys, values))

    async def delete(self, actor_id: str, keys: list[bytes]) -> None:
        _check_keys(keys)
        await self.request(actor_id, v8.KvDeleteRequest(keys))

    async def drop(self, actor_id: str) -> None:
        """Delete the actor's whole keyspace."""
        await self.request(actor_id, v8.KvDropRequest())
