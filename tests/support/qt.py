"""A qasync loop per test, shared by the Qt and demo tests."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import qasync

T = TypeVar("T")


class QtLoop:
    """One qasync loop for one test; ``errors`` holds what reached its exception handler."""

    def __init__(self, loop: qasync.QEventLoop) -> None:
        self.loop = loop
        self.errors: list[dict[str, Any]] = []
        self._outer: set[asyncio.Task[Any]] = set()
        loop.set_exception_handler(lambda _loop, context: self.errors.append(context))

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 90.0) -> T:
        outer = self.loop.create_task(asyncio.wait_for(coro, timeout))
        self._outer.add(outer)
        try:
            result: T = self.loop.run_until_complete(outer)
        finally:
            self._outer.discard(outer)
        return result

    def tasks(self) -> set[asyncio.Task[Any]]:
        """Unfinished tasks other than the test's own."""
        current = asyncio.current_task(self.loop) if self.loop.is_running() else None
        return {
            t
            for t in asyncio.all_tasks(self.loop)
            if t is not current and t not in self._outer and not t.done()
        }
