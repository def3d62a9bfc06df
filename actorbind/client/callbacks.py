"""User callbacks of a connection: registration, and running them without ever raising."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

__all__ = ["CallbackRunner", "Unsubscribe", "add_handler", "consume"]

log = logging.getLogger("actorbind.conn")
T = TypeVar("T")
Unsubscribe = Callable[[], None]


def add_handler(handlers: list[T], callback: T) -> Unsubscribe:
    """Append ``callback``; the returned function removes it (idempotent)."""
    handlers.append(callback)

    def off() -> None:
        if callback in handlers:
            handlers.remove(callback)

    return off


def consume(future: asyncio.Future[Any]) -> None:
    """A done callback that marks the future's exception retrieved (it may never be awaited)."""
    if not future.cancelled():
        future.exception()


class CallbackRunner:
    """Calls user callbacks: an exception is logged, never raised into the connection; an
    awaitable result runs as a task of its own (kept referenced until it ends)."""

    __slots__ = ("_tasks", "loop")

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    def __call__(self, callback: Callable[..., Any], *args: Any) -> None:
        try:
            result = callback(*args)
        except Exception:
            log.exception("actorbind callback %r failed", getattr(callback, "__name__", callback))
            return
        if result is not None and inspect.isawaitable(result):
            assert self.loop is not None
            task = self.loop.create_task(_await(result))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


async def _await(awaitable: Awaitable[Any]) -> None:
    try:
        await awaitable
    except Exception:
        log.exception("actorbind async callback failed")
