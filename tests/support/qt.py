"""A qasync loop per test, shared by the Qt and demo tests."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import actorbind_qt
import qasync
from PySide6.QtWidgets import QApplication

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


@contextlib.contextmanager
def qasync_loop(qapp: QApplication) -> Iterator[QtLoop]:
    """A fresh qasync loop for one test, closed cleanly: bindings' sockets closed (1000),
    leftover tasks cancelled, qasync's timer object released on the GUI thread, and no error
    may have reached the loop's exception handler."""
    quit_on_last = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)  # closing a test window must not stop the loop
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    runner = QtLoop(loop)
    try:
        yield runner
        loop.run_until_complete(actorbind_qt.aclose_all())
        pending = runner.tasks()
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
        asyncio.set_event_loop(None)
        qapp.setQuitOnLastWindowClosed(quit_on_last)
        # Never leave qasync's timer object to a cyclic GC on another (server) thread.
        actorbind_qt.release_qasync_loop(loop)
        gc.collect()
    assert not runner.errors, runner.errors
