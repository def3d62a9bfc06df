"""``LiveValue``: a live state as a QObject (Qt properties for QML and widgets)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot
from reactivex.disposable import CompositeDisposable, Disposable

from actorbind.rx import LiveState, LiveStatus

from ._compat import emit
from ._qml import describe

__all__ = ["LiveValue", "bind_property"]


class LiveValue(QObject):
    """The actor's state, kept current (make it with ``binding.state(...)``).

    Qt properties (with notify signals, usable from QML): ``value`` (the state; ``initial``
    until loaded), ``loaded``, ``stale`` (disconnected or reloading: the value may be old) and
    ``error`` (text of the last failed load, ``""`` if none). ``live`` is the underlying
    ``actorbind.rx`` :class:`~actorbind.rx.LiveState` (shared with other widgets bound to the
    same actor and load). It lives as long as its binding. Notify signals: ``valueChanged``
    (once per socket read that changed the value: a read's burst of events is one change),
    ``loadedChanged``, ``staleChanged``, ``errorChanged``.
    """

    valueChanged = Signal()
    loadedChanged = Signal()
    staleChanged = Signal()
    errorChanged = Signal()

    def __init__(self, live: LiveState[Any], parent: QObject) -> None:
        super().__init__(parent)
        self._live = live
        self._flags = LiveStatus(live.loaded, live.stale, live.error)
        self._subs = CompositeDisposable(
            Disposable(live._listen_batches(self._on_values)),
            live.status.subscribe(self._on_status),
        )

    @property
    def live(self) -> LiveState[Any]:
        """The underlying :class:`actorbind.rx.LiveState`."""
        return self._live

    def detach(self) -> None:
        """Stop following the live state (the binding is going away)."""
        self._subs.dispose()

    def bind(
        self,
        target: QObject,
        name: str = "text",
        format: Callable[[Any], Any] = str,
        *,
        placeholder: Any = "…",
    ) -> None:
        """Keep ``target``'s Qt property ``name`` at ``format(value)`` (``placeholder`` until
        loaded), for as long as both live. E.g. ``live.bind(label)``."""
        bind_property(self, target, name, format, placeholder=placeholder)

    # --- from the live state ------------------------------------------------------------

    def _on_values(self, _values: list[Any]) -> None:
        if shiboken6.isValid(self):
            emit(self.valueChanged)

    def _on_status(self, flags: LiveStatus) -> None:
        old, self._flags = self._flags, flags
        if not shiboken6.isValid(self):
            return
        if old.loaded != flags.loaded:
            emit(self.loadedChanged)
        if old.stale != flags.stale:
            emit(self.staleChanged)
        if old.error is not flags.error:
            emit(self.errorChanged)

    # --- properties -----------------------------------------------------------------------

    def _get_value(self) -> Any:
        return self._live.value

    def _get_loaded(self) -> bool:
        return self._flags.loaded

    def _get_stale(self) -> bool:
        return self._flags.stale

    def _get_error(self) -> str:
        return describe(self._flags.error)

    value = Property("QVariant", _get_value, notify=valueChanged)  # type: ignore[arg-type]
    loaded = Property(bool, _get_loaded, notify=loadedChanged)
    stale = Property(bool, _get_stale, notify=staleChanged)
    error = Property(str, _get_error, notify=errorChanged)

    @Slot()
    def reload(self) -> None:
        """Load a fresh snapshot now (for QML: ``state.reload()``)."""
        self._live.reload()


class _PropertyLink(QObject):
    """A child of the target: it dies with it, and Qt drops its connection then.

    Updates are coalesced: a burst of values (one socket read's worth of events) sets the
    property once, with the latest value, on the next loop turn.
    """

    def __init__(
        self,
        source: LiveValue,
        target: QObject,
        name: str,
        format: Callable[[Any], Any],
        placeholder: Any,
    ) -> None:
        super().__init__(target)
        self._source = source
        self._target = target
        self._name = name
        self._format = format
        self._placeholder = placeholder
        self._pending = False
        source.valueChanged.connect(self.schedule)
        source.loadedChanged.connect(self.schedule)
        self.update()

    @Slot()
    def schedule(self) -> None:
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self.update)

    @Slot()
    def update(self) -> None:
        self._pending = False
        source = self._source
        if not (shiboken6.isValid(source) and shiboken6.isValid(self._target)):
            return
        shown = self._format(source.live.value) if source.live.loaded else self._placeholder
        self._target.setProperty(self._name, shown)


def bind_property(
    source: LiveValue,
    target: QObject,
    name: str = "text",
    format: Callable[[Any], Any] = str,
    *,
    placeholder: Any = "…",
) -> None:
    """Keep ``target``'s Qt property ``name`` (e.g. a ``QLabel``'s ``"text"``) at
    ``format(source.value)``, and at ``placeholder`` until it is loaded. A burst of changes
    sets it once (the latest value, on the next loop turn). Ends when either object is
    destroyed (a child object of ``target`` holds the link)."""
    if target.metaObject().indexOfProperty(name) < 0:
        raise ValueError(f"{type(target).__name__} has no Qt property {name!r}")
    _PropertyLink(source, target, name, format, placeholder)
