"""Destroying a widget mid-flight leaves nothing behind: no task, no socket, no error."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
import shiboken6
from actorbind_qt import bind, use_actor
from PySide6.QtWidgets import QLabel, QWidget

from actorbind import ConnDisposed, ConnStatus, create_client
from actorbind.rx import ActorStore
from tests.utils import until

from .conftest import QtLoop, RestartableServer
from .support import until_live


def _assert_clean(qloop: QtLoop, store: ActorStore) -> None:
    assert store.entries == ()
    assert store.closing == 0
    assert qloop.tasks() == set(), qloop.tasks()
    assert qloop.errors == []


def test_destroy_during_connect(
    qloop: QtLoop, make_widget: Callable[..., QWidget], embedded_endpoint: str, uid: str
) -> None:
    async def scenario() -> None:
        client = create_client(embedded_endpoint)
        store = ActorStore(client, grace=0.0)
        widget = make_widget()
        binding = use_actor(widget, "counter", [uid], client=client, store=store)
        completed = asyncio.Event()
        binding.status.subscribe(on_completed=completed.set)
        bind(binding.status, lambda s: None, owner=widget)
        widget.show()
        assert binding.conn_status is ConnStatus.CONNECTING
        shiboken6.delete(widget)  # synchronously, while connecting
        assert binding.disposed
        await completed.wait()
        await until(lambda: not client.connections, "connection disposed")
        await store.wait_closed()
        await until_live(client.counter.get_or_create([uid]), 0)
        with pytest.raises(ConnDisposed):
            await binding.action("increment", 1)
        await client.dispose()
        _assert_clean(qloop, store)

    qloop.run(scenario())


def test_destroy_during_reconnect(
    qloop: QtLoop, make_widget: Callable[..., QWidget], own_server: RestartableServer, uid: str
) -> None:
    async def scenario() -> None:
        client = create_client(own_server.endpoint)
        store = ActorStore(client, grace=0.0)
        widget = make_widget()
        binding = use_actor(widget, "counter", [uid], client=client, store=store)
        seen: list[str] = []
        binding.statusChanged.connect(seen.append)
        widget.show()
        await until(lambda: binding.connected, "connected")
        await asyncio.to_thread(own_server.stop)
        await until(lambda: "disconnected" in seen, "disconnected")
        await until(lambda: seen[-1] == "connecting" or len(seen) > 4, "reconnecting")
        widget.deleteLater()
        await until(lambda: binding.disposed, "binding disposed")
        await until(lambda: not client.connections, "connection disposed")
        await store.wait_closed()
        await client.dispose()
        _assert_clean(qloop, store)

    qloop.run(scenario())


def test_destroy_during_an_in_flight_action(
    qloop: QtLoop, make_widget: Callable[..., QWidget], embedded_endpoint: str, uid: str
) -> None:
    async def scenario() -> None:
        client = create_client(embedded_endpoint)
        store = ActorStore(client, grace=0.0)
        window = make_widget()
        label = QLabel(window)
        binding = use_actor(label, "counter", [uid], client=client, store=store)
        window.show()
        await until(lambda: binding.connected, "connected")
        # Long enough to be in flight when the widget goes. (The embedded server runs one
        # action per actor at a time, so the liveConns check below waits for it to end.)
        call = asyncio.ensure_future(binding.action("sleepMs", 1_500))
        work = binding.create_task(asyncio.sleep(3600))
        conn = binding.connection
        assert conn is not None
        await until(lambda: conn._proto.pending_actions == 1, "action sent")
        shiboken6.delete(window)  # the label and its binding go with it
        with pytest.raises(asyncio.CancelledError):
            await call
        await asyncio.sleep(0)
        assert work.cancelled()
        await until(lambda: not client.connections, "connection disposed")
        await store.wait_closed()
        await until_live(client.counter.get_or_create([uid]), 0)
        await client.dispose()
        _assert_clean(qloop, store)

    qloop.run(scenario())
