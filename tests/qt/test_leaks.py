"""Opening and closing 200 bound widgets leaves sockets, tasks and QObjects at baseline."""

from __future__ import annotations

import gc
from collections.abc import Callable

import actorbind_qt
import psutil
import shiboken6
from actorbind_qt import bind, use_actor
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from actorbind import Client
from actorbind.rx import ActorStore
from tests.utils import until

from .conftest import QtLoop
from .support import until_live

N = 200
SLACK = 5  # a few objects may come and go on their own (timers, pooled HTTP sockets)


def _sockets() -> int:
    return len(psutil.Process().net_connections(kind="tcp"))


def _qobjects() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, QObject))


def test_open_close_200_bound_widgets(
    qloop: QtLoop, client: Client, make_widget: Callable[..., QWidget], uid: str
) -> None:
    store = ActorStore(client, grace=0.0)
    app = QApplication.instance()
    assert app is not None

    async def cycle(i: int) -> None:
        window = QWidget()
        if i % 2:
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        label = QLabel(window)
        binding = use_actor(label, "counter", [uid, str(i % 10)], client=client, store=store)
        bind(binding.status, lambda s: label.setText(s.value), owner=label)
        binding.on_event("newCount", lambda n: None)
        window.show()
        await until(lambda: binding.connected, f"widget {i} connected")
        window.close()
        if shiboken6.isValid(window):
            window.deleteLater()
        await until(lambda: binding.disposed, f"widget {i} disposed")

    async def settle() -> None:
        await until(lambda: store.entries == () and store.closing == 0, "store empty")
        await until(lambda: not client.connections, "no connections")
        await until_live(client.counter.get_or_create([uid, "0"]), 0)

    async def scenario() -> None:
        # Warm up (the HTTP pool, lazily made Qt objects), then measure.
        for i in range(3):
            await cycle(i)
        await settle()
        base_sockets, base_tasks = _sockets(), len(qloop.tasks())
        base_qobjects, base_widgets = _qobjects(), len(app.allWidgets())
        base_live = actorbind_qt.live_bindings()
        for i in range(N):
            await cycle(i)
        await settle()
        await until(lambda: _sockets() <= base_sockets + SLACK, "sockets back to baseline")
        assert len(qloop.tasks()) <= base_tasks
        assert len(app.allWidgets()) <= base_widgets
        assert actorbind_qt.live_bindings() <= base_live
        assert _qobjects() <= base_qobjects + SLACK, (_qobjects(), base_qobjects)

    qloop.run(scenario(), timeout=180)


def test_200_widgets_with_live_state_and_models_leave_nothing(
    qloop: QtLoop, client: Client, uid: str
) -> None:
    from PySide6.QtWidgets import QListView

    from actorbind.rx import _shared

    store = ActorStore(client, grace=0.0)
    app = QApplication.instance()
    assert app is not None

    async def cycle(i: int) -> None:
        window = QWidget()
        label, view = QLabel(window), QListView(window)
        binding = use_actor(window, "counter", [uid, str(i % 10)], client=client, store=store)
        count = binding.state("getCount", reducers={"newCount": lambda _old, new: new})
        count.bind(label)
        view.setModel(binding.list_model("echo", {"id": i}, key=lambda x: x["id"]))
        window.show()
        await until(lambda: count.loaded, f"widget {i} loaded")
        window.close()
        window.deleteLater()
        await until(lambda: binding.disposed, f"widget {i} disposed")

    async def settle() -> None:
        await until(lambda: store.entries == () and store.closing == 0, "store empty")
        await until(lambda: not client.connections, "no connections")

    async def scenario() -> None:
        for i in range(3):
            await cycle(i)
        await settle()
        base_qobjects, base_widgets = _qobjects(), len(app.allWidgets())
        base_live = actorbind_qt.live_bindings()
        for i in range(N):
            await cycle(i)
        await settle()
        assert not _shared._shares.get(store)  # every shared live state released
        assert len(app.allWidgets()) <= base_widgets
        assert actorbind_qt.live_bindings() <= base_live
        assert _qobjects() <= base_qobjects + SLACK, (_qobjects(), base_qobjects)

    qloop.run(scenario(), timeout=180)
