"""Operators for streams that feed a UI."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import reactivex
from reactivex import Observable, abc
from reactivex.disposable import CompositeDisposable, Disposable

__all__ = ["FRAME", "latest_per_frame"]

T = TypeVar("T")
FRAME = 1 / 60
"""One display frame at 60 Hz, in seconds."""


def latest_per_frame(frame: float = FRAME) -> Callable[[Observable[T]], Observable[T]]:
    """Emit only the latest value, at most once per ``frame`` seconds (on the asyncio loop).

    A label fed 10,000 events/s needs 60 updates, not 10,000: the GUI loop stays responsive.
    The first value after a quiet period goes out at once; a burst is coalesced into its last
    value, sent at the next frame boundary; completion flushes the pending value first.

    ::

        bind(binding.events("tick").pipe(latest_per_frame()), show, owner=label)
    """

    def operator(source: Observable[T]) -> Observable[T]:
        def subscribe(
            observer: abc.ObserverBase[T], scheduler: abc.SchedulerBase | None = None
        ) -> abc.DisposableBase:
            loop = asyncio.get_running_loop()
            pending: list[T] = []  # holds at most the latest value
            timer: list[asyncio.TimerHandle] = []
            last = [-frame]

            def flush() -> None:
                timer.clear()
                if pending:
                    value = pending.pop()
                    last[0] = loop.time()
                    observer.on_next(value)

            def on_next(value: T) -> None:
                pending[:] = [value]
                if not timer:
                    delay = last[0] + frame - loop.time()
                    if delay <= 0:
                        flush()
                    else:
                        timer.append(loop.call_later(delay, flush))

            def on_completed() -> None:
                cancel()
                flush()
                observer.on_completed()

            def cancel() -> None:
                if timer:
                    timer.pop().cancel()

            inner = source.subscribe(on_next, observer.on_error, on_completed, scheduler=scheduler)
            return CompositeDisposable(inner, Disposable(cancel))

        return reactivex.create(subscribe)

    return operator
