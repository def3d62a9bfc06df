"""Helpers shared by the test packages."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import actorbind

__all__ = ["PACKAGE_DIR", "actorbind_tasks", "is_actorbind_file"]

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
