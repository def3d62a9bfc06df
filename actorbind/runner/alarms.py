"""Schedules under the engine: the engine's alarm starts a sleeping actor, which then runs its
due calls.

The calls live in the actor's KV (``EngineKvStore``, ``P a <id>``). For each actor running here
:class:`EngineAlarms` keeps the pending ones in memory, a timer for each, and tells the engine
the earliest (``EventActorSetAlarm`` with its time in ms, ``None`` once none is left). The engine
keeps that alarm while the actor sleeps or after its envoy was lost, and at that time starts it
(a new generation, on any envoy of the pool) with no request; it forgets an alarm that woke the
actor. So every start loads the calls, sets the alarm again and runs the due ones.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Final

from actorbind.server.errors import public_error
from actorbind.server.host import ActorHost
from actorbind.server.runtime import ActorRuntime
from actorbind.server.schedule import run_scheduled
from actorbind.server.storage import ActorStore, ScheduledCall

__all__ = ["EngineAlarms", "earliest"]

_UNSENT: Final = -1  # no alarm told the engine yet for this start (ms are never negative)


def earliest(calls: dict[str, ScheduledCall] | None) -> int | None:
    """The alarm for these calls: the earliest ``ts_ms``, ``None`` for none."""
    return min((c.ts_ms for c in calls.values()), default=None) if calls else None


class EngineAlarms:
    """``ctx.schedule`` under the engine: the host's ``AlarmKeeper``.

    Args:
        set_alarm: sends ``EventActorSetAlarm(ts_ms)`` for that start of the actor.
    """

    def __init__(
        self,
        host: ActorHost,
        store: ActorStore,
        set_alarm: Callable[[ActorRuntime, int | None], None],
    ) -> None:
        self._host = host
        self._store = store
        self._set_alarm = set_alarm
        self._pending: dict[str, dict[str, ScheduledCall]] = {}
        self._armed: set[str] = set()
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._sent: dict[str, int | None] = {}
        self._running: set[str] = set()

    # --- the actor's start and stop here (ActorTable) -----------------------------------

    async def open(self, actor_id: str) -> None:
        """Before the actor starts here: read its stored calls."""
        calls = await self._store.schedules(actor_id)
        self._pending[actor_id] = {c.id: c for c in calls}

    def arm(self, runtime: ActorRuntime) -> None:
        """The actor runs here: a timer per call (the due ones at once), and the engine's
        alarm set again (it may be unset, or stale after a wake)."""
        actor_id = runtime.record.actor_id
        self._armed.add(actor_id)
        self._sent[actor_id] = _UNSENT
        for call in self._pending.get(actor_id, {}).values():
            self._arm(call)
        self._update(runtime)

    def close(self, actor_id: str) -> None:
        """The actor stopped here: its timers end; the engine's alarm stays and starts it."""
        self._armed.discard(actor_id)
        self._sent.pop(actor_id, None)
        for schedule_id in self._pending.pop(actor_id, {}):
            timer = self._timers.pop(schedule_id, None)
            if timer is not None:
                timer.cancel()

    # --- AlarmKeeper ------------------------------------------------------------------

    async def add(self, call: ScheduledCall) -> None:
        pending = self._pending.get(call.actor_id)
        if pending is None:  # not running here (a task outliving its actor): stored only
            await self._store.add_schedule(call)
            return
        pending[call.id] = call
        runtime = self._host.runtimes.get(call.actor_id)
        # The alarm goes out before the write, so a call whose write returned has its alarm
        # ahead of it on the socket; a write that fails costs at most one early start.
        self._update(runtime)
        try:
            await self._store.add_schedule(call)
        except BaseException:
            pending.pop(call.id, None)
            self._update(runtime)
            raise
        if call.actor_id in self._armed:
            self._arm(call)

    async def cancel(self, actor_id: str, schedule_id: str) -> bool:
        timer = self._timers.pop(schedule_id, None)
        if timer is not None:
            timer.cancel()
        pending = self._pending.get(actor_id)
        if pending is not None:
            pending.pop(schedule_id, None)
        found = await self._store.delete_schedule(actor_id, schedule_id)
        self._update(self._host.runtimes.get(actor_id))
        return found

    async def pending(self, actor_id: str) -> list[ScheduledCall]:
        pending = self._pending.get(actor_id)
        if pending is None:
            return await self._store.schedules(actor_id)
        return sorted(pending.values(), key=lambda c: (c.ts_ms, c.id))

    def load(self) -> None:
        """Nothing to do at start: each actor loads its calls when it starts here."""

    def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._armed.clear()

    # --- timers -----------------------------------------------------------------------

    def _update(self, runtime: ActorRuntime | None) -> None:
        """Tell the engine the earliest pending call, if that changed."""
        if runtime is None:
            return
        actor_id = runtime.record.actor_id
        if actor_id not in self._armed:
            return  # arm() sets it once the actor runs
        alarm = earliest(self._pending.get(actor_id))
        if self._sent.get(actor_id, _UNSENT) != alarm:
            self._sent[actor_id] = alarm
            self._set_alarm(runtime, alarm)

    def _arm(self, call: ScheduledCall) -> None:
        old = self._timers.pop(call.id, None)
        if old is not None:
            old.cancel()
        delay = max(0.0, call.ts_ms / 1000 - time.time())
        self._timers[call.id] = asyncio.get_running_loop().call_later(delay, self._due, call)

    def _due(self, call: ScheduledCall) -> None:
        self._timers.pop(call.id, None)
        self._host.spawn(self._run(call))

    async def _run(self, call: ScheduledCall) -> None:
        runtime = self._host.runtimes.get(call.actor_id)
        pending = self._pending.get(call.actor_id)
        if runtime is None or runtime.stopping or pending is None or call.id not in pending:
            # Cancelled, or the actor is stopping: the engine's alarm (already due) starts
            # it again, and that start runs the call.
            return
        if call.id in self._running:
            return  # a timer of the previous start here fired too: one run is enough
        self._running.add(call.id)
        try:
            await run_scheduled(runtime, call)
        except Exception as exc:
            # Its removal was not written: it stays pending (and stored) for the next start.
            public_error(exc, where=f"scheduled {call.action!r} of actor {runtime.record.name}")
            return
        finally:
            self._running.discard(call.id)
        pending.pop(call.id, None)
        self._update(runtime)
