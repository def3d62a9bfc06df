"""``use_actor(widget, ...)``: an actor connection tied to a widget's lifecycle.

What the binding knows is in ``_core`` (it follows a store entry, holding no copy of its
state); when the widget is shown or hidden is ``_lifecycle``'s business; calls, tasks and live
state are ``_work``'s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThread, Signal
from PySide6.QtWidgets import QWidget
from reactivex import Observable, abc
from reactivex.disposable import CompositeDisposable

from actorbind import ActorConn, ActorHandle, Client, ConnDisposed, ConnStatus, InvalidState
from actorbind.rx import ActorEntry, ActorStore, ListOp, Reducer

from . import _app
from ._bind import bind
from ._core import _Core
from ._qml import ActorQmlState

if TYPE_CHECKING:
    from ._live import LiveValue
    from ._model import ActorListModel

__all__ = ["ActorBinding", "use_actor"]

_T = TypeVar("_T")


class ActorBinding(QObject):
    """A shared actor connection bound to a widget. Make it with :func:`use_actor`.

    Signals (GUI thread): ``statusChanged(str)``, ``eventReceived(str, list)`` (for the names
    passed to :meth:`listen`), ``errorOccurred(object)`` (every item of :attr:`errors`),
    ``connectedChanged(bool)``, ``lastErrorChanged()``, ``actionFinished(str, object)`` and
    ``actionFailed(str, object)`` (for :meth:`call`). Rx: :attr:`status`, :meth:`events`,
    :attr:`errors`. Live state: :meth:`state`, :meth:`list_model`.
    """

    statusChanged = Signal(str)
    eventReceived = Signal(str, list)
    errorOccurred = Signal(object)
    connectedChanged = Signal(bool)
    lastErrorChanged = Signal()
    actionFinished = Signal(str, object)
    actionFailed = Signal(str, object)

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
        _app.remember(core, store)
        if widget.isVisible():
            core.lifecycle.activate()

    def __repr__(self) -> str:
        o = self._core.options
        return f"ActorBinding(name={o['name']!r}, key={o['key']!r})"

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        self._core.lifecycle.handle_qt_event(watched, event)
        return False

    # --- state ------------------------------------------------------------------------

    @property
    def status(self) -> Observable[ConnStatus]:
        """The status now, then each change; completes when the widget is destroyed."""
        return self._core.status

    @property
    def conn_status(self) -> ConnStatus:
        """The current status."""
        return self._core.current_status

    @property
    def connected(self) -> bool:
        """Whether the connection's status is ``connected``."""
        return self._core.current_status is ConnStatus.CONNECTED

    @property
    def errors(self) -> Observable[Exception]:
        """Each error as it happens: the connection's, failed :meth:`call`\\ s and failed
        :meth:`create_task` tasks."""
        return self._core.errors

    @property
    def last_error(self) -> Exception | None:
        """The last connection error; cleared when connected again."""
        return self._core.last_error

    @property
    def connection(self) -> ActorConn | None:
        """The shared connection (``None`` before the first show, when disabled or closed)."""
        return self._core.connection

    @property
    def connections(self) -> Observable[ActorConn | None]:
        """Emits the current connection (or None) each time it changes."""
        return self._core.connections

    @property
    def entry(self) -> ActorEntry | None:
        """The store entry this binding follows."""
        return self._core.entry

    @property
    def store(self) -> ActorStore:
        """The :class:`ActorStore` that shares this binding's connection."""
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
        return self._core.lifecycle.mounted

    @property
    def disposed(self) -> bool:
        """Whether the binding was released (its widget destroyed or ``dispose()``)."""
        return self._core.finalized

    @property
    def enabled(self) -> bool:
        """Whether the binding may connect (``setEnabled(False)`` keeps it idle)."""
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

    # --- live state -------------------------------------------------------------------

    def state(
        self,
        load: str,
        *args: Any,
        reducers: dict[str, Reducer] | None = None,
        initial: Any = None,
    ) -> LiveValue:
        """The actor's state from ``load(*args)``, kept current by ``reducers`` (see
        ``docs/state.md``), as a QObject with Qt properties ``value``, ``loaded``, ``stale``
        and ``error``. Lives as long as the binding; bindings of the same actor asking for
        the same load share one snapshot and one subscription."""
        return self._core.work.state(load, args, reducers, initial)

    def list_model(
        self,
        load: str,
        *args: Any,
        reducers: dict[str, Reducer | ListOp] | None = None,
        key: Callable[[Any], Any] | None = None,
        roles: Sequence[str] | None = None,
        display: Callable[[Any], str] | None = None,
    ) -> ActorListModel:
        """A list from ``load(*args)`` as a ``QAbstractListModel`` (for ``QListView`` and
        QML ``ListView``): role names from the items' keys (or ``roles``), ``item`` for the
        whole item, ``display(item)`` for ``Qt.DisplayRole``. Shared like :meth:`state`."""
        return self._core.work.list_model(load, args, reducers, key, roles, display)

    # --- work -------------------------------------------------------------------------

    async def action(self, name: str, *args: Any) -> Any:
        """Call an action over the shared connection (queued until connected).

        Cancelled (``CancelledError``) if the widget is destroyed first.

        Raises:
            InvalidState: not connected: the widget was never shown, is closed, or disabled.
            ConnDisposed: the widget was destroyed.
        """
        return await self._core.work.action(name, args)

    def call(self, name: str, *args: Any, optimistic: Any = None) -> None:
        """Call an action and return at once (for slots): ``actionFinished(name, result)``
        or ``actionFailed(name, error)`` follows, and a failure is also on :attr:`errors`.

        ``optimistic=(live, change)`` (or a list of such pairs; ``live`` a
        :class:`LiveValue`, an :class:`ActorListModel` or an ``actorbind.rx`` live state)
        shows ``change(value)`` at once and drops it when the reply arrives: the action's
        own events came before it, so the real change is there; on failure it rolls back.
        """
        self._core.work.call(name, args, optimistic)

    def create_task(self, coro: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
        """Run ``coro`` as a task that is cancelled when the widget is destroyed. If it
        fails, the error goes to :attr:`errors` / ``errorOccurred`` (never lost)."""
        return self._core.work.create_task(coro)

    def dispose(self) -> None:
        """Release the connection now (as if the widget were destroyed) and delete this."""
        self._core.finalize()
        if shiboken6.isValid(self):
            self.deleteLater()


def _check_thread(widget: QWidget) -> None:
    app = QCoreApplication.instance()
    if app is None:
        raise InvalidState("use_actor() needs a QApplication (make one first)")
    gui = app.thread()
    if QThread.currentThread() is not gui:
        raise InvalidState(
            "use_actor() must be called on the GUI thread (widgets live there); from a worker "
            "thread, emit a signal and bind in its slot"
        )
    if widget.thread() is not gui:
        raise InvalidState("use_actor(): the widget belongs to another thread than the GUI's")


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

    Needs an asyncio loop on the GUI thread (qasync's ``QEventLoop``; see :func:`run`); call
    it on the GUI thread. ``events`` are the names :attr:`ActorBinding.eventReceived` reports.

    Raises:
        InvalidState: called off the GUI thread, or for a widget of another thread.
    """
    from ._app import default_store

    _check_thread(widget)
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
