"""``use_actor(widget, ...)``: an actor connection tied to a widget's lifecycle."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any, TypeVar

import reactivex
import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget
from reactivex import Observable, abc
from reactivex import operators as ops
from reactivex.disposable import CompositeDisposable, Disposable, SerialDisposable
from reactivex.subject import BehaviorSubject, Subject

from actorbind import ActorConn, ActorHandle, Client, ConnDisposed, ConnStatus, InvalidState
from actorbind.rx import ActorEntry, ActorStore
from actorbind.rx import events as conn_events

from . import _app
from ._bind import bind
from ._compat import emit
from ._qml import ActorQmlState, describe

__all__ = ["ActorBinding", "use_actor"]

_T = TypeVar("_T")
_RETRY_MS = 50  # how often a shown binding looks for an asyncio loop that is not running yet


def _ptr(obj: QObject) -> int:
    return int(shiboken6.getCppPointer(obj)[0])


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
        self.widget_ref: weakref.ref[QWidget] = weakref.ref(widget)
        self.widget_ptr = _ptr(widget)
        self.window_ref: weakref.ref[QWidget] | None = None
        self.window_ptr: int | None = None
        self.store = store
        self.options = options
        self.enabled = enabled
        self.release_on_hide = release_on_hide
        self.entry: ActorEntry | None = None
        self.entry_sub = SerialDisposable()
        self.unmount: Callable[[], None] | None = None
        self.status: BehaviorSubject[ConnStatus] = BehaviorSubject(ConnStatus.IDLE)
        self.connections: BehaviorSubject[ActorConn | None] = BehaviorSubject(None)
        self.errors: Subject[Exception] = Subject()
        self.last_error: Exception | None = None
        self.tasks: set[asyncio.Task[Any]] = set()
        self.listening: dict[str, tuple[int, abc.DisposableBase]] = {}
        self.close_pending = False
        self.retry: QTimer | None = None
        self.finalized = False
        self.qml: ActorQmlState | None = None

    # --- Qt events (GUI thread) -----------------------------------------------------

    def on_event(self, watched: QObject, event: QEvent) -> None:
        kind = event.type()
        if kind not in _WATCHED:
            return
        ptr = _ptr(watched)
        is_widget = ptr == self.widget_ptr
        is_window = ptr == self.window_ptr
        if kind == QEvent.Type.Close and is_window:
            # Accepted or ignored? The window decides after us: an accepted close hides it
            # right away (below); an ignored one does not, and the flag is dropped.
            self.close_pending = True
            binding = self.binding
            if binding is not None:
                QTimer.singleShot(0, binding, self.clear_close)
        elif kind == QEvent.Type.Hide and not event.spontaneous():
            if is_window and self.close_pending:
                self.close_pending = False
                self.deactivate()
            elif is_widget and self.release_on_hide:
                self.deactivate()
        elif kind == QEvent.Type.Show and is_widget:
            self.track_window()
            self.activate()
        elif kind == QEvent.Type.ParentChange and is_widget:
            self.track_window()

    def clear_close(self) -> None:
        self.close_pending = False

    def track_window(self) -> None:
        binding, widget = self.binding, self.widget_ref()
        if binding is None or widget is None or not shiboken6.isValid(widget):
            return
        window = widget.window()
        ptr = _ptr(window)
        if ptr == self.window_ptr:
            return
        old = self.window_ref() if self.window_ref is not None else None
        if old is not None and shiboken6.isValid(old) and self.window_ptr != self.widget_ptr:
            old.removeEventFilter(binding)
        if ptr != self.widget_ptr:
            window.installEventFilter(binding)
        self.window_ref, self.window_ptr = weakref.ref(window), ptr

    # --- mounting ---------------------------------------------------------------------

    def activate(self) -> None:
        """Hold the shared entry (connects it if it is the first holder and enabled)."""
        if self.finalized or self.unmount is not None:
            return
        widget = self.widget_ref()
        if widget is None or not shiboken6.isValid(widget) or not widget.isVisible():
            return
        try:
            entry = self.store.entry(**self.options)
            if not self.enabled:
                entry.set_enabled(False)
            elif not entry.enabled:
                entry.set_enabled(True)
            self.attach(entry)
            self.unmount = entry.mount()
        except InvalidState:
            # Shown before the asyncio loop runs (e.g. ``w.show(); loop.run_forever()``):
            # try again once the loop is there.
            self.schedule_retry()
            return
        if self.retry is not None:
            self.retry.stop()

    def schedule_retry(self) -> None:
        binding = self.binding
        if binding is None:
            return
        if self.retry is None:
            self.retry = QTimer(binding)
            self.retry.setInterval(_RETRY_MS)
            self.retry.timeout.connect(self.activate)
        self.retry.start()

    def deactivate(self) -> None:
        if self.retry is not None and shiboken6.isValid(self.retry):
            self.retry.stop()
        unmount, self.unmount = self.unmount, None
        if unmount is not None:
            unmount()

    def set_enabled(self, enabled: bool) -> None:
        if self.finalized or enabled == self.enabled:
            return
        self.enabled = enabled
        if self.entry is not None and not self.entry.disposed:
            self.entry.set_enabled(enabled)

    # --- following the entry ------------------------------------------------------------

    def attach(self, entry: ActorEntry) -> None:
        if entry is self.entry:
            return
        self.entry = entry
        subs = CompositeDisposable()
        self.entry_sub.disposable = subs  # disposes the previous entry's subscriptions
        subs.add(entry.connections.subscribe(lambda conn: self.on_connection(entry, conn)))
        subs.add(
            entry.statuses.subscribe(
                lambda status: self.on_status(entry, status),
                on_completed=lambda: self.on_entry_gone(entry),
            )
        )
        subs.add(entry.errors.subscribe(lambda error: self.on_error(entry, error)))
        if entry.error is not None and self.last_error is None:
            self.set_last_error(entry.error)

    def on_connection(self, entry: ActorEntry, conn: ActorConn | None) -> None:
        if entry is self.entry and self.connections.value is not conn:
            self.connections.on_next(conn)

    def on_status(self, entry: ActorEntry, status: ConnStatus) -> None:
        if entry is self.entry:
            self.set_status(status)

    def on_error(self, entry: ActorEntry, error: Exception) -> None:
        if entry is not self.entry:
            return
        self.set_last_error(error)
        self.errors.on_next(error)
        self.emit("errorOccurred", error)
        self.emit_qml("errorOccurred", describe(error))

    def on_entry_gone(self, entry: ActorEntry) -> None:
        if entry is not self.entry:
            return
        self.entry = None
        self.entry_sub.disposable = Disposable()
        if self.connections.value is not None:
            self.connections.on_next(None)
        self.set_status(ConnStatus.IDLE)

    def set_status(self, status: ConnStatus) -> None:
        previous = self.status.value
        if previous is status:
            return
        if status is ConnStatus.CONNECTED:
            self.set_last_error(None)
        self.status.on_next(status)
        self.emit("statusChanged", status.value)
        self.emit_qml("statusChanged")
        if (previous is ConnStatus.CONNECTED) != (status is ConnStatus.CONNECTED):
            self.emit("connectedChanged", status is ConnStatus.CONNECTED)
            self.emit_qml("connectedChanged")

    def set_last_error(self, error: Exception | None) -> None:
        if error is self.last_error:
            return
        self.last_error = error
        self.emit("lastErrorChanged")
        self.emit_qml("lastErrorChanged")

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

    # --- streams and work ---------------------------------------------------------------

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

    def track(self, task: asyncio.Task[_T]) -> asyncio.Task[_T]:
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def check_alive(self) -> None:
        if self.finalized:
            raise ConnDisposed("the binding's widget was destroyed or the binding disposed")

    # --- the end ------------------------------------------------------------------------

    def finalize(self) -> None:
        """The widget (or binding) is going away: release everything, idempotently."""
        if self.finalized:
            return
        self.finalized = True
        _app.forget(self)
        binding, self.binding = self.binding, None  # no Qt signals from here on
        self.qml = None
        self.deactivate()
        for task in list(self.tasks):
            task.cancel()
        for _, sub in list(self.listening.values()):
            sub.dispose()
        self.listening.clear()
        self.entry = None
        self.entry_sub.dispose()
        if self.connections.value is not None:
            self.connections.on_next(None)
        self.connections.on_completed()
        self.set_status(ConnStatus.IDLE)
        self.status.on_completed()
        self.errors.on_completed()
        if binding is not None and shiboken6.isValid(binding):
            for ref in (self.widget_ref, self.window_ref):
                target = ref() if ref is not None else None
                if target is not None and shiboken6.isValid(target):
                    target.removeEventFilter(binding)
        self.retry = None


_WATCHED = frozenset(
    {QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.Close, QEvent.Type.ParentChange}
)


class ActorBinding(QObject):
    """A shared actor connection bound to a widget. Make it with :func:`use_actor`.

    Signals (GUI thread): ``statusChanged(str)``, ``eventReceived(str, list)`` (for the names
    passed to :meth:`listen`), ``errorOccurred(object)``, ``connectedChanged(bool)``,
    ``lastErrorChanged()``. Rx: :attr:`status`, :meth:`events`, :attr:`errors`.
    """

    statusChanged = Signal(str)
    eventReceived = Signal(str, list)
    errorOccurred = Signal(object)
    connectedChanged = Signal(bool)
    lastErrorChanged = Signal()

    def __init__(
        self,
        widget: QWidget,
        store: ActorStore,
        options: dict[str, Any],
        *,
        enabled: bool = True,
        release_on_hide: bool = True,
    ) -> None:
        super().__init__(widget)
        self.setObjectName(f"actorbind:{options['name']}")
        core = _Core(self, widget, store, options, enabled, release_on_hide)
        self._core = core
        self._handle: ActorHandle | None = None

        def finalize(*_: object) -> None:  # a closure, not a method of a dying QObject
            core.finalize()

        widget.destroyed.connect(finalize)
        self.destroyed.connect(finalize)
        widget.installEventFilter(self)
        _app.remember(core, store)
        core.track_window()
        if widget.isVisible():
            core.activate()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        core = self._core
        if not core.finalized:
            core.on_event(watched, event)
        return False

    # --- state ------------------------------------------------------------------------

    @property
    def status(self) -> Observable[ConnStatus]:
        """The status now, then each change; completes when the widget is destroyed."""
        return self._core.status

    @property
    def conn_status(self) -> ConnStatus:
        """The current status."""
        return self._core.status.value

    @property
    def connected(self) -> bool:
        return self._core.status.value is ConnStatus.CONNECTED

    @property
    def errors(self) -> Observable[Exception]:
        """Each connection error, as it happens."""
        return self._core.errors

    @property
    def last_error(self) -> Exception | None:
        """The last connection error; cleared when connected again."""
        return self._core.last_error

    @property
    def connection(self) -> ActorConn | None:
        """The shared connection (``None`` before the first show, when disabled or closed)."""
        return self._core.connections.value

    @property
    def connections(self) -> Observable[ActorConn | None]:
        return self._core.connections

    @property
    def entry(self) -> ActorEntry | None:
        """The store entry this binding follows."""
        return self._core.entry

    @property
    def store(self) -> ActorStore:
        return self._core.store

    @property
    def handle(self) -> ActorHandle:
        """A handle to the actor for stateless (HTTP) actions; usable at any time."""
        if self._handle is None:
            o = self._core.options
            client = self._core.store.client
            if o["no_create"]:
                self._handle = client.get(o["name"], o["key"], params=o["params"])
            else:
                self._handle = client.get_or_create(
                    o["name"],
                    o["key"],
                    params=o["params"],
                    create_with_input=o["create_with_input"],
                    create_in_region=o["create_in_region"],
                )
        return self._handle

    @property
    def mounted(self) -> bool:
        """Whether the binding holds its connection now (shown, not closed)."""
        return self._core.unmount is not None

    @property
    def disposed(self) -> bool:
        return self._core.finalized

    @property
    def enabled(self) -> bool:
        return self._core.enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self.set_enabled(value)

    def set_enabled(self, enabled: bool) -> None:
        """Off: dispose the (shared) connection and go idle; on: reconnect if shown."""
        self._core.set_enabled(enabled)

    def reconnect(self) -> None:
        """Try again after the connection gave up (e.g. refused credentials)."""
        entry = self._core.entry
        if entry is not None:
            entry.reconnect()

    @property
    def qml(self) -> ActorQmlState:
        """A QObject for QML: properties ``status``, ``connected``, ``lastError``."""
        core = self._core
        core.check_alive()
        if core.qml is None or not shiboken6.isValid(core.qml):
            core.qml = ActorQmlState(self, core)
        return core.qml

    # --- streams ----------------------------------------------------------------------

    def events(self, name: str) -> Observable[list[Any]]:
        """Each ``name`` event's args; follows reconnects; completes with the widget."""
        return self._core.events(name)

    def listen(self, *names: str) -> abc.DisposableBase:
        """Emit ``eventReceived(name, args)`` for these event names (until disposed)."""
        return CompositeDisposable(*(self._core.listen(name) for name in names))

    def on_event(self, name: str, slot: Callable[..., Any]) -> abc.DisposableBase:
        """Call ``slot(*args)`` for each ``name`` event, on the GUI thread, while the widget
        lives (like ``conn.on``)."""
        self._core.check_alive()
        widget = self._core.widget_ref()
        if widget is None or not shiboken6.isValid(widget):
            raise ConnDisposed("the binding's widget was destroyed")
        return bind(self.events(name), lambda args: slot(*args), owner=widget)

    # --- work -------------------------------------------------------------------------

    async def action(self, name: str, *args: Any) -> Any:
        """Call an action over the shared connection (queued until connected).

        Cancelled (``CancelledError``) if the widget is destroyed first.

        Raises:
            InvalidState: not connected: the widget was never shown, is closed, or disabled.
            ConnDisposed: the widget was destroyed.
        """
        core = self._core
        core.check_alive()
        entry = core.entry
        if entry is None or entry.connection is None:
            raise InvalidState(
                f"no connection to {core.options['name']!r}: the widget is not shown, "
                "was closed, or the binding is disabled (binding.handle makes HTTP calls)"
            )
        task = asyncio.get_running_loop().create_task(
            entry.action(name, *args), name=f"actorbind-qt-action-{name}"
        )
        return await core.track(task)

    def create_task(self, coro: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
        """Run ``coro`` as a task that is cancelled when the widget is destroyed."""
        core = self._core
        if core.finalized:
            coro.close()
            raise ConnDisposed("the binding's widget was destroyed or the binding disposed")
        return core.track(asyncio.get_running_loop().create_task(coro))

    def dispose(self) -> None:
        """Release the connection now (as if the widget were destroyed) and delete this."""
        self._core.finalize()
        if shiboken6.isValid(self):
            self.deleteLater()


def use_actor(
    widget: QWidget,
    name: str,
    key: str | Sequence[str] | None = None,
    *,
    client: Client,
    params: Any = None,
    create_with_input: Any = None,
    create_in_region: str | None = None,
    enabled: bool = True,
    no_create: bool = False,
    get_params: Callable[[], Any] | None = None,
    store: ActorStore | None = None,
    release_on_hide: bool = True,
    events: Iterable[str] = (),
) -> ActorBinding:
    """Bind the actor ``name``/``key`` to ``widget`` (any QWidget; no subclassing needed).

    - connects on the widget's first show (not now, unless it is already visible);
    - a spontaneous hide (minimize) keeps the connection; a plain hide releases it (unless
      ``release_on_hide=False``), an accepted close of its window releases it, an ignored
      close keeps it; showing it again re-acquires it;
    - widget destroyed: released, observables completed, its tasks cancelled;
    - widgets asking for the same ``(name, key, params, no_create)`` share one connection
      through ``store`` (default: one store per client), which disposes it a grace period
      after the last release, so hide->show or re-creating a widget reuses the socket.

    Needs an asyncio loop on the GUI thread (qasync's ``QEventLoop``; see :func:`run`).
    ``events`` are the names :attr:`ActorBinding.eventReceived` reports (see ``listen``).
    """
    from ._app import default_store

    options: dict[str, Any] = {
        "name": name,
        "key": key,
        "params": params,
        "no_create": no_create,
        "create_with_input": create_with_input,
        "create_in_region": create_in_region,
        "get_params": get_params,
    }
    binding = ActorBinding(
        widget,
        store if store is not None else default_store(client),
        options,
        enabled=enabled,
        release_on_hide=release_on_hide,
    )
    names = tuple(events)
    if names:
        binding.listen(*names)
    return binding
