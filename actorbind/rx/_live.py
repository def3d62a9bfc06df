"""``live_state``: an actor's state as a reactive value, correct across reconnects.

The rules (``docs/state.md`` tells the whole story):

* the snapshot is loaded with an action over the **same socket** as the events, so the
  server's order of "event sent" and "reply sent" is the order we see;
* the event listeners are in place before the load is sent; events that arrive before the
  load's reply are already in the snapshot and are dropped, later ones are folded;
* "before the reply" is decided at the reply's place in the socket's stream
  (:meth:`ActorConn.action_in_order`), never by when an awaiting task happens to resume;
* every new ``Init`` (each (re)connect) loads again; meanwhile the last value stays, ``stale``;
* a failed load sets ``error``, goes to ``errors`` and is tried again on the next connect; a
  reducer that raises is reported and the state goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import reactivex
from reactivex import Observable, abc
from reactivex.disposable import Disposable, SerialDisposable
from reactivex.subject import BehaviorSubject, Subject

from ..client.conn import ActorConn, Unsubscribe
from ..protocol.connection import ConnStatus
from ._batch import BatchListener, ReadBatch
from ._loop import call_on_loop, on_loop_thread, subscribe_on_loop
from ._store import ActorEntry

__all__ = ["LiveSource", "LiveState", "LiveStatus", "Reducer", "live_state"]

log = logging.getLogger("actorbind.rx.live")

T = TypeVar("T")
Reducer = Callable[..., Any]
"""``reducer(state, *event_args) -> new_state``."""

LiveSource = ActorConn | ActorEntry | Observable[ActorConn | None]
"""Where a live state gets its connection: one connection, a store entry (follows whichever
connection is current), or any observable of connections."""


@dataclass(frozen=True, slots=True)
class LiveStatus:
    """The flags of a :class:`LiveState` at one moment."""

    loaded: bool
    """A snapshot arrived at least once (``value`` is the actor's, not ``initial``)."""
    stale: bool
    """``value`` is not being kept current right now: disconnected, or reloading."""
    error: Exception | None
    """The last failed load or raising reducer; cleared by the next successful load."""


class LiveState(Observable[T]):
    """An actor's state kept current from a snapshot plus events. Make it with
    :func:`live_state`.

    Subscribing replays the latest value (once loaded), then every change. Completes when
    :meth:`dispose` is called or the source is gone (a disposed connection or store entry).
    Lives on the connection's asyncio loop thread: values and flags change there.
    """

    def __init__(
        self,
        source: LiveSource,
        load: str,
        args: Sequence[Any] = (),
        *,
        reducers: Mapping[str, Reducer] | None = None,
        initial: Any = None,
    ) -> None:
        super().__init__()
        self._load_name = load
        self._args = tuple(args)
        self._reducers = dict(reducers or {})
        self._check_reducers()
        self._value: Any = initial  # the actor's state, as far as we know
        self._shown: Any = initial  # with the optimistic changes on top (while there are any)
        self._overlays: dict[int, Callable[[Any], Any]] = {}
        self._next_overlay = 0
        self._loaded = False
        self._stale = False
        self._error: Exception | None = None
        self._values: Subject[T] = Subject()
        self._status: BehaviorSubject[LiveStatus] = BehaviorSubject(LiveStatus(False, False, None))
        self._errors: Subject[Exception] = Subject()
        self._batch: ReadBatch[Any] = ReadBatch()
        self._conn: ActorConn | None = None
        self._offs: list[Unsubscribe] = []
        self._live = False  # folding events of the current socket (its snapshot arrived)
        self._token = 0  # names the load in flight; bumped to forget it
        self._disposed = False
        self._source = SerialDisposable()
        connections, self._loop = _connections_of(source)
        if self._loop is not None:
            connections = subscribe_on_loop(self._loop, connections)
        self._source.disposable = connections.subscribe(
            self._attach, self._on_source_error, self.dispose
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(load={self._load_name!r}, loaded={self._loaded}, "
            f"stale={self._stale}, error={self._error!r})"
        )

    # --- state --------------------------------------------------------------------------

    @property
    def value(self) -> T:
        """The current state (``initial`` until the first snapshot arrives), with any
        :meth:`optimistic` changes applied."""
        return self._shown if self._overlays else self._value  # type: ignore[no-any-return]

    @property
    def confirmed(self) -> T:
        """The actor's state as far as we know, without optimistic changes."""
        return self._value  # type: ignore[no-any-return]

    @property
    def loaded(self) -> bool:
        """Whether a first snapshot has arrived."""
        return self._loaded

    @property
    def stale(self) -> bool:
        """Whether the value may be old: disconnected, or reloading after a reconnect."""
        return self._stale

    @property
    def error(self) -> Exception | None:
        """The last load's error, or None."""
        return self._error

    @property
    def status(self) -> Observable[LiveStatus]:
        """``loaded``/``stale``/``error`` now, then each change."""
        return self._status

    @property
    def errors(self) -> Observable[Exception]:
        """Each failed load and each exception raised by a reducer."""
        return self._errors

    @property
    def disposed(self) -> bool:
        """Whether :meth:`dispose` was called."""
        return self._disposed

    @property
    def load(self) -> tuple[str, tuple[Any, ...]]:
        """The load action and its args."""
        return self._load_name, self._args

    def optimistic(self, change: Callable[[Any], Any]) -> Callable[[], None]:
        """Show ``change(value)`` at once, until the returned function is called.

        Events keep folding into the actor's state underneath and the change is re-applied on
        top of each new value; calling the returned function (e.g. when the action that makes
        the real change has answered: its events came before its reply) drops it. Loop thread.
        A raising ``change`` is reported and dropped.
        """
        token = self._next_overlay
        self._next_overlay += 1
        self._overlays[token] = change
        self._overlays_changed()

        def settle() -> None:
            if self._overlays.pop(token, None) is not None and not self._disposed:
                self._overlays_changed()

        return settle

    def reload(self) -> None:
        """Load the snapshot again now (over the current connection, if it is connected)."""
        self._on_loop(self._reload)

    def dispose(self) -> None:
        """Stop listening and complete the observables. Idempotent; any thread."""
        self._on_loop(self._dispose)

    # --- Observable -----------------------------------------------------------------------

    def _subscribe_core(
        self, observer: abc.ObserverBase[T], scheduler: abc.SchedulerBase | None = None
    ) -> abc.DisposableBase:
        if self._disposed:
            observer.on_completed()
            return Disposable()
        if self._loaded:
            observer.on_next(self._current())
        return self._values.subscribe(observer, scheduler=scheduler)

    def _listen_batches(self, listener: BatchListener[Any]) -> Callable[[], None]:
        """For views: ``listener(changes)`` once per socket read that changed the state (the
        values, or for a list its :data:`ListChange` s, in order), and at once for a change
        made outside a read; a snapshot is delivered before the flags change. Loop thread.
        Returns the function that removes it."""
        return self._batch.listen(listener)

    # --- what subclasses change (lists) ----------------------------------------------------

    def _check_reducers(self) -> None:
        for name, reducer in self._reducers.items():
            if not callable(reducer):
                raise TypeError(f"the reducer for {name!r} is not callable")

    def _current(self) -> T:
        return self.value

    def _set_snapshot(self, output: Any) -> None:
        self._value = output
        self._publish_value()

    def _fold(self, reducer: Reducer, args: tuple[Any, ...]) -> None:
        self._value = reducer(self._value, *args)
        self._publish_value()

    def _overlays_changed(self) -> None:
        self._publish_value()

    def _publish_value(self) -> None:
        if self._overlays:
            self._shown = self._with_overlays(self._value)
        if self._loaded or self._live:
            value = self.value
            if self._values.observers:
                self._values.on_next(value)
            if self._batch.listeners:
                self._batch.add(self._conn, [value])

    def _with_overlays(self, base: Any) -> Any:
        for token, change in list(self._overlays.items()):
            try:
                base = change(base)
            except Exception as exc:
                del self._overlays[token]
                self._report(exc, "an optimistic change raised")
        return base

    # --- following connections (loop thread) ------------------------------------------------

    def _attach(self, conn: ActorConn | None) -> None:
        if self._disposed or conn is self._conn:
            return
        self._detach()
        if conn is None or conn.disposed:
            return
        self._conn = conn
        # Listeners first: a subscription (or a load) sent later on the same socket is
        # behind them, so no event between "subscribed" and "snapshot taken" can be missed.
        self._offs = [
            conn.on(name, self._listener(conn, reducer)) for name, reducer in self._reducers.items()
        ]
        self._offs.append(conn.on_status_change(lambda status: self._on_status(conn, status)))
        if conn.status is ConnStatus.CONNECTED:
            self._start_load(conn)

    def _detach(self) -> None:
        offs, self._offs = self._offs, []
        for off in offs:
            off()
        self._conn = None
        self._token += 1
        self._live = False
        self._set_flags(stale=self._loaded)

    def _listener(self, conn: ActorConn, reducer: Reducer) -> Callable[..., None]:
        def on_event(*args: Any) -> None:
            if conn is not self._conn or not self._live:
                return  # no snapshot on this socket yet: the one coming includes this event
            try:
                self._fold(reducer, args)
            except Exception as exc:
                self._report(exc, f"a reducer of {self._load_name!r} state raised")

        return on_event

    def _on_status(self, conn: ActorConn, status: ConnStatus) -> None:
        if conn is not self._conn:
            return
        if status is ConnStatus.CONNECTED:
            self._start_load(conn)  # a new Init: this socket needs its own snapshot
            return
        self._token += 1  # a reply still in flight died with the socket
        self._live = False
        self._set_flags(stale=self._loaded)
        if conn.disposed:
            self._detach()

    def _start_load(self, conn: ActorConn) -> None:
        self._token += 1
        token = self._token
        self._live = False
        self._set_flags(stale=self._loaded)

        def on_done(output: Any, error: Exception | None) -> None:
            self._on_reply(conn, token, output, error)

        try:
            conn.action_in_order(self._load_name, self._args, on_done)
        except Exception as exc:  # e.g. args that cannot be encoded
            self._report(exc, f"loading {self._load_name!r} failed")

    def _on_reply(self, conn: ActorConn, token: int, output: Any, error: Exception | None) -> None:
        if self._disposed or conn is not self._conn or token != self._token:
            return  # superseded: a later socket or reload brings its own snapshot
        if error is not None:
            self._report(error, f"loading {self._load_name!r} failed")
            return  # events stay dropped; the next connect (or reload()) loads again
        self._live = True
        try:
            self._set_snapshot(output)
        except Exception as exc:
            self._live = False
            self._report(exc, f"the snapshot of {self._load_name!r} was rejected")
            return
        self._batch.flush()  # views show the snapshot before its flags change
        self._set_flags(loaded=True, stale=False, error=None)

    def _reload(self) -> None:
        conn = self._conn
        if not self._disposed and conn is not None and conn.status is ConnStatus.CONNECTED:
            self._start_load(conn)

    def _on_source_error(self, error: Exception) -> None:
        self._report(error, "the connection source failed")
        self._dispose()

    def _dispose(self) -> None:
        if self._disposed:
            return
        self._disposed = True
        self._source.dispose()
        offs, self._offs = self._offs, []
        for off in offs:
            off()
        self._conn = None
        self._token += 1
        self._live = False
        self._values.on_completed()
        self._status.on_completed()
        self._errors.on_completed()

    # --- plumbing ---------------------------------------------------------------------------

    def _report(self, error: Exception, what: str) -> None:
        log.warning("%s: %r", what, error)
        self._set_flags(error=error)
        if not self._disposed:
            self._errors.on_next(error)

    _UNSET: Any = object()

    def _set_flags(
        self, *, loaded: bool | None = None, stale: bool | None = None, error: Any = _UNSET
    ) -> None:
        if loaded is not None:
            self._loaded = loaded
        if stale is not None:
            self._stale = stale
        if error is not LiveState._UNSET:
            self._error = error
        now = LiveStatus(self._loaded, self._stale, self._error)
        if not self._disposed and now != self._status.value:
            self._status.on_next(now)

    def _on_loop(self, fn: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None or on_loop_thread(loop):
            fn()
        else:
            call_on_loop(loop, fn)


def _connections_of(
    source: LiveSource,
) -> tuple[Observable[ActorConn | None], asyncio.AbstractEventLoop | None]:
    if isinstance(source, ActorEntry):
        return source.connections, source._store.loop
    if isinstance(source, Observable):
        return source, None
    if not isinstance(source, ActorConn):
        raise TypeError(f"live state needs an ActorConn or an ActorEntry, not {source!r}")
    conn = source

    def subscribe(
        observer: abc.ObserverBase[ActorConn | None], scheduler: abc.SchedulerBase | None = None
    ) -> abc.DisposableBase:
        if conn.disposed:
            observer.on_completed()
            return Disposable()
        observer.on_next(conn)

        def on_status(_: ConnStatus) -> None:
            if conn.disposed:
                off()
                observer.on_completed()

        off = conn.on_status_change(on_status)
        return Disposable(off)

    return reactivex.create(subscribe), conn._loop


def live_state(
    source: LiveSource,
    load: str,
    *args: Any,
    reducers: Mapping[str, Reducer] | None = None,
    initial: Any = None,
) -> LiveState[Any]:
    """The actor's state from the action ``load(*args)``, kept current by ``reducers``.

    ``reducers[event](state, *event_args) -> new_state`` folds each event that arrives after
    the snapshot. ``source`` is an :class:`~actorbind.ActorConn` or an
    :class:`~actorbind.rx.ActorEntry` (the state follows the entry's current connection).
    ``value`` is ``initial`` until the first snapshot. Call it on the connection's loop thread
    (or it is set up there soon).

    ::

        count = live_state(conn, "getCount", reducers={"newCount": lambda old, new: new})
        count.subscribe(print)            # the current count, then each new one
        count.value, count.loaded, count.stale, count.error
    """
    return LiveState(source, load, args, reducers=reducers, initial=initial)
