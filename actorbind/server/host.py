"""All actors of one server: :class:`ActorHost` creates, finds, wakes and destroys them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import sqlite3
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from actorbind.protocol import ActorKey

from .actor import Actor
from .context import ConnContext
from .errors import RivetError, log_failure
from .limits import Limits
from .registry import Registry
from .runtime import ActorRuntime, Hibernated
from .schedule import AlarmKeeper, Alarms
from .storage import ActorRecord, ActorStore, Storage, now_ms

__all__ = ["ActorHost", "new_actor_id"]

log = logging.getLogger("actorbind.server")
_T = TypeVar("_T")


def new_actor_id() -> str:
    # Same shape as the engine's ids: 30 lowercase base-36 characters.
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(30))


class ActorHost:
    """All actors of one server: lookup, creation, waking and destruction."""

    def __init__(
        self,
        registry: Registry,
        storage: Storage,
        limits: Limits,
        store: ActorStore | None = None,
        *,
        allow_unknown_names: bool = False,
    ) -> None:
        self.registry = registry
        self.storage = storage
        # State and queues; the records stay in ``storage`` (SQLite) either way.
        self.store: ActorStore = storage if store is None else store
        self.limits = limits
        # Off by default: a name the registry does not serve would only leave durable records.
        self.allow_unknown_names = allow_unknown_names
        self.runtimes: dict[str, ActorRuntime] = {}
        self._starting: dict[str, asyncio.Task[ActorRuntime]] = {}
        self._stopping: dict[str, asyncio.Task[None]] = {}
        self._hibernated: dict[str, Hibernated] = {}
        self._first_start: dict[str, int] = {}
        self.sleep_ts: dict[str, int] = {}
        self.sleep_grace = 15.0  # RivetKit's sleepGracePeriod
        self.alarms: AlarmKeeper = Alarms(self)
        self._tasks: set[asyncio.Task[Any]] = set()
        # ctx.client(): injected by serve()/create_app (the server never imports the client).
        self.client_factory: Callable[[str], Any] | None = None
        self.endpoint: str | None = None
        self._client: Any = None

    def spawn(self, coro: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
        """Start a background task the host cancels at shutdown."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def shutdown(self) -> None:
        self.alarms.stop()
        for runtime in self.runtimes.values():
            runtime.timer.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        client, self._client = self._client, None
        dispose = getattr(client, "dispose", None)
        if dispose is not None:
            with contextlib.suppress(Exception):
                await dispose()

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
        """When the actor first started in this server (kept while it sleeps, as the engine)."""
        return self._first_start.get(actor_id)

    async def destroy(self, actor_id: str, *, code: int = 1000, reason: str = "") -> bool:
        """Destroy an actor: its record is marked at once (its key is free again), then a
        running actor runs ``on_destroy`` and its sockets close with ``code``/``reason``
        (RivetKit 2.3.19: a normal close for ``DELETE /actors/{id}`` and ``ctx.destroy()``)."""
        record = self.storage.by_id(actor_id)
        if record is None or record.destroy_ts is not None:
            return False
        self.storage.mark_destroyed(actor_id, now_ms())
        self.sleep_ts.pop(actor_id, None)
        hibernated = self._hibernated.pop(actor_id, None)
        if hibernated is not None:
            for close in hibernated.closers.values():
                close(code, reason)
        runtime = self.runtimes.pop(actor_id, None)
        if runtime is not None:
            await runtime.finish_destroy(code, reason)
        return True

    # --- sleep -------------------------------------------------------------------------

    async def sleep(self, actor_id: str) -> None:
        """Put a running actor to sleep (its open WebSockets stay open, hibernated)."""
        runtime = self.runtimes.get(actor_id)
        if runtime is None or runtime.stopping or actor_id in self._stopping:
            return
        task = asyncio.get_running_loop().create_task(self._sleep(runtime))
        self._stopping[actor_id] = task
        await asyncio.shield(task)

    async def _sleep(self, runtime: ActorRuntime) -> None:
        actor_id = runtime.record.actor_id
        try:
            waiters = await runtime.stop_for_sleep(self.sleep_grace)
            if self.runtimes.get(actor_id) is runtime:
                del self.runtimes[actor_id]
                self._hibernated[actor_id] = runtime.hibernated(waiters)
                self.sleep_ts[actor_id] = now_ms()
        finally:
            self._stopping.pop(actor_id, None)

    async def live(self, runtime: ActorRuntime) -> ActorRuntime:
        """The running instance of ``runtime``'s actor: itself, or the one woken after it
        slept (a WebSocket outlives the instance that accepted it)."""
        if not runtime.stopping:
            return runtime
        if runtime.destroyed:
            raise RivetError.actor_not_found()
        return await self.wake(runtime.record)

    async def forget_conn(self, runtime: ActorRuntime, conn: ConnContext) -> None:
        """A socket closed: run ``on_disconnect`` where the connection lives now (a sleeping
        actor is not woken for it: the connection is only dropped)."""
        if runtime.stopping:
            hibernated = self._hibernated.get(runtime.record.actor_id)
            if hibernated is not None and conn.id in hibernated.conns:
                hibernated.conns.pop(conn.id, None)
                hibernated.closers.pop(conn.id, None)
                return
            current = self.runtimes.get(runtime.record.actor_id)
            if current is None:
                return
            runtime = current
        try:
            await runtime.locked(lambda: runtime.close_conn(conn))
        except RivetError:
            pass

    def is_asleep(self, actor_id: str) -> bool:
        return actor_id in self.sleep_ts

    def client(self) -> Any:
        """The client actors use for other actors (``ctx.client()``), made on first use.

        Raises:
            RuntimeError: the server was started without a client factory.
        """
        if self._client is None:
            if self.client_factory is None or self.endpoint is None:
                raise RuntimeError(
                    "ctx.client() needs a client factory: serve(registry, client=create_client)"
                )
            self._client = self.client_factory(self.endpoint)
        return self._client

    # --- waking ------------------------------------------------------------------------

    async def wake(self, record: ActorRecord) -> ActorRuntime:
        """The live runtime of an actor, starting (or waking) it if needed.

        Raises:
            RivetError: gateway errors (``guard.actor_wake_retries_exceeded`` for a name the
                registry does not know, ``core.internal_error`` if the actor fails to start).
        """
        stopping = self._stopping.get(record.actor_id)
        if stopping is not None:
            await asyncio.shield(stopping)
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
            hibernated = self._hibernated.pop(record.actor_id, None)
            if hibernated is not None:
                runtime.adopt(hibernated)
            try:
                await runtime.start()
            except Exception as exc:
                log_failure(f"starting actor {record.name} ({record.actor_id})", exc)
                raise RivetError.internal("core") from None
            self.runtimes[record.actor_id] = runtime
            self._first_start.setdefault(record.actor_id, runtime.start_ts)
            self.sleep_ts.pop(record.actor_id, None)
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
