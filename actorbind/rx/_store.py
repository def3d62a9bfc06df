"""``ActorStore``: shared, ref-counted actor connections (like ``@rivetkit/framework-base``).

One :class:`ActorEntry` per ``(name, key, params, no_create)``; every user of the same values
shares its single connection. ``entry.mount()`` counts a user and returns the matching unmount
callable; when the count drops to zero the connection is kept for a grace period, so a quick
hide/show, a re-parent or a re-created widget reuses the socket instead of opening a second one.

Threads: an entry lives on its store's asyncio loop (the first running loop it is used on, or
``loop=``; with qasync: the Qt GUI thread). :meth:`ActorEntry.mount`, its unmount callables,
:meth:`ActorEntry.set_enabled` and :meth:`ActorEntry.reconnect` may be called from any thread:
off the loop thread they are marshalled with ``loop.call_soon_threadsafe``. Observables emit on
the loop thread; use :func:`~actorbind.rx.observe_on_loop` (or, in Qt, ``actorbind_qt.bind``)
to deliver elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

import reactivex
from reactivex import Observable, abc
from reactivex import operators as ops
from reactivex.subject import BehaviorSubject, Subject

from ..client.client import Client
from ..client.conn import ActorConn, Unsubscribe
from ..client.handle import ActorHandle, ParamsProvider
from ..protocol.connection import ConnStatus
from ..protocol.errors import InvalidState
from ..protocol.keys import normalize_key
from ._loop import call_on_loop, on_loop_thread
from ._options import DEFAULT_GRACE, ActorOptions, HashFunction, default_hash
from ._streams import events as conn_events

__all__ = ["ActorEntry", "ActorOptions", "ActorStore", "HashFunction", "default_hash"]

log = logging.getLogger("actorbind.rx.store")


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class ActorStore:
    """Shared connections for one client.

    Args:
        client: makes the handles and connections.
        grace: seconds to keep a connection nobody mounts any more (``0``: next loop turn).
        scheduler: a reactivex scheduler for the grace timer (tests pass a ``TestScheduler``);
            by default the loop's ``call_later``.
        hash_function: decides which entries are "the same actor".
        loop: the asyncio loop; by default the one running where the store is first used.
    """

    def __init__(
        self,
        client: Client,
        *,
        grace: float = DEFAULT_GRACE,
        scheduler: abc.SchedulerBase | None = None,
        hash_function: HashFunction = default_hash,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if grace < 0:
            raise ValueError("grace must be >= 0")
        self._client = client
        self._grace = grace
        self._scheduler = scheduler
        self._hash = hash_function
        self._loop = loop
        self._lock = threading.RLock()
        self._entries: dict[str, ActorEntry] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"ActorStore(entries={len(self._entries)}, grace={self._grace})"

    @property
    def client(self) -> Client:
        """The client every entry connects with."""
        return self._client

    @property
    def grace(self) -> float:
        """Seconds an entry with no mounts keeps its connection before disposing it."""
        return self._grace

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The asyncio loop the store's connections live on (None before first use)."""
        return self._loop

    @property
    def entries(self) -> tuple[ActorEntry, ...]:
        """The live entries (mounted, in their grace period, or not yet used)."""
        with self._lock:
            return tuple(e for e in self._entries.values() if not e.disposed)

    @property
    def closing(self) -> int:
        """How many connections are being disposed right now."""
        return len(self._closing)

    def entry(
        self,
        name: str,
        key: str | Sequence[str] | None = None,
        *,
        params: Any = None,
        no_create: bool = False,
        create_with_input: Any = None,
        create_in_region: str | None = None,
        get_params: ParamsProvider | None = None,
    ) -> ActorEntry:
        """The shared entry for these values (made if needed). It connects when mounted."""
        parts = normalize_key(key)
        options = ActorOptions(
            name, parts, params, no_create, create_with_input, create_in_region, get_params
        )
        digest = self._hash(name, parts, params, no_create)
        with self._lock:
            found = self._entries.get(digest)
            if found is not None and not found.disposed:
                found._options = options
                return found
            self._sweep()
            made = ActorEntry(self, digest, options)
            self._entries[digest] = made
            return made

    def mount(
        self,
        name: str,
        key: str | Sequence[str] | None = None,
        **options: Any,
    ) -> tuple[ActorEntry, Callable[[], None]]:
        """``entry(...)`` then ``entry.mount()``: returns the entry and its unmount callable."""
        found = self.entry(name, key, **options)
        return found, found.mount()

    async def aclose(self) -> None:
        """Dispose every entry now (no grace) and wait until their sockets are closed."""
        self._bind_loop()
        with self._lock:
            entries = list(self._entries.values())
        for found in entries:
            found._dispose()
        await self.wait_closed()

    async def wait_closed(self) -> None:
        """Wait for the connections being disposed right now (after a grace period ran out)."""
        while self._closing:
            await asyncio.wait(list(self._closing))

    # --- internals ------------------------------------------------------------------------

    def _sweep(self) -> None:
        """Forget entries nobody mounted and that hold no connection (caller holds the lock)."""
        for digest, found in list(self._entries.items()):
            if found.disposed or (
                found._refs == 0 and found._conn is None and found._timer is None
            ):
                del self._entries[digest]

    def _forget(self, found: ActorEntry) -> None:
        with self._lock:
            if self._entries.get(found.hash) is found:
                del self._entries[found.hash]

    def _bind_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            running = _running_loop()
            if running is None:
                raise InvalidState(
                    "ActorStore needs a running asyncio loop (in Qt apps: qasync's QEventLoop), "
                    "or pass loop="
                )
            self._loop = running
        return self._loop

    def _call(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the store's loop thread (now if we are on it)."""
        loop = self._loop
        if loop is None or on_loop_thread(loop):
            fn()
        else:
            call_on_loop(loop, fn)

    def _start_timer(self, fn: Callable[[], None]) -> Callable[[], None]:
        loop = self._bind_loop()
        if self._scheduler is not None:
            disposable = self._scheduler.schedule_relative(
                self._grace, lambda _s, _st: call_on_loop(loop, fn)
            )
            return disposable.dispose
        handle = loop.call_later(self._grace, fn)
        return handle.cancel

    def _dispose_conn(self, conn: ActorConn) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # nothing can run any more; the socket dies with the process
        task = loop.create_task(conn.dispose(), name="actorbind-store-dispose")
        self._closing.add(task)
        task.add_done_callback(self._closed)

    def _closed(self, task: asyncio.Task[None]) -> None:
        self._closing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.debug("dispose failed: %r", task.exception())


class ActorEntry:
    """One shared connection and its state: status, last error, the connection itself.

    Get it from :meth:`ActorStore.entry`; count users with :meth:`mount`.
    """

    def __init__(self, store: ActorStore, digest: str, options: ActorOptions) -> None:
        self._store = store
        self.hash = digest
        self._options = options
        self._refs = 0
        self._enabled = True
        self._conn: ActorConn | None = None
        self._handle: ActorHandle | None = None
        self._offs: list[Unsubscribe] = []
        self._timer: Callable[[], None] | None = None
        self._status: BehaviorSubject[ConnStatus] = BehaviorSubject(ConnStatus.IDLE)
        self._connections: BehaviorSubject[ActorConn | None] = BehaviorSubject(None)
        self._errors: Subject[Exception] = Subject()
        self._last_error: BehaviorSubject[Exception | None] = BehaviorSubject(None)
        self.disposed = False

    def __repr__(self) -> str:
        o = self._options
        return (
            f"ActorEntry(name={o.name!r}, key={list(o.key)!r}, refs={self._refs}, "
            f"status={self.status.value!r})"
        )

    # --- state ------------------------------------------------------------------------

    @property
    def options(self) -> ActorOptions:
        """What this entry was mounted with (name, key, params, ...)."""
        return self._options

    @property
    def refs(self) -> int:
        """How many mounts hold this entry."""
        return self._refs

    @property
    def status(self) -> ConnStatus:
        """The current connection status (``statuses`` emits its changes)."""
        return self._status.value

    @property
    def statuses(self) -> Observable[ConnStatus]:
        """The status now, then each change; completes (after ``idle``) when disposed."""
        return self._status

    @property
    def error(self) -> Exception | None:
        """The last connection error; cleared when the status becomes ``connected``."""
        return self._last_error.value

    @property
    def error_changes(self) -> Observable[Exception | None]:
        """The last error now, then each change (``None`` when cleared)."""
        return self._last_error

    @property
    def errors(self) -> Observable[Exception]:
        """Each connection error as it happens (from the current connection only)."""
        return self._errors

    @property
    def connection(self) -> ActorConn | None:
        """The live connection, or None while none is open."""
        return self._conn

    @property
    def connections(self) -> Observable[ActorConn | None]:
        """The current connection, then each replacement (``None`` when there is none)."""
        return self._connections

    @property
    def handle(self) -> ActorHandle | None:
        """The actor's handle while a connection is open, else None."""
        return self._handle

    @property
    def enabled(self) -> bool:
        """Whether the entry may connect (``enabled=False`` keeps it idle)."""
        return self._enabled

    def events(self, name: str) -> Observable[list[Any]]:
        """``name`` events of whichever connection is current (switches when it is replaced)."""

        def select(conn: ActorConn | None) -> Observable[list[Any]]:
            return conn_events(conn, name) if conn is not None else reactivex.empty()

        return self._connections.pipe(ops.map(select), ops.switch_latest())

    # --- commands ---------------------------------------------------------------------

    def mount(self) -> Callable[[], None]:
        """Count one more user; connects on the first one (if enabled).

        Returns the unmount callable (idempotent, callable from any thread). When the last
        user unmounts, the connection is disposed after the store's grace period unless
        someone mounts again first.

        Raises:
            InvalidState: the entry was disposed (get a fresh one from the store), or there is
                no asyncio loop to connect on.
        """
        if self.disposed:
            raise InvalidState("this ActorEntry was disposed; ask the store for a new one")
        if self._store._loop is None:
            self._store._bind_loop()
        lock = threading.Lock()
        done = False

        def unmount() -> None:
            nonlocal done
            with lock:
                if done:
                    return
                done = True
            self._store._call(self._release)

        self._store._call(self._acquire)
        return unmount

    def set_enabled(self, enabled: bool) -> None:
        """Off: dispose the connection and go ``idle``. On: connect again if mounted.

        Shared by every user of the entry (as React's ``enabled`` option).
        """
        self._store._call(lambda: self._set_enabled(enabled))

    def reconnect(self) -> None:
        """Try again after the connection gave up (``idle`` with an error, e.g. bad auth)."""
        self._store._call(self._reconnect)

    async def action(self, name: str, *args: Any) -> Any:
        """Call an action over the current connection (queued until it is connected).

        Raises:
            InvalidState: there is no connection (not mounted, disabled or disposed).
        """
        conn = self._conn
        if conn is None:
            raise InvalidState(
                f"no connection to {self._options.name!r}: not mounted, disabled or disposed"
            )
        return await conn.action(name, *args)

    # --- on the loop thread -----------------------------------------------------------

    def _acquire(self) -> None:
        if self.disposed:
            return
        self._refs += 1
        if self._timer is not None:
            self._timer()
            self._timer = None
        if self._enabled and self._conn is None:
            self._connect()

    def _release(self) -> None:
        if self.disposed or self._refs == 0:
            return
        self._refs -= 1
        if self._refs == 0 and self._timer is None:
            loop = self._store._loop
            if loop is not None and loop.is_closed():
                self._dispose()
                return
            self._timer = self._store._start_timer(self._expire)

    def _expire(self) -> None:
        self._timer = None
        if self._refs == 0 and not self.disposed:
            self._dispose()

    def _set_enabled(self, enabled: bool) -> None:
        if self.disposed or enabled == self._enabled:
            return
        self._enabled = enabled
        if not enabled:
            self._drop_connection()
        elif self._refs > 0 and self._conn is None:
            self._connect()

    def _reconnect(self) -> None:
        if self.disposed or not self._enabled:
            return
        conn = self._conn
        if conn is None:
            if self._refs > 0:
                self._connect()
        elif conn.status is ConnStatus.IDLE and not conn.disposed:
            conn.reconnect()

    def _connect(self) -> None:
        o = self._options
        client = self._store.client
        try:
            if o.no_create:
                handle = client.get(o.name, o.key, params=o.params)
            else:
                handle = client.get_or_create(
                    o.name,
                    o.key,
                    params=o.params,
                    create_with_input=o.create_with_input,
                    create_in_region=o.create_in_region,
                )
            conn = handle.connect(get_params=o.get_params)
        except Exception as exc:  # e.g. a disposed client: report it, stay idle
            self._set_error(exc)
            self._set_status(ConnStatus.IDLE)
            return
        self._conn, self._handle = conn, handle
        self._offs = [
            conn.on_status_change(lambda status: self._on_status(conn, status)),
            conn.on_error(lambda error: self._on_error(conn, error)),
        ]
        self._connections.on_next(conn)
        self._on_status(conn, conn.status)

    def _on_status(self, conn: ActorConn, status: ConnStatus) -> None:
        if conn is not self._conn:
            return  # a superseded connection: ignore it
        if status is ConnStatus.CONNECTED and self._last_error.value is not None:
            self._last_error.on_next(None)
        self._set_status(status)

    def _on_error(self, conn: ActorConn, error: Exception) -> None:
        if conn is not self._conn:
            return
        self._set_error(error)

    def _set_error(self, error: Exception) -> None:
        self._last_error.on_next(error)
        self._errors.on_next(error)

    def _set_status(self, status: ConnStatus) -> None:
        if self._status.value is not status:
            self._status.on_next(status)

    def _drop_connection(self) -> None:
        conn = self._conn
        for off in self._offs:
            off()
        self._offs = []
        self._conn = None
        self._handle = None
        if conn is not None:
            self._connections.on_next(None)
            self._store._dispose_conn(conn)
        self._set_status(ConnStatus.IDLE)

    def _dispose(self) -> None:
        if self.disposed:
            return
        self.disposed = True
        if self._timer is not None:
            self._timer()
            self._timer = None
        self._store._forget(self)
        self._drop_connection()
        self._connections.on_completed()
        self._status.on_completed()
        self._errors.on_completed()
        self._last_error.on_completed()
