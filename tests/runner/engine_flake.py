"""rivet-engine 2.3.19 sometimes delays an actor's first start past its gateway's 15 s
``route_resolve_query_timeout`` (about 1 in 20 creates here, for TS- and Python-hosted actors
alike, with or without RivetKit's local pegboard settings; the start command reaches the envoy
only after it). The engine is not under test: a first (idempotent) call retries that one
error, up to three times (it came more often on a loaded machine)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from actorbind import ActorError

__all__ = ["first_call"]

_T = TypeVar("_T")


def _engine_timeout(exc: ActorError) -> bool:
    return exc.code in ("route_resolve_query_timeout", "internal_error")


async def first_call(call: Callable[[], Awaitable[_T]]) -> _T:
    for _ in range(3):
        try:
            return await call()
        except ActorError as exc:
            if not _engine_timeout(exc):
                raise
    return await call()
