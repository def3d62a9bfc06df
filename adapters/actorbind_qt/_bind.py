"""``bind(observable, slot, owner=widget)``: Rx values delivered to a slot on the GUI thread."""

from __future__ import annotations

import logging
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal, Slot
from reactivex import Observable, abc
from reactivex.disposable import Disposable, SingleAssignmentDisposable

from ._compat import emit

__all__ = ["bind"]

log = logging.getLogger("actorbind_qt")

_T = TypeVar("_T")
_NEXT, _ERROR, _COMPLETED = 0, 1, 2


class _Relay(QObject):
    """Lives in the owner's thread: a queued signal carries each notification there."""

    delivered = Signal(object)

    def __init__(self, owner: QObject, sink: _Sink) -> None:
        super().__init__(owner)
        self._sink = sink
        # The receiver is this QObject, so Qt queues emissions made on other threads.
        self.delivered.connect(self._deliver)

    @Slot(object)
    def _deliver(self, item: object) -> None:
        self._sink.deliver(item)


class _Sink:
    """The state of one binding; a plain object, so it can outlive (and watch) the owner."""

    def __init__(
        self,
        on_next: Callable[[Any], Any],
        on_error: Callable[[Exception], Any] | None,
        on_completed: Callable[[], Any] | None,
    ) -> None:
        self._on_next = on_next
        self._on_error = on_error
        self._on_completed = on_completed
        self._lock = threading.Lock()
        self.closed = False
        self.relay: _Relay | None = None
        self.owner: weakref.ref[QObject] | None = None  # weak: never keeps a widget alive
        self.subscription = SingleAssignmentDisposable()
        self.on_destroyed: Callable[..., None] | None = None

    def push(self, kind: int, value: Any) -> None:
        """Any thread: hand one notification to the owner's thread."""
        with self._lock:
            relay = None if self.closed else self.relay
        if relay is None:
            return
        try:
            here = QThread.currentThread() is relay.thread()
            if not here:
                emit(relay.delivered, (kind, value))
                return
        except RuntimeError:  # the relay died with its owner meanwhile
            self.closed = True
            return
        # On the owner's thread Qt would call the slot directly anyway (an auto connection):
        # skip the signal's trip through Qt (~1-2 µs per value). A slot's exception is
        # reported as Qt reports it, never raised into the source (which would end it).
        try:
            self.deliver((kind, value))
        except Exception:
            sys.excepthook(*sys.exc_info())

    def deliver(self, item: object) -> None:
        """Owner's thread."""
        if self.closed:
            return
        owner = self.owner() if self.owner is not None else None
        if owner is None or not shiboken6.isValid(owner):
            # The owner is being destroyed (its ``destroyed`` handlers may run after an
            # emission that happens during the destruction): never call into it.
            self.owner_destroyed()
            return
        assert isinstance(item, tuple)
        kind: int = item[0]
        value: Any = item[1]
        if kind == _NEXT:
            self._on_next(value)
        elif kind == _ERROR:
            self.dispose()
            if self._on_error is not None:
                self._on_error(value)
            else:
                log.warning("unhandled error in a bound observable: %r", value)
        else:
            self.dispose()
            if self._on_completed is not None:
                self._on_completed()

    def owner_destroyed(self) -> None:
        with self._lock:
            self.closed = True
            self.relay = None
            self.owner = None
            self.on_destroyed = None
        self.subscription.dispose()

    def dispose(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            relay, self.relay = self.relay, None
            owner_ref, self.owner = self.owner, None
            callback, self.on_destroyed = self.on_destroyed, None
        self.subscription.dispose()
        owner = owner_ref() if owner_ref is not None else None
        if owner is not None and callback is not None and shiboken6.isValid(owner):
            try:
                owner.destroyed.disconnect(callback)
            except (RuntimeError, TypeError):  # pragma: no cover - already gone
                pass
        if relay is not None and shiboken6.isValid(relay):
            relay.deleteLater()


def bind(
    source: Observable[_T],
    slot: Callable[[_T], Any],
    *,
    owner: QObject,
    on_error: Callable[[Exception], Any] | None = None,
    on_completed: Callable[[], Any] | None = None,
) -> abc.DisposableBase:
    """Call ``slot(value)`` for each value of ``source``, on ``owner``'s (GUI) thread.

    Values emitted on other threads travel through a queued Qt signal. The subscription is
    disposed when ``owner`` is destroyed (nothing is called after that), when ``source``
    completes or fails, or when the returned disposable is disposed. Call it on ``owner``'s
    thread.

    Args:
        on_error: called with the error (on the owner's thread); by default it is logged.
        on_completed: called when ``source`` completes.
    """
    if not shiboken6.isValid(owner):
        raise RuntimeError("bind(): the owner was already deleted")
    if QThread.currentThread() is not owner.thread():
        raise RuntimeError("bind() must be called on the owner's thread")
    sink = _Sink(slot, on_error, on_completed)
    sink.relay = _Relay(owner, sink)
    sink.owner = weakref.ref(owner)

    def owner_destroyed(*_: object) -> None:  # not a method of the dying object
        sink.owner_destroyed()

    sink.on_destroyed = owner_destroyed
    owner.destroyed.connect(owner_destroyed)
    sink.subscription.disposable = source.subscribe(
        lambda value: sink.push(_NEXT, value),
        lambda error: sink.push(_ERROR, error),
        lambda: sink.push(_COMPLETED, None),
    )
    return Disposable(sink.dispose)
