"""Observables over one :class:`~actorbind.ActorConn`: events, status, errors, actions."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import reactivex
from reactivex import Observable, abc
from reactivex.disposable import Disposable

from ..client.conn import ActorConn
from ..client.handle import ActorHandle
from ..protocol.connection import ConnStatus
from ..protocol.errors import InvalidState
from ._loop import call_on_loop, on_loop_thread, subscribe_on_loop

__all__ = ["action", "errors", "events", "status"]


def _loop_of(conn: ActorConn) -> asyncio.AbstractEventLoop:
    loop = conn._loop
    if loop is None:  # pragma: no cover - connect() always sets it
        raise InvalidState("the connection was never started")
    return loop


def events(conn: ActorConn, name: str) -> Observable[list[Any]]:
    """Each ``name`` event of ``conn``, as the list of its args.

    Cold: each subscription adds a listener (the client asks the server for ``name`` with the
    first listener and withdraws it with the last); disposing removes it. Completes when the
    connection is disposed. Emits on the connection's loop thread.
    """

    def subscribe(
        observer: abc.ObserverBase[list[Any]], scheduler: abc.SchedulerBase | None = None
    ) -> abc.DisposableBase:
        if conn.disposed:
            observer.on_completed()
            return Disposable()
        off_event = conn.on(name, lambda *args: observer.on_next(list(args)))

        def on_status(_: ConnStatus) -> None:
            if conn.disposed:
                off_event()
                off_status()
                observer.on_completed()

        off_status = conn.on_status_change(on_status)

        def dispose() -> None:
            off_event()
            off_status()

        return Disposable(dispose)

    return subscribe_on_loop(_loop_of(conn), reactivex.create(subscribe))


def status(conn: ActorConn) -> Observable[ConnStatus]:
    """The connection's status: the current value at once, then every change.

    Completes (after ``idle``) when the connection is disposed.
    """

    def subscribe(
        observer: abc.ObserverBase[ConnStatus], scheduler: abc.SchedulerBase | None = None
    ) -> abc.DisposableBase:
        observer.on_next(conn.status)
        if conn.disposed:
            observer.on_completed()
            return Disposable()

        def on_status(value: ConnStatus) -> None:
            observer.on_next(value)
            if conn.disposed:
                off()
                observer.on_completed()

        off = conn.on_status_change(on_status)
        return Disposable(off)

    return subscribe_on_loop(_loop_of(conn), reactivex.create(subscribe))


def errors(conn: ActorConn) -> Observable[Exception]:
    """Connection-level errors of ``conn`` as they happen; completes on dispose."""

    def subscribe(
        observer: abc.ObserverBase[Exception], scheduler: abc.SchedulerBase | None = None
    ) -> abc.DisposableBase:
        if conn.disposed:
            observer.on_completed()
            return Disposable()
        off_error = conn.on_error(observer.on_next)

        def on_status(_: ConnStatus) -> None:
            if conn.disposed:
                off_error()
                off_status()
                observer.on_completed()

        off_status = conn.on_status_change(on_status)

        def dispose() -> None:
            off_error()
            off_status()

        return Disposable(dispose)

    return subscribe_on_loop(_loop_of(conn), reactivex.create(subscribe))


def action(
    target: ActorConn | ActorHandle,
    name: str,
    *args: Any,
    loop: asyncio.AbstractEventLoop | None = None,
) -> Observable[Any]:
    """Call action ``name`` (over the socket for a connection, HTTP for a handle).

    Cold and single-valued: each subscription makes one call and emits its result, or the
    error. Disposing before it finishes cancels the underlying asyncio task (the server may
    still run the action; only the wait is cancelled).

    ``loop`` is where the call runs: by default the connection's loop, or for a handle the
    loop running in the subscribing thread. Subscribing from another thread marshals the call
    with :func:`asyncio.run_coroutine_threadsafe`; the result is then emitted on the loop's
    thread.
    """

    def subscribe(
        observer: abc.ObserverBase[Any], scheduler: abc.SchedulerBase | None = None
    ) -> abc.DisposableBase:
        target_loop = loop
        if target_loop is None:
            if isinstance(target, ActorConn):
                target_loop = _loop_of(target)
            else:
                try:
                    target_loop = asyncio.get_running_loop()
                except RuntimeError:
                    observer.on_error(
                        InvalidState("action() on a handle needs a running loop or loop=")
                    )
                    return Disposable()
        coro: Coroutine[Any, Any, Any] = target.action(name, *args)

        def settle(outcome: asyncio.Future[Any]) -> None:
            if outcome.cancelled():
                return
            error = outcome.exception()
            if error is not None:
                observer.on_error(error if isinstance(error, Exception) else Exception(error))
                return
            observer.on_next(outcome.result())
            observer.on_completed()

        if on_loop_thread(target_loop):
            task = target_loop.create_task(coro, name=f"actorbind-rx-action-{name}")
            task.add_done_callback(settle)

            def cancel_task() -> None:
                task.cancel()

            return Disposable(cancel_task)
        if target_loop.is_closed():
            coro.close()
            observer.on_error(InvalidState("the event loop is closed"))
            return Disposable()
        future = asyncio.run_coroutine_threadsafe(coro, target_loop)

        def settle_threadsafe(done: Any) -> None:
            call_on_loop(target_loop, _settle_concurrent, done, observer)

        future.add_done_callback(settle_threadsafe)

        def cancel_future() -> None:
            future.cancel()  # cancels the task on the loop (thread-safely)

        return Disposable(cancel_future)

    return reactivex.create(subscribe)


def _settle_concurrent(future: Any, observer: abc.ObserverBase[Any]) -> None:
    if future.cancelled():
        return
    error = future.exception()
    if error is not None:
        observer.on_error(error)
        return
    observer.on_next(future.result())
    observer.on_completed()
