"""Run an async context manager on its own thread and loop (``run_in_thread`` and the runner's
``serve_engine_in_thread`` both use it)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

__all__ = ["context_in_thread"]

T = TypeVar("T")


@contextlib.contextmanager
def context_in_thread(
    open_context: Callable[[], AbstractAsyncContextManager[T]], name: str
) -> Iterator[T]:
    """Enter ``open_context()`` on a new thread's loop, yield its value, exit it on leaving.

    An error while starting is raised here; one while stopping is raised on leaving.
    """
    ready = threading.Event()
    box: dict[str, Any] = {}

    async def main() -> None:
        box["loop"] = asyncio.get_running_loop()
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
    ready.wait()
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
