"""The tests' bounded handling of rivet-engine 2.3.19's slow first creates.

The engine's workflow worker sheds load by the CPU use of the whole machine: while it is
busy, some new actor workflows wait for a later pull (its poll is 16 s), and a first create
waits out the gateway's 15 s ``pegboard.route_resolve_query_timeout``
(``actorbind.testing.engine.LOCAL_RUNTIME`` turns that off for the engines the tests start;
docs/runner.md has the numbers). What is left is handled here, never by a blanket retry:

- :func:`engine_retry`, the tests' ``create_client(retry=...)``: the gateway raises
  ``route_resolve_query_timeout`` while *resolving* the actor, before it forwards anything,
  so the request reached no actor and sending it again cannot apply it twice (the client
  tries a ``RETRY`` verdict at most 4 more times, each bounded by the gateway's timeout).
- :func:`first_call` for a management ``resolve`` (``PUT /actors``, an idempotent
  getOrCreate), which also sees the engine's ``core.internal_error`` now and then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from actorbind import ActorError
from actorbind.protocol.retry import Retry, classify

__all__ = ["FIRST_CREATE_TIMEOUT", "engine_retry", "first_call"]

_T = TypeVar("_T")

FIRST_CREATE_TIMEOUT = ("pegboard", "route_resolve_query_timeout")


def engine_retry(error: BaseException) -> Retry:
    """:func:`~actorbind.protocol.retry.classify`, except that a request that failed while the
    gateway resolved its actor is sent again (it reached no actor)."""
    if isinstance(error, ActorError) and (error.group, error.code) == FIRST_CREATE_TIMEOUT:
        return Retry.RETRY
    return classify(error)


def _engine_timeout(exc: ActorError) -> bool:
    return exc.code in ("route_resolve_query_timeout", "internal_error")


async def first_call(call: Callable[[], Awaitable[_T]]) -> _T:
    """``call`` (an idempotent resolve), tried up to 4 times on those two engine errors."""
    for _ in range(3):
        try:
            return await call()
        except ActorError as exc:
            if not _engine_timeout(exc):
                raise
    return await call()
