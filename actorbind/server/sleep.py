"""When an actor may stop: its in-flight work (:class:`Activity`) and its idle timer
(:class:`SleepTimer`, ``sleep_timeout`` of inactivity, as RivetKit).

An actor is idle when no work is in flight (actions, requests, hooks, queue handlers,
``keep_awake``/``wait_until`` tasks) and no connection is open. After ``sleep_timeout``
seconds of that it sleeps: ``on_sleep`` runs, the state is stored and the instance is dropped;
the next request, message or alarm wakes it (``on_wake``). Protocol WebSockets open at that
moment (``ctx.sleep()``) stay open: like RivetKit's hibernation, the client sees nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

__all__ = ["Activity", "SleepTimer"]


class Activity:
    """Counts the work in flight in one actor; ``on_change`` hears every 0 <-> busy edge."""

    def __init__(self, on_change: Callable[[], None] | None = None) -> None:
        self.busy = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._on_change = on_change

    @contextlib.asynccontextmanager
    async def working(self) -> AsyncIterator[None]:
        self.begin()
        try:
            yield
        finally:
            self.end()

    def begin(self) -> None:
        """Count one piece of work in flight (synchronous: it counts from the call on)."""
        self.busy += 1
        if self.busy == 1:
            self._idle.clear()
            self._changed()

    def end(self) -> None:
        """The piece of work counted by :meth:`begin` is done."""
        self.busy -= 1
        if self.busy == 0:
            self._idle.set()
            self._changed()

    async def idle(self) -> None:
        """Return once nothing is in flight."""
        await self._idle.wait()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()


class SleepTimer:
    """Calls ``fire`` after ``timeout`` seconds in which ``idle()`` stayed true."""

    def __init__(
        self, timeout: float | None, idle: Callable[[], bool], fire: Callable[[], None]
    ) -> None:
        self.timeout = timeout
        self._idle = idle
        self._fire = fire
        self._handle: asyncio.TimerHandle | None = None
        self.stopped = False

    def rearm(self) -> None:
        """Restart the countdown if the actor is idle now, cancel it if not."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self.stopped or self.timeout is None or not self._idle():
            return
        self._handle = asyncio.get_running_loop().call_later(self.timeout, self._expired)

    def stop(self) -> None:
        self.stopped = True
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _expired(self) -> None:
        self._handle = None
        if not self.stopped and self._idle():
            self._fire()
