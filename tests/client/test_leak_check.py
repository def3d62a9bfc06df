"""The fixtures' leak check counts actorbind's own tasks only, wherever the checkout lives."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.utils import PACKAGE_DIR, actorbind_tasks


async def _task_of_code_in(filename: Path) -> tuple[asyncio.Task[Any], asyncio.Event]:
    """A live task whose coroutine's code says it comes from ``filename``."""
    namespace: dict[str, Any] = {}
    source = "async def idle(event):\n    await event.wait()\n"
    exec(compile(source, str(filename), "exec"), namespace)
    release = asyncio.Event()
    task = asyncio.create_task(namespace["idle"](release))
    await asyncio.sleep(0)
    return task, release


async def test_tasks_of_a_checkout_named_actorbind_are_not_leaks(tmp_path: Path) -> None:
    # `git clone ... actorbind`: the tests and fake servers live under a folder named actorbind.
    task, release = await _task_of_code_in(tmp_path / "actorbind" / "tests" / "fake_server.py")
    try:
        assert task not in actorbind_tasks()
    finally:
        release.set()
        await task


async def test_tasks_of_the_package_are_counted() -> None:
    task, release = await _task_of_code_in(PACKAGE_DIR / "_fake_module.py")
    try:
        assert task in actorbind_tasks()
    finally:
        release.set()
        await task
    assert task not in actorbind_tasks()
