"""Fixtures of the demo tests: a qasync loop per test, the room actor on both servers."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtWidgets import QApplication

from actorbind.testing import RivetKitEngine, pid_alive
from actorbind_demo.rivetkit import APP_DIR, PROBE
from tests.support.qt import QtLoop, qasync_loop

T = TypeVar("T")


def collect_on_gui_thread() -> None:
    """Collect the closed loop's garbage here, on the GUI thread.

    qasync's ``close()`` leaves its timer QObject with Qt timers still registered. Left to the
    cyclic GC, it may be destroyed on another thread (the embedded server's, when the next test
    starts one): Qt then cannot unregister the timers ("Timers cannot be stopped from another
    thread") and the next timer event crashes the process.
    """
    gc.collect()


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[QtLoop]:
    with qasync_loop(qapp) as runner:
        yield runner


@pytest.fixture(scope="session")
def room_rivetkit() -> Iterator[RivetKitEngine]:
    """The demo's registry (``actorbind_demo/rivetkit``) on a real RivetKit 2.3.19 engine."""
    if os.environ.get("ACTORBIND_SKIP_RIVETKIT") == "1":
        pytest.skip("ACTORBIND_SKIP_RIVETKIT=1")
    engine = RivetKitEngine(APP_DIR, probe=PROBE).start()
    node_pid, engine_pid = engine.node_pid, engine.engine_pid
    assert node_pid is not None and engine_pid is not None
    try:
        yield engine
    finally:
        engine.stop()
    # No process of it survives: neither node nor the detached engine.
    assert not pid_alive(node_pid), f"node {node_pid} still runs"
    assert not pid_alive(engine_pid), f"rivet-engine {engine_pid} still runs"


@pytest.fixture(scope="session")
def room_embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo's actors on the embedded server (own thread), for the actor tests."""
    from actorbind.server import run_in_thread
    from actorbind_demo.actors import registry

    data: Path = tmp_path_factory.mktemp("room") / "room.db"
    with run_in_thread(registry, data=str(data)) as endpoint:
        yield endpoint


@pytest.fixture(params=["embedded", pytest.param("rivetkit", marks=pytest.mark.rivetkit)])
def room_endpoint(request: pytest.FixtureRequest) -> str:
    """The room actor's endpoint on each server: a difference is a bug."""
    if request.param == "embedded":
        return str(request.getfixturevalue("room_embedded"))
    engine: RivetKitEngine = request.getfixturevalue("room_rivetkit")
    return engine.endpoint
