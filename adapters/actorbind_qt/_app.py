"""Application-wide pieces: the default store per client, live bindings, clean shutdown."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import qasync
import shiboken6
from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication

from actorbind import Client
from actorbind.rx import ActorStore, on_loop_thread

if TYPE_CHECKING:
    from ._core import _Core

__all__ = ["QUIT_TIMEOUT", "aclose_all", "default_store", "release_qasync_loop", "run"]

log = logging.getLogger("actorbind_qt")
_T = TypeVar("_T")

QUIT_TIMEOUT = 3.0
"""Seconds ``aboutToQuit`` waits for sockets to close before letting the app go."""

_STORE_ATTR = "_actorbind_qt_store"
_live: set[_Core] = set()
_stores: weakref.WeakSet[ActorStore] = weakref.WeakSet()
_hooked: weakref.WeakSet[QCoreApplication] = weakref.WeakSet()


def default_store(client: Client) -> ActorStore:
    """The store ``use_actor`` uses for ``client`` when none is given (one per client)."""
    store = client.__dict__.get(_STORE_ATTR)
    if not isinstance(store, ActorStore):
        store = ActorStore(client)
        setattr(client, _STORE_ATTR, store)  # lives exactly as long as the client
    return store


def remember(core: _Core, store: ActorStore) -> None:
    _live.add(core)
    _stores.add(store)
    app = QCoreApplication.instance()
    if app is not None and app not in _hooked:
        _hooked.add(app)
        app.aboutToQuit.connect(_on_about_to_quit)


def forget(core: _Core) -> None:
    _live.discard(core)


def live_bindings() -> int:
    """How many bindings are alive (for tests and diagnostics)."""
    return len(_live)


def _finalize_all() -> None:
    for core in list(_live):
        core.finalize()


async def aclose_all() -> None:
    """Dispose every live binding and close every store's sockets now (1000 "Disposed").

    Call it before the asyncio loop closes (``run`` and the ``aboutToQuit`` hook do).
    """
    _finalize_all()
    loop = asyncio.get_running_loop()
    stores = [s for s in list(_stores) if s.loop is None or s.loop is loop]
    await asyncio.gather(*(store.aclose() for store in stores), return_exceptions=True)


def _on_about_to_quit() -> None:
    """The app is quitting: close sockets before the loop goes away."""
    _finalize_all()
    loops = {s.loop for s in list(_stores) if s.loop is not None and not s.loop.is_closed()}
    for loop in loops:
        _close_on(loop)


def _close_on(loop: asyncio.AbstractEventLoop) -> None:
    if on_loop_thread(loop):
        if asyncio.current_task(loop) is not None:
            # quit() called from a coroutine: spinning here would re-enter the loop, and a
            # task would only run once the loop stopped. ``run()`` (or the app's own
            # ``await aclose_all()``) closes the sockets before the loop closes.
            log.debug("aboutToQuit inside a task: sockets close in run()'s teardown")
            return
        task = loop.create_task(aclose_all(), name="actorbind-qt-quit")
        _spin_until(task.done)
    elif loop.is_running():  # an asyncio loop on another thread
        future = asyncio.run_coroutine_threadsafe(aclose_all(), loop)
        try:
            future.result(timeout=QUIT_TIMEOUT)
        except Exception as exc:
            log.warning("actorbind_qt: closing sockets at quit failed: %r", exc)
    else:
        log.debug("aboutToQuit: the loop is not running; call aclose_all() before closing it")


def _spin_until(done: Callable[[], bool]) -> None:
    """Let Qt (hence qasync) run until ``done()`` or ``QUIT_TIMEOUT``, as qasync's asyncClose.

    A nested ``QEventLoop.exec`` would return at once while the app is quitting, so this
    processes events directly; a short timer keeps waking it up.
    """
    app = QCoreApplication.instance()
    if app is None:
        return
    ticker = QTimer()
    ticker.setInterval(5)
    ticker.start()
    deadline = time.monotonic() + QUIT_TIMEOUT
    try:
        while not done() and time.monotonic() < deadline:
            app.processEvents(
                QEventLoop.ProcessEventsFlag.AllEvents
                | QEventLoop.ProcessEventsFlag.WaitForMoreEvents
            )
    finally:
        ticker.stop()
    if not done():
        log.warning("actorbind_qt: sockets still closing after %.1f s at quit", QUIT_TIMEOUT)


def run(
    main: Coroutine[Any, Any, _T] | Callable[[], Awaitable[_T]],
    *,
    app: QApplication | None = None,
) -> _T | None:
    """Run ``main`` on a qasync loop, then close every binding's socket and the loop cleanly.

    Returns ``main``'s result, or ``None`` if the application quit first (``main`` is then
    cancelled). Creates the ``QApplication`` if there is none.
    """
    qt_app = app or QApplication.instance() or QApplication(sys.argv)
    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)
    coro = main if isinstance(main, Coroutine) else _call(main)
    task = loop.create_task(coro, name="actorbind-qt-main")
    try:
        try:
            result: _T = loop.run_until_complete(task)
            return result
        except RuntimeError:
            if task.done():
                raise
            return None  # the app quit before main finished
    finally:
        try:
            loop.run_until_complete(_teardown(task))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            asyncio.set_event_loop(None)
            release_qasync_loop(loop)


def release_qasync_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Delete a closed qasync loop's QObjects now, on the GUI thread.

    ``QEventLoop.close()`` (qasync 0.28) leaves its timer QObject alive with Qt timers still
    registered (every ``call_later`` not yet due, cancelled or not). The object sits in
    reference cycles, so the cyclic GC frees it whenever it runs, on whichever thread: on
    another thread Qt cannot unregister the timers, and the next one to fire dereferences a
    deleted object (segfault in ``QTimerInfoList::activateTimers``). Call this right after
    ``loop.close()``; ``run()`` does.
    """
    if not loop.is_closed():
        raise RuntimeError("release_qasync_loop() needs a closed loop")
    for attr in ("_timer", "_QEventLoop__call_soon_signaller"):
        obj = getattr(loop, attr, None)
        if isinstance(obj, QObject) and shiboken6.isValid(obj):
            shiboken6.delete(obj)
    gc.collect()


async def _call(main: Callable[[], Awaitable[_T]]) -> _T:
    return await main()


async def _teardown(main: asyncio.Task[Any]) -> None:
    await aclose_all()  # first: the bindings' sockets close while everything still works
    main.cancel()
    await asyncio.gather(main, return_exceptions=True)
    current = asyncio.current_task()
    rest = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for t in rest:
        t.cancel()
    await asyncio.gather(*rest, return_exceptions=True)
