"""Running actors: one :class:`ActorRuntime` per live actor id, and the :class:`ActorHost`.

Everything that touches an actor's state runs under the actor's lock (actions, queue handlers,
connection hooks), one at a time in arrival order, and the state is written to storage before
the lock is released, so a reply that was sent is durable. An actor with ``interleave = True``
has no lock: each piece of work starts when it arrives (RivetKit's dispatch), and the state is
still written after each one.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import inspect
import logging
import secrets
import sqlite3
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import cbor2

from actorbind.protocol import ActorKey, ActorSpecifier, Event, from_compat, to_compat

from .actor import Actor
from .context import ActionContext, ActorContext, ConnContext, Outbox
from .errors import RivetError, public_error
from .registry import Registry
from .storage import ActorRecord, ActorStore, QueuedMessage, Storage, now_ms
from .wire import server_codec

__all__ = ["ActorHost", "ActorRuntime", "Limits", "call_user"]

log = logging.getLogger("actorbind.server")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Limits:
    """Message size limits, RivetKit's defaults."""

    max_incoming: int = 65_536
    max_outgoing: int = 1_048_576


async def call_user(fn: Callable[..., Any], *args: Any) -> Any:
    """Call a user hook or action, sync or async."""
    result = fn(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


def encode_value(value: Any) -> bytes:
    return bytes(cbor2.dumps(to_compat(value)))


def decode_value(raw: bytes) -> Any:
    return from_compat(cbor2.loads(raw))


def new_actor_id() -> str:
    # Same shape as the engine's ids: 30 lowercase base-36 characters.
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(30))


