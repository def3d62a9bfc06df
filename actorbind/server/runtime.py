"""Running actors: one :class:`ActorRuntime` per live actor id (see :mod:`.host` for all).

Everything that touches an actor's state runs under the actor's lock (actions, queue handlers,
connection hooks), one at a time in arrival order, and the state is written to storage before
the lock is released, so a reply that was sent is durable. An actor with ``interleave = True``
has no lock: each piece of work starts when it arrives (RivetKit's dispatch), and the state is
still written after each one.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from actorbind.protocol import ActorSpecifier, Event

from .actor import Actor
from .context import ActionContext, ActorContext, ConnContext, Outbox
from .errors import RivetError, public_error
from .limits import Limits
from .queues import ActorQueue
from .schedule import Schedule
from .sleep import Activity, SleepTimer
from .storage import ActorRecord, StoreError, now_ms
from .values import decode_value, encode_value
from .wire import server_codec

if TYPE_CHECKING:
    from starlette.requests import Request

    from .host import ActorHost

__all__ = ["ActorRuntime", "Limits", "call_user"]

log = logging.getLogger("actorbind.server")
_T = TypeVar("_T")


async def call_user(fn: Callable[..., Any], *args: Any) -> Any:
    """Call a user hook or action, sync or async."""
    result = fn(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


@dataclass(slots=True)
class Hibernated:
    """What outlives an actor's sleep: its open WebSockets and waiting queue senders."""

    conns: dict[str, ConnContext]
    closers: dict[str, Callable[[int, str], None]]
    waiters: dict[int, asyncio.Future[Any]]


