"""events / status / errors / action over a real connection (embedded server)."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any

import pytest
import reactivex
from reactivex.subject import Subject

from actorbind import ActorError, Client, ConnStatus
from actorbind.rx import action, errors, events, observe_on_loop, status
from tests.utils import until


def test_import_actorbind_pulls_in_neither_reactivex_nor_qt() -> None:
    import subprocess

    code = (
        "import sys, actorbind; "
        "assert 'reactivex' not in sys.modules; "
        "assert not any(m.startswith('PySide6') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_events_are_cold_and_ref_counted(client: Client, uid: str) -> None:
    handle = client.counter.get_or_create([uid])
    conn = handle.connect()
    await conn.ready()
    source = events(conn, "newCount")
    assert conn._proto.subscriptions == frozenset()  # nothing until someone subscribes
    a: list[list[Any]] = []
    b: list[list[Any]] = []
    sub_a = source.subscribe(a.append)
    sub_b = source.subscribe(b.append)
    assert conn._proto.subscriptions == {"newCount"}
    await handle.increment(1)
    await until(lambda: a == [[1]] and b == [[1]], "both got the event")
    sub_a.dispose()
    assert conn._proto.subscriptions == {"newCount"}  # b still listens
    await handle.increment(1)
    await until(lambda: b == [[1], [2]], "b got the second")
    assert a == [[1]]
    sub_b.dispose()
    assert conn._proto.subscriptions == frozenset()  # withdrawn with the last listener
    sub_b.dispose()  # idempotent
    await conn.dispose()


async def test_events_complete_when_the_connection_is_disposed(client: Client, uid: str) -> None:
    conn = client.counter.get_or_create([uid]).connect()
    done = asyncio.Event()
    events(conn, "newCount").subscribe(on_completed=done.set)
    await conn.dispose()
    await done.wait()
    late = asyncio.Event()
    events(conn, "newCount").subscribe(on_completed=late.set)
    assert late.is_set()


async def test_status_replays_then_follows(client: Client, uid: str) -> None:
    conn = client.counter.get_or_create([uid]).connect()
    early: list[ConnStatus] = []
    status(conn).subscribe(early.append)
    await conn.ready()
    late: list[ConnStatus] = []
    done = asyncio.Event()
    status(conn).subscribe(late.append, on_completed=done.set)
    await conn.dispose()
    await done.wait()
    assert early == [ConnStatus.CONNECTING, ConnStatus.CONNECTED, ConnStatus.IDLE]
    assert late == [ConnStatus.CONNECTED, ConnStatus.IDLE]


async def test_errors_stream(client: Client, uid: str) -> None:
    conn = client.guarded.get_or_create([uid]).connect(params={"authToken": "bad"})
    got: list[Exception] = []
    errors(conn).subscribe(got.append)
    with pytest.raises(ActorError):
        await conn.ready()
    assert got and isinstance(got[0], ActorError)
    assert "invalid auth token" in str(got[0])
    await conn.dispose()


async def test_action_emits_one_value(client: Client, uid: str) -> None:
    handle = client.counter.get_or_create([uid])
    conn = handle.connect()
    over_socket = await action(conn, "increment", 2).pipe(reactivex.operators.to_list())
    over_http = await action(handle, "increment", 3)
    assert over_socket == [2] and over_http == 5
    with pytest.raises(ActorError) as info:
        await action(client.errors.get_or_create([uid]), "failUser", "why")
    assert info.value.code == "custom_code"
    await conn.dispose()


async def test_disposing_an_action_cancels_its_task(client: Client, uid: str) -> None:
    conn = client.counter.get_or_create([uid]).connect()
    await conn.ready()
    got: list[Any] = []
    sub = action(conn, "sleepMs", 300).subscribe(got.append, got.append, lambda: got.append("done"))
    tasks = [t for t in asyncio.all_tasks() if t.get_name() == "actorbind-rx-action-sleepMs"]
    assert len(tasks) == 1
    sub.dispose()
    await asyncio.sleep(0)
    assert tasks[0].cancelled()
    assert got == []  # nothing after disposal
    await conn.dispose()


async def test_action_subscribed_on_another_thread_runs_on_the_loop(
    client: Client, uid: str
) -> None:
    conn = client.counter.get_or_create([uid]).connect()
    loop_thread = threading.get_ident()
    got: list[tuple[Any, bool]] = []

    def worker() -> None:
        action(conn, "increment", 7).subscribe(
            lambda v: got.append((v, threading.get_ident() == loop_thread))
        )

    thread = threading.Thread(target=worker)
    thread.start()
    await asyncio.to_thread(thread.join)
    await until(lambda: bool(got), "result")
    assert got == [(7, True)]
    await conn.dispose()


async def test_observe_on_loop_marshals_worker_values_in_order() -> None:
    loop_thread = threading.get_ident()
    source: Subject[int] = Subject()
    got: list[tuple[int, bool]] = []
    done = asyncio.Event()
    source.pipe(observe_on_loop(asyncio.get_running_loop())).subscribe(
        lambda v: got.append((v, threading.get_ident() == loop_thread)), on_completed=done.set
    )
    source.on_next(-1)  # on the loop thread: straight through

    def worker() -> None:
        for i in range(200):
            source.on_next(i)
        source.on_completed()

    thread = threading.Thread(target=worker)
    thread.start()
    await done.wait()
    await asyncio.to_thread(thread.join)
    assert [v for v, _ in got] == [-1, *range(200)]
    assert all(on_loop for _, on_loop in got)
