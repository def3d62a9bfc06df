"""Run an async context manager on its own thread and loop (``run_in_thread`` and the runner's
``serve_engine_in_thread`` both use it)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

__all__ = ["START_TIMEOUT", "context_in_thread"]

T = TypeVar("T")

START_TIMEOUT = 60.0
"""Seconds :func:`context_in_thread` waits for the context to be entered, by default."""

_CANCEL_GRACE = 5.0
"""Seconds a start that timed out gets to unwind once cancelled (its thread is a daemon)."""


@contextlib.contextmanager
def context_in_thread(
    open_context: Callable[[], AbstractAsyncContextManager[T]],
    name: str,
    *,
    start_timeout: float | None = START_TIMEOUT,
) -> Iterator[T]:
    """Enter ``open_context()`` on a new thread's loop, yield its value, exit it on leaving.

    An error while starting is raised here; one while stopping is raised on leaving.

    Raises:
        TimeoutError: not entered within ``start_timeout`` seconds (``None``: no bound); the
            start is cancelled first.
    """
    ready = threading.Event()
    abandoned = threading.Event()  # the caller stopped waiting for the start
    box: dict[str, Any] = {}

    async def main() -> None:
        box["loop"] = asyncio.get_running_loop()
        box["task"] = asyncio.current_task()
        if abandoned.is_set():  # timed out before this task could be cancelled
            return
        stop = box["stop"] = asyncio.Event()
        try:
            async with open_context() as value:
                box["value"] = value
                ready.set()
                await stop.wait()
        except BaseException as exc:
            box["error"] = exc
            ready.set()

    thread = threading.Thread(target=asyncio.run, args=(main(),), name=name, daemon=True)
    thread.start()
    if not ready.wait(start_timeout):
        abandoned.set()
        _cancel(box)
        thread.join(_CANCEL_GRACE)
        raise TimeoutError(f"{name} did not start within {start_timeout} s")
    if "value" not in box:
        thread.join()
        error = box.get("error")
        raise error if isinstance(error, BaseException) else RuntimeError(f"{name} failed to start")
    try:
        yield box["value"]
    finally:
        loop: asyncio.AbstractEventLoop = box["loop"]
        stop_event: asyncio.Event = box["stop"]
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(stop_event.set)
        thread.join()
        error = box.get("error")
        if isinstance(error, BaseException):
            raise error


def _cancel(box: dict[str, Any]) -> None:
    loop: asyncio.AbstractEventLoop | None = box.get("loop")
    task: asyncio.Task[None] | None = box.get("task")
    if loop is not None and task is not None:
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(task.cancel)