class ActorRuntime:
    """A live actor: its Python object, state, connections, lock and queue."""

    def __init__(self, host: ActorHost, cls: type[Actor], record: ActorRecord) -> None:
        self.host = host
        self.cls = cls
        self.record = record
        self.instance: Actor = cls()
        self.vars: Any = None
        self.conns: dict[str, ConnContext] = {}
        self.lock: asyncio.Lock | contextlib.nullcontext[None] = (
            contextlib.nullcontext() if cls.interleave else asyncio.Lock()
        )
        self.start_ts = now_ms()
        # The engine's generation of this actor (bumped at every start there); 1 embedded.
        self.generation = 1
        self.destroyed = False
        self.stopping = False  # going to sleep: new work goes to the next instance
        self.slept = False
        self.timer = SleepTimer(cls.sleep_timeout, self._idle, self.request_sleep)
        self.activity = Activity(self.timer.rearm)
        self._destroy_requested = False
        self._saved: bytes | None = None
        self.queue = ActorQueue(self)
        self._worker: asyncio.Task[None] | None = None
        self._closers: dict[str, Callable[[int, str], None]] = {}

    @property
    def schedule(self) -> Schedule:
        """This actor's ``ctx.schedule`` (stored calls of its actions, kept by the host)."""
        return Schedule(self.host, self.record.actor_id)

    @property
    def specifier(self) -> ActorSpecifier:
        key = self.record.serialized_key if self.record.key else None
        return ActorSpecifier(self.record.actor_id, self.generation, key)

    @property
    def timeout(self) -> float:
        return float(self.cls.action_timeout)

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        store = self.host.store
        raw = None if self.cls.__stateless__ else await store.load_state(self.record.actor_id)
        if self.cls.__stateless__:
            self.instance.state = None
        elif raw is None:
            input_ = None if self.record.input is None else decode_value(self.record.input)
            state = await self._bounded(
                call_user(self.instance.create_state, ActorContext(self), input_)
            )
            self.instance.state = state
            await self.persist()
        else:
            self.instance.state = decode_value(raw)
            self._saved = raw
        self.vars = await self._bounded(call_user(self.instance.create_vars, ActorContext(self)))
        await self.queue.load()
        on_wake = getattr(self.instance, "on_wake", None)
        if on_wake is not None:
            await self.locked(lambda: self.run_user(on_wake, ActorContext(self)))
        self.timer.rearm()

    # --- sleep -------------------------------------------------------------------------

    def _idle(self) -> bool:
        return self.activity.busy == 0 and not self.conns and not self.stopping

    def request_sleep(self) -> None:
        """``ctx.sleep()`` and the idle timer: sleep once the work in flight is done."""
        if not self.stopping and not self.destroyed:
            self.host.spawn(self.host.sleep(self.record.actor_id))

    async def stop_for_sleep(self, grace: float) -> dict[int, asyncio.Future[Any]]:
        """Wait for the work in flight (at most ``grace`` s), run ``on_sleep``, store the
        state; returns the queue's waiting senders (the next instance answers them)."""
        self.stopping = True
        self.timer.stop()
        try:
            await asyncio.wait_for(self.activity.idle(), grace)
        except TimeoutError:
            log.warning("actor %s: still busy after %.0f s; sleeping", self.record.name, grace)
        # Raw WebSockets do not hibernate (RivetKit: closed with 1000 actor.stopped).
        for conn in list(self.conns.values()):
            close = self._closers.get(conn.id)
            if conn.outbox is None and close is not None:
                close(1000, "actor.stopped")
        hook = getattr(self.instance, "on_sleep", None)
        if hook is not None:
            try:
                await self.run_user(hook, ActorContext(self))
            except Exception as exc:
                public_error(exc, where=f"on_sleep of actor {self.record.name}")
        await self._persist_quietly()
        self.slept = True
        return self.queue.hibernate()

    def keep_awake(self, awaitable: Awaitable[_T]) -> asyncio.Task[_T]:
        """Run ``awaitable`` as a task; the actor does not sleep before it is done."""

        # Counted now, not when the task first runs: a sleep asked for right after the
        # action must already wait for it.
        self.activity.begin()

        async def hold() -> _T:
            return await awaitable

        def done(_: asyncio.Task[_T]) -> None:
            self.activity.end()
            if inspect.iscoroutine(awaitable):
                awaitable.close()  # cancelled before it ran: no "never awaited" warning

        task = self.host.spawn(hold())
        task.add_done_callback(done)
        return task

    def request_destroy(self) -> None:
        """``ctx.destroy()``: destroy the actor once the work in flight is done."""
        if self._destroy_requested or self.destroyed:
            return
        self._destroy_requested = True

        async def when_idle() -> None:
            await self.activity.idle()
            await self.host.destroy(self.record.actor_id)

        self.host.spawn(when_idle())

    def adopt(self, hibernated: Hibernated) -> None:
        """Take over the connections (and waiting queue senders) of the instance that slept."""
        self.conns.update(hibernated.conns)
        self._closers.update(hibernated.closers)
        self.queue.adopt_waiters(hibernated.waiters)

    def hibernated(self, waiters: dict[int, asyncio.Future[Any]]) -> Hibernated:
        """The protocol sockets that outlive the sleep (raw ones were closed)."""
        kept = {cid: c for cid, c in self.conns.items() if c.outbox is not None}
        closers = {cid: f for cid, f in self._closers.items() if cid in kept}
        return Hibernated(kept, closers, waiters)

    async def finish_destroy(self, code: int, reason: str) -> None:
        """Run ``on_destroy`` (errors are logged), then :meth:`destroy`."""
        hook = getattr(self.instance, "on_destroy", None)
        if hook is not None:
            try:
                await self._bounded(call_user(hook, ActorContext(self)))
            except Exception as exc:
                public_error(exc, where=f"on_destroy of actor {self.record.name}")
        self.destroy(reason, code)

    def destroy(self, reason: str = "actor.destroyed", code: int = 1011) -> None:
        """Stop the actor: close its sockets, drop its queue (storage is marked by the host)."""
        self.destroyed = True
        for close in list(self._closers.values()):
            close(code, reason)
        self.timer.stop()
        self.queue.close(RivetError.actor_not_found())

    # --- state -------------------------------------------------------------------------

    async def persist(
        self, *, done_message: int | None = None, done_schedule: str | None = None
    ) -> None:
        """Write the state if it changed, with the queue message or scheduled call it handled
        retired in the same write. An unencodable state is rolled back, and raises."""
        done = done_message is not None or done_schedule is not None
        if self.cls.__stateless__:
            await self._retire(done_message, done_schedule)
            return
        try:
            raw = encode_value(self.instance.state)
        except (TypeError, ValueError) as exc:
            # The type only: the message may quote the state (params, tokens).
            log.error(
                "actor %s (%s): state cannot be stored (%s); rolled back",
                self.record.name,
                self.record.actor_id,
                type(exc).__name__,
            )
            self.instance.state = None if self._saved is None else decode_value(self._saved)
            await self._retire(done_message, done_schedule)
            raise RivetError.internal() from exc
        changed = self._saved is not None and raw != self._saved
        if raw != self._saved or done:
            try:
                await self.host.store.save_state(
                    self.record.actor_id,
                    raw,
                    done_message=done_message,
                    done_schedule=done_schedule,
                )
            except StoreError as exc:
                # Not stored, so not acknowledged: back to the last stored state.
                log.error(
                    "actor %s (%s): state not stored (%s); rolled back",
                    self.record.name,
                    self.record.actor_id,
                    exc,
                )
                self.instance.state = None if self._saved is None else decode_value(self._saved)
                raise RivetError.internal() from exc
            self._saved = raw
        if changed:
            await self._state_changed(raw)

    async def _retire(self, done_message: int | None, done_schedule: str | None) -> None:
        """Retire a handled message or call without a state to write with it."""
        if done_message is not None:
            await self.host.store.delete_message(self.record.actor_id, done_message)
        if done_schedule is not None:
            await self.host.store.delete_schedule(self.record.actor_id, done_schedule)

    async def _state_changed(self, raw: bytes) -> None:
        """Run ``on_state_change``; like RivetKit, it may not change the state (undone)."""
        hook = getattr(self.instance, "on_state_change", None)
        if hook is None:
            return
        try:
            await self._bounded(call_user(hook, ActorContext(self), self.instance.state))
        except Exception as exc:
            public_error(exc, where=f"on_state_change of actor {self.record.name}")
        try:
            unchanged = encode_value(self.instance.state) == raw
        except (TypeError, ValueError):
            unchanged = False
        if not unchanged:
            log.error(
                "actor %s: on_state_change changed the state; undone (not allowed)",
                self.record.name,
            )
            self.instance.state = decode_value(raw)

    async def run_user(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Call an actor's function (sync or async), bounded by ``action_timeout``."""
        return await self._bounded(call_user(fn, *args))

    async def _bounded(self, coro: Coroutine[Any, Any, _T]) -> _T:
        try:
            return await asyncio.wait_for(coro, self.timeout)
        except TimeoutError:
            raise RivetError.action_timed_out() from None

    # --- connections (call with the lock held) -------------------------------------------

    async def open_conn(
        self,
        params: Any,
        outbox: Outbox | None,
        *,
        on_registered: Callable[[ConnContext], None] | None = None,
        closer: Callable[[int, str], None] | None = None,
        request: Request | None = None,
    ) -> ConnContext:
        """Run ``on_before_connect``, ``create_conn_state`` (both with ``ctx.request``), then
        ``on_connect``."""
        inst = self.instance
        ctx = ActorContext(self, request)
        hook = getattr(inst, "on_before_connect", None)
        if hook is not None:
            await self._bounded(call_user(hook, ctx, params))
        conn = ConnContext(str(uuid.uuid4()), params, outbox)
        make_state = getattr(inst, "create_conn_state", None)
        if make_state is not None:
            conn.state = await self._bounded(call_user(make_state, ctx, params))
        self.conns[conn.id] = conn
        self.timer.rearm()
        if closer is not None:
            self._closers[conn.id] = closer
        if on_registered is not None:
            on_registered(conn)
        on_connect = getattr(inst, "on_connect", None)
        if on_connect is not None:
            try:
                await self._bounded(call_user(on_connect, ActionContext(self, conn)))
            except BaseException:
                self.conns.pop(conn.id, None)
                self._closers.pop(conn.id, None)
                self.timer.rearm()
                raise
        return conn

    async def close_conn(self, conn: ConnContext) -> None:
        """Forget a connection and run ``on_disconnect`` (its errors are only logged)."""
        self._closers.pop(conn.id, None)
        if self.conns.pop(conn.id, None) is None:
            return
        self.timer.rearm()
        hook = getattr(self.instance, "on_disconnect", None)
        if hook is not None:
            try:
                await self._bounded(call_user(hook, ActionContext(self, conn)))
            except Exception as exc:
                public_error(exc, where="on_disconnect")

    # --- actions -----------------------------------------------------------------------

    async def run_action(self, conn: ConnContext, name: str, args: list[Any]) -> Any:
        """Run one action (the lock must be held); raises the error to send."""
        act = self.cls.__actions__.get(name)
        if act is None:
            raise RivetError.action_not_found(name)
        ctx = ActionContext(self, conn)
        return await self._bounded(call_user(act.fn, self.instance, ctx, *args))

    async def check_guard(self, hook_name: str, conn: ConnContext, name: str) -> None:
        """``can_subscribe`` / ``can_publish``: ``False`` raises ``auth.forbidden`` (403)."""
        hook = getattr(self.instance, hook_name, None)
        if hook is None:
            return
        allowed = await self._bounded(call_user(hook, ActionContext(self, conn), name))
        if not isinstance(allowed, bool):
            raise TypeError(f"{hook_name} must return a bool, not {type(allowed).__name__}")
        if not allowed:
            raise RivetError("auth", "forbidden", "Forbidden", status=403)

    async def locked(self, work: Callable[[], Awaitable[_T]]) -> _T:
        """Run ``work`` under the lock, then persist; raises a public :class:`RivetError`."""
        async with self.activity.working(), self.lock:
            error: BaseException | None = None
            result: Any = None
            try:
                result = await work()
            except asyncio.CancelledError:
                await self._persist_quietly()
                raise
            except Exception as exc:
                error = exc
            try:
                await self.persist()
            except RivetError as exc:
                error = error or exc
            if error is not None:
                raise public_error(error, where=f"actor {self.record.name}") from None
            return result  # type: ignore[no-any-return]

    async def invoke(self, conn: ConnContext, name: str, args: list[Any]) -> Any:
        """An action from a WebSocket: lock, run, persist."""
        return await self.locked(lambda: self.run_action(conn, name, args))

    async def with_http_conn(
        self,
        params: Any,
        work: Callable[[ConnContext], Awaitable[_T]],
        request: Request | None = None,
    ) -> _T:
        """An HTTP call: a short-lived connection (hooks run), ``work``, then disconnect."""

        async def run() -> _T:
            conn = await self.open_conn(params, None, request=request)
            try:
                return await work(conn)
            finally:
                await self.close_conn(conn)

        return await self.locked(run)

    async def _persist_quietly(self) -> None:
        try:
            await self.persist()
        except RivetError:
            pass

    def broadcast(self, event: Event) -> None:
        cache: dict[str, bytes | str] = {}
        for conn in list(self.conns.values()):
            outbox = conn.outbox
            if outbox is None or event.name not in conn.subscriptions:
                continue
            data = cache.get(outbox.encoding)
            if data is None:
                codec = server_codec(outbox.encoding)
                assert codec is not None
                data = cache[outbox.encoding] = codec.encode_to_client(event)
            outbox.send_encoded(data)
