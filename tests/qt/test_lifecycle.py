"""use_actor: a widget's show/hide/close/destroy drive one shared connection."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import shiboken6
from actorbind_qt import use_actor
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from actorbind import Client, ConnStatus
from actorbind.rx import ActorStore
from tests.utils import until

from .conftest import QtLoop
from .support import until_live


class RefusingWindow(QWidget):
    """A window whose close the user "cancels" (e.g. unsaved changes)."""

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()


def test_connects_on_first_show_not_at_creation(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        widget = make_widget()
        binding = use_actor(widget, "counter", [uid], client=client, store=store)
        handle = client.counter.get_or_create([uid])
        for _ in range(5):
            await asyncio.sleep(0)
        assert binding.connection is None
        assert binding.conn_status is ConnStatus.IDLE
        assert await handle.liveConns() == 1  # only this HTTP call
        widget.show()
        await until(lambda: binding.connected, "connected")
        await until_live(handle, 1)
        assert binding.mounted

    qloop.run(scenario())


def test_shown_before_the_loop_runs_connects_once_it_runs(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    widget = make_widget()
    binding = use_actor(widget, "counter", [uid], client=client, store=store)
    widget.show()  # no running asyncio loop yet: the binding waits for one

    async def scenario() -> None:
        await until(lambda: binding.connected, "connected")

    qloop.run(scenario())


def test_accepted_close_disposes(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        window = make_widget()
        child = QWidget(window)
        QVBoxLayout(window).addWidget(child)
        binding = use_actor(child, "counter", [uid], client=client, store=store)
        handle = client.counter.get_or_create([uid])
        window.show()
        await until(lambda: binding.connected, "connected")
        await until_live(handle, 1)
        assert window.close()
        assert not binding.mounted
        await until_live(handle, 0)  # after the grace period the server sees it go
        await until(lambda: binding.conn_status is ConnStatus.IDLE, "idle")
        assert store.entries == ()
        # Shown again: connects again.
        window.show()
        await until(lambda: binding.connected, "connected again")
        await until_live(handle, 1)

    qloop.run(scenario())


def test_ignored_close_keeps_the_connection(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        window = make_widget(RefusingWindow)
        child = QWidget(window)
        binding = use_actor(child, "counter", [uid], client=client, store=store)
        handle = client.counter.get_or_create([uid])
        window.show()
        await until(lambda: binding.connected, "connected")
        conn = binding.connection
        assert not window.close()  # ignored
        assert binding.mounted
        entry = binding.entry
        assert entry is not None and entry.refs == 1  # nothing can schedule a disposal
        await asyncio.sleep(store.grace * 2)
        assert binding.connection is conn and binding.connected
        await until_live(handle, 1)
        # A later hide is a plain hide, not the end of that ignored close.
        assert binding.mounted

    qloop.run(scenario())


def test_delete_on_close_window_disposes(
    qloop: QtLoop, client: Client, store: ActorStore, uid: str
) -> None:
    async def scenario() -> None:
        window = QWidget()
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        child = QWidget(window)
        binding = use_actor(child, "counter", [uid], client=client, store=store)
        handle = client.counter.get_or_create([uid])
        statuses: list[ConnStatus] = []
        done = asyncio.Event()
        binding.status.subscribe(statuses.append, on_completed=done.set)
        window.show()
        await until(lambda: binding.connected, "connected")
        window.close()
        await done.wait()  # the observables complete with the widget
        assert binding.disposed and statuses[-1] is ConnStatus.IDLE
        assert not shiboken6.isValid(child)
        await until_live(handle, 0)

    qloop.run(scenario())


def test_minimize_keeps_the_connection(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        window = make_widget()
        child = QWidget(window)
        binding = use_actor(child, "counter", [uid], client=client, store=store)
        window.show()
        await until(lambda: binding.connected, "connected")
        conn = binding.connection
        window.showMinimized()  # a spontaneous hide
        await until(lambda: window.isMinimized(), "minimized")
        assert binding.mounted
        await asyncio.sleep(store.grace * 2)
        assert binding.connection is conn and binding.connected
        window.showNormal()
        assert binding.connection is conn

    qloop.run(scenario())


def test_hide_show_within_grace_reuses_the_socket(
    qloop: QtLoop, client: Client, make_widget: Callable[..., QWidget], uid: str
) -> None:
    long_grace = ActorStore(client, grace=30.0)  # the show surely comes within it
    short_grace = ActorStore(client, grace=0.05)

    async def scenario() -> None:
        handle = client.counter.get_or_create([uid])
        widget = make_widget()
        binding = use_actor(widget, "counter", [uid], client=client, store=long_grace)
        widget.show()
        await until(lambda: binding.connected, "connected")
        conn = binding.connection
        assert conn is not None
        conn_id = conn.connection_id
        widget.hide()
        assert not binding.mounted
        widget.show()
        assert binding.mounted
        assert binding.connection is conn and conn.connection_id == conn_id
        assert binding.connected
        await until_live(handle, 1)

        # With the grace period over, a new show opens a new socket.
        other = make_widget()
        b2 = use_actor(other, "counter", [uid, "2"], client=client, store=short_grace)
        other.show()
        await until(lambda: b2.connected, "connected")
        first = b2.connection
        other.hide()
        await until(lambda: b2.connection is None, "disposed after grace")
        other.show()
        await until(lambda: b2.connected, "reconnected")
        assert b2.connection is not first

    qloop.run(scenario())


def test_two_widgets_share_one_socket(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        handle = client.counter.get_or_create([uid])
        w1, w2 = make_widget(), make_widget()
        b1 = use_actor(w1, "counter", [uid], client=client, store=store)
        b2 = use_actor(w2, "counter", key=[uid], client=client, store=store)
        w1.show()
        w2.show()
        await until(lambda: b1.connected and b2.connected, "both connected")
        assert b1.connection is b2.connection
        assert len(client.connections) == 1
        await until_live(handle, 1)
        shiboken6.delete(w1)
        assert b1.disposed and b2.connected
        await asyncio.sleep(store.grace * 2)
        await until_live(handle, 1)  # still held by w2
        w2.deleteLater()
        await until(lambda: b2.disposed, "second binding disposed")
        await until_live(handle, 0)
        assert store.entries == ()

    qloop.run(scenario())


def test_enabled_off_disposes_on_reconnects(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        handle = client.counter.get_or_create([uid])
        widget = make_widget()
        binding = use_actor(widget, "counter", [uid], client=client, store=store, enabled=False)
        widget.show()
        for _ in range(5):
            await asyncio.sleep(0)
        assert binding.connection is None and binding.conn_status is ConnStatus.IDLE
        assert binding.mounted
        binding.enabled = True
        await until(lambda: binding.connected, "connected")
        first = binding.connection
        await until_live(handle, 1)
        binding.enabled = False
        assert binding.connection is None and binding.conn_status is ConnStatus.IDLE
        await until_live(handle, 0)
        binding.enabled = True
        await until(lambda: binding.connected, "connected again")
        assert binding.connection is not first
        await until_live(handle, 1)

    qloop.run(scenario())
