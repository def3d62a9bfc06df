"""Which thread runs what: the one rule of ``actorbind.rx``.

Every connection callback (events, status, errors, action results) runs on the thread of the
asyncio loop that owns the connection (with qasync: the Qt GUI thread). Anything that comes
from another thread is handed to that loop with ``loop.call_soon_threadsafe`` before it
touches a connection, a store or an observer.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

import reactivex
from reactivex import Observable, abc
from reactivex.disposable import Disposable, SingleAssignmentDisposable

__all__ = ["call_on_loop", "observe_on_loop", "on_loop_thread", "subscribe_on_loop"]

_T = TypeVar("_T")


def on_loop_thread(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether the calling thread is running ``loop`` right now."""
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def call_on_loop(loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], *args: Any) -> None:
    """Call ``fn(*args)`` now if this thread runs ``loop``, else on the loop, thread-safely.

    A closed loop drops the call (there is nothing left to act on).
    """
    if on_loop_thread(loop):
        fn(*args)
        return
    if loop.is_closed():
        return
    try:
        loop.call_soon_threadsafe(fn, *args)
    except RuntimeError:  # closed in between
        pass


def subscribe_on_loop(loop: asyncio.AbstractEventLoop, source: Observable[_T]) -> Observable[_T]:
    """Subscribe to (and dispose of) ``source`` on ``loop``'s thread.

    A subscription made on that thread happens at once; from another thread it is marshalled,
    and a disposal that overtakes it cancels it.
    """

    def subscribe(
        observer: abc.ObserverBase[_T], scheduler: abc.SchedulerBase | None = None
    ) -> abc.DisposableBase:
        if on_loop_thread(loop):
            return source.subscribe(observer, scheduler=scheduler)
        inner = SingleAssignmentDisposable()
        lock = threading.Lock()
        state = {"disposed": False}

        def do_subscribe() -> None:
            with lock:
                if state["disposed"]:
                    return
            inner.disposable = source.subscribe(observer, scheduler=scheduler)

        def dispose() -> None:
            with lock:
                state["disposed"] = True
            call_on_loop(loop, inner.dispose)

        call_on_loop(loop, do_subscribe)
        return Disposable(dispose)

    return reactivex.create(subscribe)


def observe_on_loop(
    loop: asyncio.AbstractEventLoop,
) -> Callable[[Observable[_T]], Observable[_T]]:
    """An operator: deliver every notification on ``loop``'s thread, in order.

    Notifications made on that thread pass straight through (unless earlier ones from other
    threads are still queued, to keep the order); others go through ``call_soon_threadsafe``.
    Use it to feed values produced by worker threads into connections, stores or GUI code.
    """

    def operator(source: Observable[_T]) -> Observable[_T]:
        def subscribe(
            observer: abc.ObserverBase[_T], scheduler: abc.SchedulerBase | None = None
        ) -> abc.DisposableBase:
            queue: deque[Callable[[], None]] = deque()
            lock = threading.Lock()
            state = {"scheduled": False, "disposed": False}

            def drain() -> None:
                while True:
                    with lock:
                        if not queue or state["disposed"]:
                            state["scheduled"] = False
                            queue.clear()
                            return
                        action = queue.popleft()
                    action()

            def deliver(action: Callable[[], None]) -> None:
                with lock:
                    if state["disposed"]:
                        return
                    if on_loop_thread(loop) and not queue and not state["scheduled"]:
                        direct = True
                    else:
                        direct = False
                        queue.append(action)
                        if state["scheduled"]:
                            return
                        state["scheduled"] = True
                if direct:
                    action()
                else:
                    call_on_loop_later(loop, drain)

            sub = source.subscribe(
                lambda value: deliver(lambda: observer.on_next(value)),
                lambda error: deliver(lambda: observer.on_error(error)),
                lambda: deliver(observer.on_completed),
                scheduler=scheduler,
            )

            def dispose() -> None:
                with lock:
                    state["disposed"] = True
                    queue.clear()
                sub.dispose()

            return Disposable(dispose)

        return reactivex.create(subscribe)

    return operator


def call_on_loop_later(loop: asyncio.AbstractEventLoop, fn: Callable[[], Any]) -> None:
    """Schedule ``fn`` on ``loop`` (never inline), from any thread; dropped if it is closed."""
    if loop.is_closed():
        return
    try:
        if on_loop_thread(loop):
            loop.call_soon(fn)
        else:
            loop.call_soon_threadsafe(fn)
    except RuntimeError:
        pass
