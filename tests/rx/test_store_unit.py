"""ActorStore's timing and bookkeeping with a fake client and reactivex's TestScheduler."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from reactivex.testing import TestScheduler

from actorbind import ConnStatus
from actorbind.rx import ActorStore
from tests.utils import until


class FakeConn:
    def __init__(self) -> None:
        self.status = ConnStatus.CONNECTING
        self.disposed = False
        self.status_handlers: list[Callable[[ConnStatus], Any]] = []
        self.error_handlers: list[Callable[[Exception], Any]] = []
        self._loop = asyncio.get_running_loop()

    def on_status_change(self, cb: Callable[[ConnStatus], Any]) -> Callable[[], None]:
        self.status_handlers.append(cb)
        return lambda: self.status_handlers.remove(cb) if cb in self.status_handlers else None

    def on_error(self, cb: Callable[[Exception], Any]) -> Callable[[], None]:
        self.error_handlers.append(cb)
        return lambda: self.error_handlers.remove(cb) if cb in self.error_handlers else None

    def fire_status(self, status: ConnStatus) -> None:
        """What a connection does, even one its owner no longer listens to."""
        self.status = status
        for cb in list(self.status_handlers):
            cb(status)

    def fire_error(self, error: Exception) -> None:
        for cb in list(self.error_handlers):
            cb(error)

    async def dispose(self) -> None:
        self.disposed = True
        self.fire_status(ConnStatus.IDLE)


class FakeHandle:
    def __init__(self, client: FakeClient) -> None:
        self.client = client

    def connect(self, get_params: Any = None) -> FakeConn:
        conn = FakeConn()
        self.client.conns.append(conn)
        return conn


class FakeClient:
    def __init__(self) -> None:
        self.conns: list[FakeConn] = []

    def get_or_create(self, name: str, key: Any, **kw: Any) -> FakeHandle:
        return FakeHandle(self)

    def get(self, name: str, key: Any, **kw: Any) -> FakeHandle:
        return FakeHandle(self)


async def _settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_grace_period_on_a_virtual_clock() -> None:
    client = FakeClient()
    clock = TestScheduler()
    store = ActorStore(client, grace=5.0, scheduler=clock)  # type: ignore[arg-type]
    entry, off = store.mount("counter", ["k"])
    assert len(client.conns) == 1 and entry.refs == 1
    off()
    clock.advance_by(4.9)
    assert not entry.disposed
    again = entry.mount()  # re-mounted within the grace period: same connection
    clock.advance_by(10.0)
    assert not entry.disposed and len(client.conns) == 1
    again()
    clock.advance_by(5.0)
    assert entry.disposed and store.entries == ()
    await _settle()
    assert client.conns[0].disposed
    # Mounting the same values now makes a new entry and a new connection.
    fresh, off_fresh = store.mount("counter", ["k"])
    assert fresh is not entry and len(client.conns) == 2
    off_fresh()


async def test_superseded_connection_callbacks_are_ignored() -> None:
    client = FakeClient()
    store = ActorStore(client, grace=1.0, scheduler=TestScheduler())  # type: ignore[arg-type]
    entry, off = store.mount("counter", ["k"])
    old = client.conns[0]
    old.fire_status(ConnStatus.CONNECTED)
    assert entry.status is ConnStatus.CONNECTED
    # Callbacks the entry gave the old connection, as if one were already on its way.
    stale_status, stale_error = list(old.status_handlers), list(old.error_handlers)
    entry.set_enabled(False)
    entry.set_enabled(True)
    new = client.conns[1]
    statuses: list[ConnStatus] = []
    entry.statuses.subscribe(statuses.append)
    assert old.status_handlers == [] and old.error_handlers == []  # unsubscribed
    for cb in stale_status:
        cb(ConnStatus.DISCONNECTED)
    for cb_error in stale_error:
        cb_error(RuntimeError("stale"))
    assert entry.error is None and entry.status is ConnStatus.CONNECTING
    new.fire_error(RuntimeError("fresh"))
    assert str(entry.error) == "fresh"
    new.fire_status(ConnStatus.CONNECTED)
    assert entry.error is None  # cleared on connect
    assert statuses == [ConnStatus.CONNECTING, ConnStatus.CONNECTED]
    off()
    await _settle()


async def test_unmount_from_another_thread_is_marshalled() -> None:
    client = FakeClient()
    store = ActorStore(client, grace=0.0)
    entry, off = store.mount("counter", ["k"])
    await asyncio.to_thread(off)  # called on a worker thread
    await until(lambda: entry.disposed and client.conns[0].disposed, "disposed on the loop")
