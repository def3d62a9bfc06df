"""A widget's lifetime as mount / unmount: every Qt lifecycle rule of the binding, here.

- first show (and every later show): mount (connect, or reuse the shared connection);
- a plain hide (``release_on_hide``) or an *accepted* close of the widget's window: unmount;
  an ignored close keeps it; a spontaneous hide (minimize, another desktop) keeps it;
- re-parenting: follow the new window's close events;
- shown before the asyncio loop runs (``w.show(); loop.run_forever()``): mount as soon as it
  does; if none comes, say so once (a Qt app run with ``app.exec()`` instead of qasync);
- destroyed: the owner's ``finish()`` ends it all (see ``_binding``).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from actorbind import InvalidState

__all__ = ["WidgetLifecycle"]

log = logging.getLogger("actorbind_qt")

RETRY_MS = 50  # how often a shown widget looks for an asyncio loop that is not running yet
WARN_AFTER = 20  # retries (about a second) before saying that no loop is running
_warned_no_loop = False

_WATCHED = frozenset(
    {QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.Close, QEvent.Type.ParentChange}
)


def _ptr(obj: QObject) -> int:
    return int(shiboken6.getCppPointer(obj)[0])


class WidgetLifecycle:
    """Turns one widget's Qt events into ``mount()`` / unmount calls.

    ``owner`` is the QObject installed as event filter (it forwards to :meth:`handle_qt_event`)
    and the parent of the retry timer; ``mount()`` returns the unmount callable, or raises
    :class:`InvalidState` when no asyncio loop is running yet.
    """

    def __init__(
        self,
        owner: QObject,
        widget: QWidget,
        mount: Callable[[], Callable[[], None]],
        *,
        release_on_hide: bool,
        what: str,
    ) -> None:
        self._owner: QObject | None = owner
        self._mount = mount
        self._what = what
        self.release_on_hide = release_on_hide
        self.widget_ref: weakref.ref[QWidget] = weakref.ref(widget)
        self._widget_ptr = _ptr(widget)
        self._window_ref: weakref.ref[QWidget] | None = None
        self._window_ptr: int | None = None
        self._unmount: Callable[[], None] | None = None
        self._close_pending = False
        self._retry: QTimer | None = None
        self._retries = 0
        self.finished = False
        widget.installEventFilter(owner)
        self.track_window()

    @property
    def mounted(self) -> bool:
        return self._unmount is not None

    # --- Qt events (GUI thread) -------------------------------------------------------

    def handle_qt_event(self, watched: QObject, event: QEvent) -> None:
        kind = event.type()
        if self.finished or kind not in _WATCHED:
            return
        ptr = _ptr(watched)
        is_widget = ptr == self._widget_ptr
        is_window = ptr == self._window_ptr
        if kind == QEvent.Type.Close and is_window:
            # Accepted or ignored? The window decides after us: an accepted close hides it
            # right away (below); an ignored one does not, and the flag is dropped.
            self._close_pending = True
            if self._owner is not None:
                QTimer.singleShot(0, self._owner, self._clear_close)
        elif kind == QEvent.Type.Hide and not event.spontaneous():
            if is_window and self._close_pending:
                self._close_pending = False
                self.deactivate()
            elif is_widget and self.release_on_hide:
                self.deactivate()
        elif kind == QEvent.Type.Show and is_widget:
            self.track_window()
            self.activate()
        elif kind == QEvent.Type.ParentChange and is_widget:
            self.track_window()

    def _clear_close(self) -> None:
        self._close_pending = False

    def track_window(self) -> None:
        owner, widget = self._owner, self.widget_ref()
        if owner is None or widget is None or not shiboken6.isValid(widget):
            return
        window = widget.window()
        ptr = _ptr(window)
        if ptr == self._window_ptr:
            return
        old = self._window_ref() if self._window_ref is not None else None
        if old is not None and shiboken6.isValid(old) and self._window_ptr != self._widget_ptr:
            old.removeEventFilter(owner)
        if ptr != self._widget_ptr:
            window.installEventFilter(owner)
        self._window_ref, self._window_ptr = weakref.ref(window), ptr

    # --- mounting ---------------------------------------------------------------------

    def activate(self) -> None:
        """Mount, if shown and not mounted yet."""
        if self.finished or self._unmount is not None:
            return
        widget = self.widget_ref()
        if widget is None or not shiboken6.isValid(widget) or not widget.isVisible():
            return
        try:
            self._unmount = self._mount()
        except InvalidState:
            self._schedule_retry()  # shown before the asyncio loop runs
            return
        self._retries = 0
        if self._retry is not None:
            self._retry.stop()

    def deactivate(self) -> None:
        if self._retry is not None and shiboken6.isValid(self._retry):
            self._retry.stop()
        unmount, self._unmount = self._unmount, None
        if unmount is not None:
            unmount()

    def _schedule_retry(self) -> None:
        global _warned_no_loop
        owner = self._owner
        if owner is None:
            return
        self._retries += 1
        if self._retries == WARN_AFTER and not _warned_no_loop:
            _warned_no_loop = True
            log.warning(
                "%s is shown but no asyncio loop runs on the GUI thread, so it cannot "
                "connect: run the app with actorbind_qt.run(main()) or qasync.QEventLoop "
                "(not app.exec())",
                self._what,
            )
        if self._retry is None:
            self._retry = QTimer(owner)
            self._retry.setInterval(RETRY_MS)
            self._retry.timeout.connect(self.activate)
        self._retry.start()

    def finish(self) -> None:
        """Unmount and stop watching (the widget or its binding is going away). Idempotent."""
        if self.finished:
            return
        self.finished = True
        self.deactivate()
        owner, self._owner = self._owner, None
        if owner is not None and shiboken6.isValid(owner):
            for ref in (self.widget_ref, self._window_ref):
                target = ref() if ref is not None else None
                if target is not None and shiboken6.isValid(target):
                    target.removeEventFilter(owner)
        self._retry = None