class ActorRuntime:
    """A live actor: its Python object, state, connections, lock and queue."""

    def __init__(self, host: ActorHost, cls: type[Actor], record: ActorRecord) -> None:
        self.host = host
        self.cls = cls
        self.record = record
        self.instance: Actor = cls()
        self.conns: dict[str, ConnContext] = {}
        self.lock: asyncio.Lock | contextlib.nullcontext[None] = (
            contextlib.nullcontext() if cls.interleave else asyncio.Lock()
        )
        self.start_ts = now_ms()
        # The engine's generation of this actor (bumped at every start there); 1 embedded.
        self.generation = 1
        self.destroyed = False
        self._saved: bytes | None = None
        self._pending: collections.deque[QueuedMessage] = collections.deque()
        self._waiters: dict[int, asyncio.Future[Any]] = {}
        self._worker: asyncio.Task[None] | None = None
        self._closers: dict[str, Callable[[int, str], None]] = {}

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
        self._pending.extend(await store.pending(self.record.actor_id))
        self._kick_worker()

    def destroy(self) -> None:
        """Stop the actor: close its sockets, drop its queue (storage is marked by the host)."""
        self.destroyed = True
        for close in list(self._closers.values()):
            close(1011, "actor.destroyed")
        if self._worker is not None:
            self._worker.cancel()
        for fut in self._waiters.values():
            if not fut.done():
                fut.set_exception(RivetError.actor_not_found())
        self._waiters.clear()
        self._pending.clear()

    # --- state -------------------------------------------------------------------------

    async def persist(self, *, done_message: int | None = None) -> None:
        """Write the state if it changed. An unencodable state is rolled back, and raises."""
        if self.cls.__stateless__:
            if done_message is not None:
                await self.host.store.delete_message(self.record.actor_id, done_message)
            return
        try:
            raw = encode_value(self.instance.state)
        except (TypeError, ValueError) as exc:
            log.error(
                "actor %s (%s): state cannot be stored (%s); rolled back",
                self.record.name,
                self.record.actor_id,
                exc,
            )
            self.instance.state = None if self._saved is None else decode_value(self._saved)
            if done_message is not None:
                await self.host.store.delete_message(self.record.actor_id, done_message)
            raise RivetError.internal() from exc
        if raw != self._saved or done_message is not None:
            await self.host.store.save_state(self.record.actor_id, raw, done_message=done_message)
            self._saved = raw

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
    ) -> ConnContext:
        """Run ``on_before_connect``, ``create_conn_state``, then ``on_connect``."""
        inst = self.instance
        ctx = ActorContext(self)
        hook = getattr(inst, "on_before_connect", None)
        if hook is not None:
            await self._bounded(call_user(hook, ctx, params))
        conn = ConnContext(str(uuid.uuid4()), params, outbox)
        make_state = getattr(inst, "create_conn_state", None)
        if make_state is not None:
            conn.state = await self._bounded(call_user(make_state, ctx, params))
        self.conns[conn.id] = conn
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
                raise
        return conn

    async def close_conn(self, conn: ConnContext) -> None:
        """Forget a connection and run ``on_disconnect`` (its errors are only logged)."""
        self._closers.pop(conn.id, None)
        if self.conns.pop(conn.id, None) is None:
            return
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

    async def locked(self, work: Callable[[], Awaitable[_T]]) -> _T:
        """Run ``work`` under the lock, then persist; raises a public :class:`RivetError`."""
        async with self.lock:
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

    async def with_http_conn(self, params: Any, work: Callable[[ConnContext], Awaitable[_T]]) -> _T:
        """An HTTP call: a short-lived connection (hooks run), ``work``, then disconnect."""

        async def run() -> _T:
            conn = await self.open_conn(params, None)
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

    # --- queue -------------------------------------------------------------------------

    async def enqueue(
        self, name: str, body: Any, *, wait: bool, timeout_ms: int | None
    ) -> tuple[str, Any]:
        """Persist a queue message; with ``wait``, the handler's reply (or ``timedOut``).

        As in RivetKit, a message to a queue the actor does not declare is dropped, and the
        sender still gets ``completed``.
        """
        if name not in self.cls.__queues__:
            # RivetKit answers "completed" at once and drops the message.
            return "completed", None
        raw = encode_value(body)
        seq = await self.host.store.enqueue(self.record.actor_id, name, raw)
        fut: asyncio.Future[Any] | None = None
        if wait:
            fut = asyncio.get_running_loop().create_future()
            self._waiters[seq] = fut
        self._pending.append(QueuedMessage(seq, name, raw))
        self._kick_worker()
        if fut is None:
            return "completed", None
        try:
            if timeout_ms is None:
                try:
                    return "completed", await asyncio.wait_for(asyncio.shield(fut), self.timeout)
                except TimeoutError:
                    raise RivetError.action_timed_out() from None
            try:
                return "completed", await asyncio.wait_for(asyncio.shield(fut), timeout_ms / 1000)
            except TimeoutError:
                return "timedOut", None
        finally:
            self._waiters.pop(seq, None)

    def _kick_worker(self) -> None:
        if self._pending and (self._worker is None or self._worker.done()) and not self.destroyed:
            self._worker = self.host.spawn(self._drain())

    async def _drain(self) -> None:
        while self._pending and not self.destroyed:
            msg = self._pending[0]
            handler = self.cls.__queues__.get(msg.name)
            error: BaseException | None = None
            result: Any = None
            async with self.lock:
                try:
                    if handler is None:
                        raise RivetError("queue", "not_found", f"Queue '{msg.name}' is not defined")
                    body = decode_value(msg.body)
                    result = await self._bounded(
                        call_user(handler, self.instance, ActorContext(self), body)
                    )
                except Exception as exc:
                    error = exc
                try:
                    await self.persist(done_message=msg.seq)
                except RivetError as exc:
                    error = error or exc
            self._pending.popleft()
            fut = self._waiters.get(msg.seq)
            if error is not None:
                err = public_error(error, where=f"queue {msg.name!r} of actor {self.record.name}")
                if fut is not None and not fut.done():
                    fut.set_exception(err)
            elif fut is not None and not fut.done():
                fut.set_result(result)


