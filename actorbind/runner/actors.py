"""Actor lifecycle under the engine: start/stop commands, their acks, and actor events.

Commands arrive per (actor, generation) with an index from 1; one already seen (a replay after
a reconnect) is dropped. Commands of one actor run in order. Events (Running, Stopped) get an
index per (actor, generation) from 0 and stay buffered until the engine acknowledges them;
after every reconnect the unacknowledged ones are sent again.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from actorbind.protocol import deserialize_key
from actorbind.server.host import ActorHost
from actorbind.server.runtime import ActorRuntime
from actorbind.server.storage import ActorRecord

from . import _envoy_v8 as v8
from .alarms import EngineAlarms
from .store import EngineKvStore
from .tunnel import Tunnel

__all__ = ["ActorTable"]

log = logging.getLogger("actorbind.runner")

_STOP_REASONS = {
    v8.StopActorReason.SleepIntent: "actor.sleeping",
    v8.StopActorReason.StopIntent: "actor.stopped",
    v8.StopActorReason.GoingAway: "actor.stopped",
    v8.StopActorReason.Lost: "actor.stopped",
}


class ActorTable:
    """The actors this envoy runs, driven by the engine's commands."""

    seen_limit = 4096  # (actor, generation) command cursors kept to skip replays

    def __init__(
        self,
        host: ActorHost,
        store: EngineKvStore,
        tunnel: Tunnel,
        send: Callable[[v8.ToRivet], None],
        *,
        namespace: str,
        pool: str,
        stop_timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.store = store
        self.tunnel = tunnel
        self._send = send
        self.namespace = namespace
        self.pool = pool
        self.stop_timeout = stop_timeout
        self.connected = False
        # The last command index per (actor, generation), to skip replayed commands; bounded
        # (a replay comes right after a reconnect, not after thousands of other actors).
        self._seen: collections.OrderedDict[tuple[str, int], int] = collections.OrderedDict()
        self._next_event: dict[str, tuple[int, int]] = {}
        self._unacked: collections.OrderedDict[tuple[str, int, int], v8.EventWrapper] = (
            collections.OrderedDict()
        )
        self._locks: dict[str, asyncio.Lock] = {}
        self._queued: dict[str, int] = {}  # work waiting on or holding each actor's lock
        self._starting: dict[str, asyncio.Future[ActorRuntime | None]] = {}
        self._intents: set[tuple[str, int]] = set()
        self._destroying: set[tuple[str, int]] = set()
        self.changed = asyncio.Event()
        # The host's ctx.schedule: its calls in the KV, the engine's alarm at the earliest.
        self.alarms = EngineAlarms(host, store, self.set_alarm)
        host.alarms = self.alarms

    @property
    def count(self) -> int:
        """Actors running or starting here."""
        return len(set(self.host.runtimes) | set(self._starting))

    async def runtime(self, actor_id: str) -> ActorRuntime | None:
        """The running actor (waiting for a start in progress), or ``None``."""
        runtime = self.host.runtimes.get(actor_id)
        if runtime is not None:
            return runtime
        starting = self._starting.get(actor_id)
        return None if starting is None else await asyncio.shield(starting)

    # --- events -----------------------------------------------------------------------

    def _event(self, actor_id: str, generation: int, inner: v8.Event) -> None:
        gen, index = self._next_event.get(actor_id, (generation, 0))
        if gen != generation:
            index = 0
        self._next_event[actor_id] = (generation, index + 1)
        event = v8.EventWrapper(v8.ActorCheckpoint(actor_id, generation, index), inner)
        self._unacked[(actor_id, generation, index)] = event
        if self.connected:
            self._send(v8.ToRivetEvents([event]))

    def resend_events(self) -> None:
        if self._unacked:
            self._send(v8.ToRivetEvents(list(self._unacked.values())))

    def ack_events(self, checkpoints: list[v8.ActorCheckpoint]) -> None:
        acked = {(c.actor_id, c.generation): c.index for c in checkpoints}
        for key in list(self._unacked):
            actor_id, gen, index = key
            last = acked.get((actor_id, gen))
            if last is not None and index <= last:
                del self._unacked[key]

    def sleep_intent(self, runtime: ActorRuntime) -> None:
        """The actor asked to sleep (idle timer, ``ctx.sleep()``): ask the engine, once."""
        key = (runtime.record.actor_id, runtime.generation)
        if key not in self._intents:
            self._intents.add(key)
            intent = v8.EventActorIntent(v8.ActorIntentSleep())
            self._event(runtime.record.actor_id, runtime.generation, intent)

    def set_alarm(self, runtime: ActorRuntime, ts_ms: int | None) -> None:
        """Have the engine start the actor at ``ts_ms`` if it sleeps then (``None``: never)."""
        alarm = v8.EventActorSetAlarm(ts_ms)
        self._event(runtime.record.actor_id, runtime.generation, alarm)

    def destroy_intent(self, runtime: ActorRuntime) -> None:
        """``ctx.destroy()``: a stop intent, as RivetKit's; the engine answers with
        ``CommandStopActor(StopIntent)``, and a stop that ends ``Ok`` destroys the actor."""
        key = (runtime.record.actor_id, runtime.generation)
        if key not in self._destroying:
            self._destroying.add(key)
            intent = v8.EventActorIntent(v8.ActorIntentStop())
            self._event(runtime.record.actor_id, runtime.generation, intent)

    def _ack_command(self, checkpoint: v8.ActorCheckpoint) -> None:
        self._send(v8.ToRivetAckCommands([checkpoint]))

    # --- commands ---------------------------------------------------------------------

    def handle(self, commands: list[v8.CommandWrapper]) -> None:
        for command in commands:
            cp = command.checkpoint
            seen = (cp.actor_id, cp.generation)
            if cp.index <= self._seen.get(seen, 0):
                continue  # replayed after a reconnect: already done (or in progress)
            self._seen[seen] = cp.index
            self._seen.move_to_end(seen)
            while len(self._seen) > self.seen_limit:
                self._seen.popitem(last=False)
            inner = command.inner
            if isinstance(inner, v8.CommandStartActor):
                fut: asyncio.Future[ActorRuntime | None] = (
                    asyncio.get_running_loop().create_future()
                )
                self._starting[cp.actor_id] = fut
                self.host.spawn(self._in_order(cp.actor_id, self._start(cp, inner, fut)))
            else:
                self.host.spawn(self._in_order(cp.actor_id, self._stop(cp, inner.reason)))

    async def _in_order(self, actor_id: str, work: Coroutine[Any, Any, None]) -> None:
        lock = self._locks.setdefault(actor_id, asyncio.Lock())
        self._queued[actor_id] = self._queued.get(actor_id, 0) + 1
        try:
            async with lock:
                await work
        finally:
            left = self._queued[actor_id] - 1
            if left:
                self._queued[actor_id] = left
            else:  # nothing else queued for this actor: no lock kept per actor ever seen
                del self._queued[actor_id]
                del self._locks[actor_id]
        self.changed.set()

    def _forget(self, actor_id: str, generation: int) -> None:
        """What this table kept for a generation that has stopped (its Stopped event sent)."""
        self._intents.discard((actor_id, generation))
        self._destroying.discard((actor_id, generation))
        if self._next_event.get(actor_id, (None, 0))[0] == generation:
            # The next generation numbers its events from 0 anyway.
            del self._next_event[actor_id]

    async def _start(
        self,
        cp: v8.ActorCheckpoint,
        cmd: v8.CommandStartActor,
        fut: asyncio.Future[ActorRuntime | None],
    ) -> None:
        config = cmd.config
        runtime: ActorRuntime | None = None
        error: str | None = None
        try:
            cls = self.host.registry.get(config.name)
            if cls is None:
                error = f"no actor named {config.name!r} in this registry"
            else:
                record = ActorRecord(
                    actor_id=cp.actor_id,
                    namespace=self.namespace,
                    name=config.name,
                    key=deserialize_key(config.key) if config.key else (),
                    runner=self.pool,
                    input=config.input,
                    create_ts=config.create_ts,
                )
                runtime = ActorRuntime(self.host, cls, record)
                runtime.generation = cp.generation
                await self.alarms.open(cp.actor_id)
                await runtime.start()
                self.host.runtimes[cp.actor_id] = runtime
        except Exception as exc:
            log.error("actor %s (%s) failed to start", config.name, cp.actor_id, exc_info=exc)
            error = f"failed to start: {type(exc).__name__}"
            runtime = None
        finally:
            if self._starting.get(cp.actor_id) is fut:
                del self._starting[cp.actor_id]
            if not fut.done():
                fut.set_result(runtime)
        if error is None:
            assert runtime is not None
            self._event(
                cp.actor_id, cp.generation, v8.EventActorStateUpdate(v8.ActorStateRunning())
            )
            self.alarms.arm(runtime)  # the alarm again, and the due calls run now
        else:
            self.alarms.close(cp.actor_id)
            self.store.forget(cp.actor_id)
            stopped = v8.ActorStateStopped(v8.StopCode.Error, error)
            self._event(cp.actor_id, cp.generation, v8.EventActorStateUpdate(stopped))
            self._forget(cp.actor_id, cp.generation)
        self._ack_command(cp)

    async def _stop(self, cp: v8.ActorCheckpoint, reason: v8.StopActorReason) -> None:
        sleeping = reason == v8.StopActorReason.SleepIntent
        destroyed = reason == v8.StopActorReason.Destroy or (
            reason == v8.StopActorReason.StopIntent
            and (cp.actor_id, cp.generation) in self._destroying
        )
        # RivetKit closes a destroyed actor's sockets normally (1000, no reason): the actor is
        # gone, there is nothing to reconnect to. Any other stop is 1011 (reconnect).
        code, why = (1000, "") if destroyed else (1011, _STOP_REASONS[reason])
        await self.stop_local(cp.actor_id, why, sleep=sleeping, code=code, destroy=destroyed)
        if destroyed:
            try:
                await self.store.drop(cp.actor_id)
            except Exception as exc:
                log.warning("actor %s: KV not dropped on destroy (%s)", cp.actor_id, exc)
        stopped = v8.ActorStateStopped(v8.StopCode.Ok, None)
        self._event(cp.actor_id, cp.generation, v8.EventActorStateUpdate(stopped))
        self._forget(cp.actor_id, cp.generation)
        self._ack_command(cp)

    async def stop_local(
        self,
        actor_id: str,
        reason: str,
        *,
        sleep: bool = False,
        code: int = 1011,
        destroy: bool = False,
    ) -> None:
        """Stop the actor here: close its sockets, let the work in flight finish and persist
        (bounded by ``stop_timeout``), then drop it. ``sleep``: ``on_sleep`` runs first.
        ``destroy``: after the work in flight, ``on_destroy`` runs, then the sockets close
        with ``code``."""
        if sleep:
            asleep = self.host.runtimes.get(actor_id)
            if asleep is not None and not asleep.stopping:
                try:
                    await asyncio.wait_for(
                        asleep.stop_for_sleep(self.host.sleep_grace), self.stop_timeout
                    )
                except Exception as exc:
                    log.warning("actor %s: on_sleep or its save failed (%s)", actor_id, exc)
        runtime = self.host.runtimes.pop(actor_id, None)
        if destroy and runtime is not None:
            try:
                await asyncio.wait_for(self._destroy(runtime, reason, code), self.stop_timeout)
            except TimeoutError:
                log.warning("actor %s: work in flight did not finish before the destroy", actor_id)
                runtime.destroy(reason, code)
        self.tunnel.close_actor(actor_id, code, reason)
        if runtime is not None and not runtime.destroyed:
            try:
                await asyncio.wait_for(self._quiesce(runtime, reason, code), self.stop_timeout)
            except TimeoutError:
                log.warning("actor %s: work in flight did not finish before the stop", actor_id)
                runtime.destroy(reason, code)
        self.alarms.close(actor_id)
        self.store.forget(actor_id)

    @staticmethod
    async def _destroy(runtime: ActorRuntime, reason: str, code: int) -> None:
        async with runtime.lock:
            pass  # the work in flight has finished and persisted
        # Outside the lock, as the embedded server runs it (the hook may call the actor).
        await runtime.finish_destroy(code, reason)

    @staticmethod
    async def _quiesce(runtime: ActorRuntime, reason: str, code: int) -> None:
        # Under the actor's lock: the work in flight has finished and persisted.
        async with runtime.lock:
            runtime.destroy(reason, code)

    async def lost(self) -> None:
        """The engine has given up on this envoy: its actors run elsewhere now."""
        self._unacked.clear()
        for actor_id in list(self.host.runtimes):
            await self.stop_local(actor_id, "actor.stopped")
        self.changed.set()
