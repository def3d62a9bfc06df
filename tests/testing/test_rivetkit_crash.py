"""``actorbind.testing``: nothing of the engine outlives its owner, even a crashed one."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from actorbind.testing import pid_alive

pytestmark = pytest.mark.rivetkit

CRASH = """
import os, signal
from actorbind.testing import RivetKitEngine
from tests.support.rivetkit_server import APP_DIR
engine = RivetKitEngine(APP_DIR).start()
print(engine.node_pid, engine.engine_pid, engine.storage_dir, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no atexit, no stop(): a crash
"""


def test_engine_stops_when_its_owner_crashes() -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", CRASH], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -9, proc.stderr
    node, engine, storage = proc.stdout.split()
    try:
        deadline = time.monotonic() + 20
        while (pid_alive(int(node)) or pid_alive(int(engine))) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pid_alive(int(node)), "node outlived its crashed owner"
        assert not pid_alive(int(engine)), "the engine outlived its crashed owner"
    finally:
        shutil.rmtree(storage, ignore_errors=True)
