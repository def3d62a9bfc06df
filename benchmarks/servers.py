"""The servers the benchmarks run against, and the Node folder for ts_bench.mjs.

- RivetKit 2.3.19 + its Rivet Engine: ``tests.support.rivetkit_server.RivetKitServer``.
- The embedded Python server, as its own process:
  ``python -m actorbind.server tests.support.actors:registry --port P``.
- ``ts_bench.mjs`` is copied into ``<rivetkit install>/runs/bench-<hex>/`` (removed on exit) so
  that ``import "rivetkit/client"`` resolves from the cached ``node_modules``, exactly like the
  test harness does with ``server.mjs``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.rivetkit_server import RivetKitServer, ensure_rivetkit

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent


@contextlib.contextmanager
def rivetkit_server() -> Iterator[str]:
    with RivetKitServer() as server:
        yield server.endpoint


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def embedded_available() -> str | None:
    """``None`` if ``actorbind.server`` and the test registry import, else why not."""
    probe = subprocess.run(
        [sys.executable, "-c", "import actorbind.server, tests.support.actors as m; m.registry"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return (probe.stderr.strip().splitlines() or ["import failed"])[-1]
    return None


@contextlib.contextmanager
def embedded_server(timeout: float = 20.0) -> Iterator[tuple[str, int]]:
    """Run ``python -m actorbind.server`` in its own process; yields (endpoint, pid)."""
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="actorbind-bench-server-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "actorbind.server",
            "tests.support.actors:registry",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            text = Path(log.name).read_text(errors="replace")
            if "listening on" in text:
                break
            if proc.poll() is not None:
                raise RuntimeError(f"embedded server exited ({proc.returncode}):\n{text[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"embedded server not listening after {timeout} s:\n{text}")
            time.sleep(0.05)
        yield endpoint, proc.pid
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        with contextlib.suppress(OSError):
            os.unlink(log.name)


@contextlib.contextmanager
def node_bench_dir() -> Iterator[Path]:
    """A folder next to the cached rivetkit ``node_modules`` holding a copy of ts_bench.mjs."""
    install = ensure_rivetkit()
    runs = install / "runs"
    runs.mkdir(exist_ok=True)
    folder = runs / f"bench-{secrets.token_hex(6)}"
    folder.mkdir()
    try:
        shutil.copyfile(HERE / "ts_bench.mjs", folder / "ts_bench.mjs")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
