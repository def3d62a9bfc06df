"""Schedules and alarms: ``ctx.schedule.after(seconds, "action", *args)`` / ``at(ts, ...)``.

A scheduled call is stored (the actor's :class:`ActorStore`) before ``after``/``at`` returns;
at its time the host wakes the actor if it sleeps and runs the action (no connection:
``ctx.conn`` is a placeholder with ``params=None``). Its removal is written together with the
state the action left (``persist(done_schedule=id)``): a crash before that write runs it
again at the next start, after it never. Embedded, :class:`Alarms` keeps a timer per stored
call of the server; under the engine, ``actorbind.runner.alarms`` sets the engine's alarm.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any, Protocol

from .context import ConnContext
from .errors import public_error
from .storage import ScheduledCall
from .values import decode_value, encode_value

if TYPE_CHECKING:
    from .host import ActorHost
    from .runtime import ActorRuntime

__all__ = ["AlarmKeeper", "Alarms", "Schedule", "ScheduledCall", "run_scheduled"]

log = logging.getLogger("actorbind.server")


class AlarmKeeper(Protocol):
    """What ``ctx.schedule`` asks of its host: store, cancel and list the calls, and run
    them at their time (:class:`Alarms` embedded, ``EngineAlarms`` under the engine)."""

    async def add(self, call: ScheduledCall) -> None: ...

    async def cancel(self, actor_id: str, schedule_id: str) -> bool: ...

    async def pending(self, actor_id: str) -> list[ScheduledCall]: ...

    def load(self) -> None: ...

    def stop(self) -> None: ...


async def run_scheduled(runtime: ActorRuntime, call: ScheduledCall) -> None:
    """Run a due call under the actor's lock; its removal commits with the state it left
    (an error of the action is logged: the call is done either way, as RivetKit's)."""
    conn = ConnContext(f"schedule-{call.id}", None, None)
    async with runtime.activity.working(), runtime.lock:
        try:
            args = decode_value(call.args)
            await runtime.run_action(conn, call.action, list(args))
        except Exception as exc:
            public_error(exc, where=f"scheduled {call.action!r} of actor {runtime.record.name}")
        await runtime.persist(done_schedule=call.id)


class Schedule:
    """``ctx.schedule`` of one actor."""

    __slots__ = ("_actor_id", "_host")

    def __init__(self, host: ActorHost, actor_id: str) -> None:
        self._host = host
        self._actor_id = actor_id

    async def after(self, seconds: float, action: str, *args: Any) -> str:
        """Run ``action(*args)`` in ``seconds``; returns the schedule id."""
        return await self.at(time.time() + seconds, action, *args)

    async def at(self, timestamp: float, action: str, *args: Any) -> str:
        """Run ``action(*args)`` at ``timestamp`` (seconds since the epoch, ``time.time()``)."""
        call = ScheduledCall(
            uuid.uuid4().hex,
            self._actor_id,
            int(timestamp * 1000),
            action,
            encode_value(list(args)),
        )
        await self._host.alarms.add(call)
        return call.id

    async def cancel(self, schedule_id: str) -> bool:
        return await self._host.alarms.cancel(self._actor_id, schedule_id)

    async def list(self) -> list[dict[str, Any]]:
        """The pending calls: ``{id, timestamp, action}`` in time order."""
        calls = await self._host.alarms.pending(self._actor_id)
        return [{"id": c.id, "timestamp": c.ts_ms / 1000, "action": c.action} for c in calls]


class Alarms:
    """Embedded: a timer for every stored call of the server; a fired call wakes its actor."""

    def __init__(self, host: ActorHost) -> None:
        self._host = host
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def load(self) -> None:
        """Arm the calls stored by an earlier run (at server start)."""
        for call in self._host.storage.all_schedules():
            self._arm(call)

    async def add(self, call: ScheduledCall) -> None:
        await self._host.store.add_schedule(call)
        self._arm(call)

    async def cancel(self, actor_id: str, schedule_id: str) -> bool:
        timer = self._timers.pop(schedule_id, None)
        if timer is not None:
            timer.cancel()
        return await self._host.store.delete_schedule(actor_id, schedule_id)

    async def pending(self, actor_id: str) -> list[ScheduledCall]:
        return await self._host.store.schedules(actor_id)

    def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    def _arm(self, call: ScheduledCall) -> None:
        loop = asyncio.get_running_loop()
        delay = max(0.0, call.ts_ms / 1000 - time.time())
        self._timers[call.id] = loop.call_later(delay, self._due, call)

    def _due(self, call: ScheduledCall) -> None:
        self._timers.pop(call.id, None)
        self._host.spawn(self._run(call))

    async def _run(self, call: ScheduledCall) -> None:
        host = self._host
        record = host.storage.by_id(call.actor_id)
        if record is None or record.destroy_ts is not None:
            await host.store.delete_schedule(call.actor_id, call.id)
            return
        try:
            runtime = await host.wake(record)
        except Exception as exc:
            public_error(exc, where=f"scheduled {call.action!r} of actor {record.name}")
            await host.store.delete_schedule(call.actor_id, call.id)
            return
        try:
            await run_scheduled(runtime, call)
        except Exception as exc:
            # Its removal was not written (the store failed): it runs at the next start.
            public_error(exc, where=f"scheduled {call.action!r} of actor {record.name}")