class ActorHost:
    """All actors of one server: lookup, creation, waking and destruction."""

    def __init__(
        self,
        registry: Registry,
        storage: Storage,
        limits: Limits,
        store: ActorStore | None = None,
    ) -> None:
        self.registry = registry
        self.storage = storage
        # State and queues; the records stay in ``storage`` (SQLite) either way.
        self.store: ActorStore = storage if store is None else store
        self.limits = limits
        self.runtimes: dict[str, ActorRuntime] = {}
        self._starting: dict[str, asyncio.Task[ActorRuntime]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
        """Start a background task the host cancels at shutdown."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def shutdown(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- records -----------------------------------------------------------------------

    def create(
        self,
        namespace: str,
        name: str,
        key: ActorKey,
        *,
        input: bytes | None = None,
        runner: str = "default",
        crash_policy: str = "sleep",
        datacenter: str | None = None,
    ) -> ActorRecord:
        """Create an actor record.

        Raises:
            RivetError: ``actor.duplicate_key`` (400) if the key is in use.
        """
        existing = self.storage.by_key(namespace, name, key)
        if existing is not None:
            raise _duplicate(existing)
        record = ActorRecord(
            actor_id=new_actor_id(),
            namespace=namespace,
            name=name,
            key=key,
            runner=runner,
            crash_policy=crash_policy,
            datacenter=datacenter or "default",
            input=input,
            create_ts=now_ms(),
        )
        try:
            self.storage.insert(record)
        except sqlite3.IntegrityError:
            found = self.storage.by_key(namespace, name, key)
            if found is None:
                raise
            raise _duplicate(found) from None
        return record

    def get_or_create(
        self, namespace: str, name: str, key: ActorKey, **options: Any
    ) -> tuple[ActorRecord, bool]:
        existing = self.storage.by_key(namespace, name, key)
        if existing is not None:
            return existing, False
        return self.create(namespace, name, key, **options), True

    def start_ts(self, actor_id: str) -> int | None:
        runtime = self.runtimes.get(actor_id)
        return None if runtime is None else runtime.start_ts

    def destroy(self, actor_id: str) -> bool:
        record = self.storage.by_id(actor_id)
        if record is None or record.destroy_ts is not None:
            return False
        self.storage.mark_destroyed(actor_id, now_ms())
        runtime = self.runtimes.pop(actor_id, None)
        if runtime is not None:
            runtime.destroy()
        return True

    # --- waking ------------------------------------------------------------------------

    async def wake(self, record: ActorRecord) -> ActorRuntime:
        """The live runtime of an actor, starting it if needed.

        Raises:
            RivetError: gateway errors (``guard.actor_wake_retries_exceeded`` for a name the
                registry does not know, ``core.internal_error`` if the actor fails to start).
        """
        runtime = self.runtimes.get(record.actor_id)
        if runtime is not None:
            return runtime
        task = self._starting.get(record.actor_id)
        if task is None:
            cls = self.registry.get(record.name)
            if cls is None:
                raise RivetError(
                    "guard",
                    "actor_wake_retries_exceeded",
                    f"Actor {record.actor_id} stopped before becoming ready: no actor named "
                    f"{record.name!r} in this registry.",
                    {"actor_id": record.actor_id, "reason": "actor_stopped_before_ready"},
                    status=503,
                )
            task = asyncio.get_running_loop().create_task(self._start(cls, record))
            self._starting[record.actor_id] = task
        return await asyncio.shield(task)

    async def _start(self, cls: type[Actor], record: ActorRecord) -> ActorRuntime:
        try:
            runtime = ActorRuntime(self, cls, record)
            try:
                await runtime.start()
            except Exception as exc:
                log.error(
                    "actor %s (%s) failed to start: %s",
                    record.name,
                    record.actor_id,
                    type(exc).__name__,
                    exc_info=exc,
                )
                raise RivetError.internal("core") from None
            self.runtimes[record.actor_id] = runtime
            return runtime
        finally:
            self._starting.pop(record.actor_id, None)


def _duplicate(existing: ActorRecord) -> RivetError:
    key = existing.serialized_key
    return RivetError(
        "actor",
        "duplicate_key",
        f"Actor key '{key}' already in use for actor '{existing.actor_id}'",
        {"existing_actor_id": existing.actor_id, "key": key},
        status=400,
    )
