"""When an actor may stop: its in-flight work (:class:`Activity`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

__all__ = ["Activity"]


class Activity:
    """Counts the work in flight in one actor (actions, requests, hooks, keep-awake tasks)."""

    def __init__(self) -> None:
        self.busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def working(self) -> AsyncIterator[None]:
        self.busy += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.busy -= 1
            if self.busy == 0:
                self._idle.set()

    async def idle(self) -> None:
        """Return once nothing is in flight."""
        await self._idle.wait()
