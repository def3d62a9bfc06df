"""Helpers shared by the test packages: one time unit, waiting for conditions, free ports,
and the leak check of actorbind's own tasks.

Every bound is a multiple of :data:`SECOND`, which ``ACTORBIND_TESTS_TIMEOUT_FACTOR`` scales
(e.g. ``=4`` on a slow CI machine). A bound is a hang guard, never a timing assertion; tests
wait for conditions (:func:`until`), never for durations.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import actorbind

__all__ = [
    "MS",
    "PACKAGE_DIR",
    "SECOND",
    "TIMEOUT_FACTOR",
    "actorbind_tasks",
    "free_port",
    "is_actorbind_file",
    "until",
    "until_async",
]

T = TypeVar("T")

TIMEOUT_FACTOR = float(os.environ.get("ACTORBIND_TESTS_TIMEOUT_FACTOR", "1"))
SECOND = 1.0 * TIMEOUT_FACTOR
MS = SECOND / 1000

# How often a condition is checked: short enough to be prompt, long enough not to spin.
_POLL = 0.005


async def until(
    condition: Callable[[], object], what: str = "condition", timeout: float = 10 * SECOND
) -> None:
    """Yield to the loop until ``condition()`` is true; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(_POLL)


async def until_async(
    fetch: Callable[[], Awaitable[T]],
    check: Callable[[T], object],
    what: str = "condition",
    timeout: float = 10 * SECOND,
) -> T:
    """Call ``fetch()`` until ``check(result)`` is true; returns that result."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await fetch()
        if check(value):
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what} (last: {value!r})")
        await asyncio.sleep(10 * _POLL)


def free_port() -> int:
    """A loopback port nothing listens on now (connections to it are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# The installed package's folder, not any folder named "actorbind": the checkout itself is
# usually one (`git clone ... actorbind`), and its tests and fake servers are not actorbind code.
PACKAGE_DIR = Path(actorbind.__file__).resolve().parent


def actorbind_tasks() -> list[asyncio.Task[Any]]:
    """Live tasks running actorbind code (the fake servers' tasks are not counted)."""
    out = []
    for task in asyncio.all_tasks():
        coro = task.get_coro()
        code = getattr(coro, "cr_code", None)
        if code is not None and not task.done() and is_actorbind_file(code.co_filename):
            out.append(task)
    return out


def is_actorbind_file(filename: str) -> bool:
    """Whether ``filename`` is a module of the actorbind package."""
    return Path(filename).resolve().is_relative_to(PACKAGE_DIR)
