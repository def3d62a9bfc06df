"""Qt fixtures: a fresh qasync loop per test (not pytest-asyncio's), a client, widgets.

Qt tests are plain functions that drive coroutines with ``qloop.run(coro)``: the qasync loop
runs Qt's event loop underneath, so widgets get their events while the coroutine awaits.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import shiboken6
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QWidget

from actorbind import Client, create_client
from actorbind.rx import ActorStore
from tests.support.qt import QtLoop, qasync_loop
from tests.utils import free_port

T = TypeVar("T")


@pytest.fixture(autouse=True)
def _collect_qt_garbage_on_the_gui_thread() -> Iterator[None]:
    """Qt objects caught in reference cycles (qasync loops, closed windows) are collected
    here, on the GUI thread, never by a cyclic GC that happens to run on a server thread."""
    yield
    gc.collect()


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[QtLoop]:
    with qasync_loop(qapp) as runner:
        yield runner


@pytest.fixture
def client(qloop: QtLoop, embedded_endpoint: str) -> Iterator[Client]:
    c = create_client(embedded_endpoint)
    yield c
    qloop.run(c.dispose())


@pytest.fixture
def store(client: Client) -> ActorStore:
    """A store with a short grace period (tests wait for it, never time it)."""
    return ActorStore(client, grace=0.2)


@pytest.fixture
def make_widget(qloop: QtLoop) -> Iterator[Callable[..., QWidget]]:
    """``make_widget(cls=QWidget)``: widgets deleted at the end of the test if still alive."""
    made: list[QWidget] = []

    def make(cls: type[QWidget] = QWidget) -> QWidget:
        widget = cls()
        made.append(widget)
        return widget

    yield make
    for widget in made:
        if shiboken6.isValid(widget):
            shiboken6.delete(widget)
    made.clear()


class RestartableServer:
    """The embedded server on a fixed port and data file, stopped and started at will."""

    def __init__(self, port: int, data: Path) -> None:
        from actorbind.server import run_in_thread
        from tests.support.actors import registry

        self.port = port
        self.data = data
        self.endpoint = f"http://127.0.0.1:{port}"
        self._factory = lambda: run_in_thread(registry, port=port, data=str(data))
        self._cm: contextlib.AbstractContextManager[str] | None = None

    def start(self) -> None:
        assert self._cm is None
        cm = self._factory()
        self.endpoint = cm.__enter__()
        self._cm = cm

    def stop(self) -> None:
        cm, self._cm = self._cm, None
        if cm is not None:
            cm.__exit__(None, None, None)

    @property
    def running(self) -> bool:
        return self._cm is not None


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[RestartableServer]:
    server = RestartableServer(free_port(), tmp_path / "actors.db")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def qt_warnings() -> Iterator[list[str]]:
    """Qt's warnings (and worse) while the test runs."""
    seen: list[str] = []

    def handler(kind: QtMsgType, _context: Any, message: str) -> None:
        if kind != QtMsgType.QtDebugMsg:
            seen.append(message)

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)
