"""A binding's state, in a plain object: the entry it holds and what follows from it.

The binding holds no copy of the connection's state: it follows the store entry it holds
(``entries``), and status, errors, connection and events are that entry's, switched with
``switch_latest`` when the entry is replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import reactivex
import shiboken6
from PySide6.QtWidgets import QWidget
from reactivex import Observable, abc
from reactivex import operators as ops
from reactivex.disposable import CompositeDisposable, Disposable, SerialDisposable
from reactivex.subject import BehaviorSubject, Subject

from actorbind import ActorConn, ConnDisposed, ConnStatus
from actorbind.rx import ActorEntry, ActorStore
from actorbind.rx import events as conn_events

from . import _app
from ._compat import emit
from ._lifecycle import WidgetLifecycle
from ._qml import ActorQmlState, describe
from ._work import Work

if TYPE_CHECKING:
    from ._binding import ActorBinding

__all__ = ["_Core"]


def _statuses(entry: ActorEntry | None) -> Observable[ConnStatus]:
    return entry.statuses if entry is not None else reactivex.just(ConnStatus.IDLE)


def _connections(entry: ActorEntry | None) -> Observable[ActorConn | None]:
    return entry.connections if entry is not None else reactivex.just(None)


def _errors(entry: ActorEntry | None) -> Observable[Exception]:
    return entry.errors if entry is not None else reactivex.empty()


def _error_changes(entry: ActorEntry | None) -> Observable[Exception | None]:
    return entry.error_changes if entry is not None else reactivex.just(None)


class _Core:
    """Everything a binding knows, in a plain object.

    The widget's ``destroyed`` signal is connected to a closure over this object (never to a
    method of the dying QObjects), and nothing here calls into Qt without checking that the
    object is still valid.
    """

    def __init__(
        self,
        binding: ActorBinding,
        widget: QWidget,
        store: ActorStore,
        options: dict[str, Any],
        enabled: bool,
        release_on_hide: bool,
    ) -> None:
        self.binding: ActorBinding | None = binding
        self.store = store
        self.options = options
        self.enabled = enabled
        self.finalized = False
        self.qml: ActorQmlState | None = None
        self.entries: BehaviorSubject[ActorEntry | None] = BehaviorSubject(None)
        self.entry_end = SerialDisposable()  # watches the held entry's completion
        self.failures: Subject[Exception] = Subject()  # failed calls and tasks
        switch: Any = ops.switch_latest()
        self.status: Observable[ConnStatus] = self.entries.pipe(
            ops.map(_statuses), switch, ops.distinct_until_changed()
        )
        self.connections: Observable[ActorConn | None] = self.entries.pipe(
            ops.map(_connections),
            ops.switch_latest(),
            ops.distinct_until_changed(comparer=lambda a, b: a is b),
        )
        self.errors: Observable[Exception] = reactivex.merge(
            self.entries.pipe(ops.map(_errors), ops.switch_latest()), self.failures
        )
        self.listening: dict[str, tuple[int, abc.DisposableBase]] = {}
        self.work = Work(self)
        self.lifecycle = WidgetLifecycle(
            binding,
            widget,
            self.mount,
            release_on_hide=release_on_hide,
            what=f"use_actor({options['name']!r}, {options['key']!r})",
        )
        self.widget_ref = self.lifecycle.widget_ref
        self.connected = False
        self.last_error: Exception | None = None
        self.subs = CompositeDisposable(
            self.status.subscribe(self.on_status),
            self.entries.pipe(ops.map(_error_changes), ops.switch_latest()).subscribe(
                self.on_last_error
            ),
            self.errors.subscribe(self.on_error),
        )

    # --- what the entry says -------------------------------------------------------------

    @property
    def entry(self) -> ActorEntry | None:
        return self.entries.value

    @property
    def connection(self) -> ActorConn | None:
        entry = self.entries.value
        return entry.connection if entry is not None else None

    @property
    def current_status(self) -> ConnStatus:
        entry = self.entries.value
        return entry.status if entry is not None else ConnStatus.IDLE

    def on_status(self, status: ConnStatus) -> None:
        self.emit("statusChanged", status.value)
        self.emit_qml("statusChanged")
        connected = status is ConnStatus.CONNECTED
        if connected and self.last_error is not None:
            self.last_error = None  # the entry cleared it just before: connected again
            self.emit("lastErrorChanged")
            self.emit_qml("lastErrorChanged")
        if connected != self.connected:
            self.connected = connected
            self.emit("connectedChanged", connected)
            self.emit_qml("connectedChanged")

    def on_last_error(self, error: Exception | None) -> None:
        if error is None:
            return  # kept until connected again (a new entry starts without one)
        if error is not self.last_error:
            self.last_error = error
            self.emit("lastErrorChanged")
            self.emit_qml("lastErrorChanged")

    def on_error(self, error: Exception) -> None:
        self.emit("errorOccurred", error)
        self.emit_qml("errorOccurred", describe(error))

    # --- holding an entry (the lifecycle decides when) ---------------------------------------

    def mount(self) -> Callable[[], None]:
        entry = self.store.entry(**self.options)
        if not self.enabled:
            entry.set_enabled(False)
        elif not entry.enabled:
            entry.set_enabled(True)
        self.hold(entry)
        return entry.mount()  # InvalidState without a running loop: the lifecycle retries

    def hold(self, entry: ActorEntry) -> None:
        if entry is self.entries.value:
            return
        self.entry_end.disposable = entry.statuses.subscribe(
            on_completed=lambda: self.entry_gone(entry)
        )
        self.entries.on_next(entry)
        self.work.entry_changed(entry)

    def entry_gone(self, entry: ActorEntry) -> None:
        if entry is self.entries.value and not self.finalized:
            self.entries.on_next(None)

    def set_enabled(self, enabled: bool) -> None:
        if self.finalized or enabled == self.enabled:
            return
        self.enabled = enabled
        entry = self.entries.value
        if entry is not None and not entry.disposed:
            entry.set_enabled(enabled)

    # --- signals ---------------------------------------------------------------------------

    def emit(self, name: str, *args: Any) -> None:
        """Emit a Qt signal of the binding, if it still exists."""
        binding = self.binding
        if binding is not None and shiboken6.isValid(binding):
            emit(getattr(binding, name), *args)

    def emit_qml(self, name: str, *args: Any) -> None:
        """Emit a Qt signal of the QML face, if there is one."""
        face = self.qml
        if face is not None and shiboken6.isValid(face):
            emit(getattr(face, name), *args)

    # --- streams ---------------------------------------------------------------------------

    def events(self, name: str) -> Observable[list[Any]]:
        def select(conn: ActorConn | None) -> Observable[list[Any]]:
            return conn_events(conn, name) if conn is not None else reactivex.empty()

        return self.connections.pipe(ops.map(select), ops.switch_latest())

    def listen(self, name: str) -> abc.DisposableBase:
        if self.finalized:
            return Disposable()
        count, sub = self.listening.get(name, (0, None))
        if sub is None:
            sub = self.events(name).subscribe(lambda args: self.emit("eventReceived", name, args))
        self.listening[name] = (count + 1, sub)
        released = False

        def release() -> None:
            nonlocal released
            if released or name not in self.listening:
                return
            released = True
            left, current = self.listening[name]
            if left <= 1:
                del self.listening[name]
                current.dispose()
            else:
                self.listening[name] = (left - 1, current)

        return Disposable(release)

    def check_alive(self) -> None:
        if self.finalized:
            raise ConnDisposed("the binding's widget was destroyed or the binding disposed")

    # --- the end ---------------------------------------------------------------------------

    def finalize(self) -> None:
        """The widget (or binding) is going away: release everything, idempotently."""
        if self.finalized:
            return
        self.finalized = True
        _app.forget(self)
        self.binding = None  # no Qt signals from here on
        self.qml = None
        self.lifecycle.finish()
        self.work.finish()
        for _, sub in list(self.listening.values()):
            sub.dispose()
        self.listening.clear()
        self.subs.dispose()
        self.entry_end.dispose()
        self.entries.on_next(None)
        self.entries.on_completed()
        self.failures.on_completed()
