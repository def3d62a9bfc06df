"""Run a RivetKit 2.3.19 registry (and its detached Rivet Engine) on a free loopback port.

Generic over the app folder: ``app_dir`` holds ``package.json`` (rivetkit pinned), ``.npmrc``,
``registry.mjs`` exporting ``registry``, and optionally ``server.mjs`` (default: this package's,
which prints ``ACTORBIND_RIVETKIT_READY <endpoint>`` once ``registry.startAndWait()``
returned)::

    with RivetKitEngine(app_dir, probe=("counter", "getCount")) as engine:
        client = create_client(engine.endpoint)

The tests (``tests/support/rivetkit_server.py``), the benchmarks and the demo all use it;
the install is :mod:`.install`'s.

How it works:

- ``node_modules`` (~340 MB, ~1 min of ``npm install``) is installed once into a cache folder,
  ``$ACTORBIND_CACHE`` or ``~/.cache/actorbind``, subfolder ``rivetkit-<version>-<hash>``. An
  install made for another app with the same dependencies and ``.npmrc`` is reused as is.
- Node's ESM loader resolves ``import "rivetkit"`` from the real path of the importing file, so
  each start copies the ``.mjs`` files into ``<install>/runs/<random>/`` (removed on stop).
- Node spawns the engine detached: :meth:`RivetKitEngine.stop` stops Node's process group, then
  the engine by the pid in ``<storage>/.rivetkit/var/engine/runtime.json``, and waits until the
  ports are free. An ``atexit`` hook stops engines that were never stopped.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from .engine import BUSY_MACHINE_ENV
from .install import (
    RIVETKIT_VERSION,
    RivetKitError,
    ensure_installed,
    log_tail,
    progress,
    require_tool,
)

__all__ = [
    "RIVETKIT_VERSION",
    "RivetKitEngine",
    "RivetKitError",
    "engine_env",
    "ensure_installed",
    "pick_port",
    "pid_alive",
]

# The generic server.mjs, for app folders without their own.
_HARNESS_DIR = Path(__file__).resolve().parent
READY_PREFIX = "ACTORBIND_RIVETKIT_READY"
_RUN_FILES = ("registry.mjs", "server.mjs")
_ENV_UNSET = ("RIVET_ENDPOINT", "RIVET_ENGINE", "RIVET_TOKEN", "RIVET_NAMESPACE")


def engine_env(port: int) -> dict[str, str]:
    """What the spawned Rivet Engine needs on loopback ``port``, beyond what RivetKit sets.

    RivetKit 2.3.19 passes the engine a topology (``--config``) only with a public URL, which
    its JS API never sets: the engine then advertises port 6420, and some first getOrCreate
    calls time out (``pegboard.route_resolve_query_timeout``). The engine inherits Node's
    environment and reads ``RIVET__*`` variables as config, so the topology goes in that way.
    The rest cuts the engine's latency: no backtrace capture on the hot path, ``TCP_NODELAY``
    on its side of the tunnel, no per-WebSocket rate limit, and no load shedding by the host's
    CPU use (:data:`~actorbind.testing.engine.BUSY_MACHINE_ENV`)."""
    topology = "RIVET__TOPOLOGY__"
    dc = f"{topology}DATACENTERS__DEFAULT__"
    return {
        f"{topology}DATACENTER_LABEL": "1",
        f"{dc}DATACENTER_LABEL": "1",
        f"{dc}IS_LEADER": "true",
        f"{dc}PUBLIC_URL": f"http://127.0.0.1:{port}/",
        f"{dc}PEER_URL": f"http://127.0.0.1:{port + 1}/",
        "RUST_LIB_BACKTRACE": "0",  # panics keep theirs (RUST_BACKTRACE)
        "RIVET__GUARD__TCP_NODELAY": "true",
        "RIVET__PEGBOARD__GATEWAY_WEBSOCKET_RATE_LIMIT_REQUESTS": "1000000",
        "RIVET__PEGBOARD__GATEWAY_WEBSOCKET_RATE_LIMIT_DRIP_RATE_MS": "1",
        **BUSY_MACHINE_ENV,
    }


def _remove_stale_run_dirs(runs: Path, max_age: float = 86400.0) -> None:
    """Delete run folders left by processes that died without stop() (older than a day)."""
    now = time.time()
    for child in runs.iterdir():
        with contextlib.suppress(OSError):
            if now - child.stat().st_mtime > max_age:
                shutil.rmtree(child, ignore_errors=True)


def _port_free(port: int) -> bool:
    """Whether nobody listens on ``port`` (TIME_WAIT leftovers do not count, as for a server
    binding with ``SO_REUSEADDR``, as node and the engine do)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def pick_port() -> int:
    """A loopback port P with P+1 (the engine's peer API) and P+10 (metrics) free too."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port + 10 <= 65535 and all(_port_free(p) for p in (port, port + 1, port + 10)):
            return port
    raise RivetKitError("no free loopback port P with P+1 and P+10 also free")


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _kill_and_wait(pid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
        deadline = time.monotonic() + 5
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not pid_alive(pid):
            return


_LIVE: set[RivetKitEngine] = set()
_LIVE_LOCK = threading.Lock()


@atexit.register
def _stop_leftovers() -> None:
    with _LIVE_LOCK:
        engines = list(_LIVE)
    for engine in engines:
        with contextlib.suppress(Exception):
            engine.stop()


class RivetKitEngine:
    """A RivetKit registry plus its Rivet Engine on ``http://127.0.0.1:P`` (namespace
    ``default``, no token).

    Args:
        app_dir: the app folder (see the module docstring).
        probe: ``(actor, action)`` called with no args until it answers, so callers never race
            the engine; ``None`` waits for the ready line only.
        storage: the engine's data folder, kept on stop; default: a temporary one, deleted.
        port: default: a free one.
    """

    def __init__(
        self,
        app_dir: Path,
        *,
        probe: tuple[str, str] | None = None,
        storage: Path | None = None,
        port: int | None = None,
        ready_timeout: float = 90.0,
    ) -> None:
        self.app_dir = Path(app_dir)
        self.probe = probe
        self.port = port or 0
        self.endpoint = ""
        self.engine_pid: int | None = None
        self.node_pid: int | None = None
        self.startup_seconds: float | None = None
        self._given_storage = storage
        self.storage_dir: Path | None = None
        self.log_path: Path | None = None
        self._ready_timeout = ready_timeout
        self._run_dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def __enter__(self) -> RivetKitEngine:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> RivetKitEngine:
        """Install (once), start RivetKit and its engine, wait until ready; returns self."""
        if self._proc is not None:
            raise RivetKitError("already started")
        install = ensure_installed(self.app_dir)
        node = require_tool("node")
        started = time.monotonic()
        self.port = self.port or pick_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        if self._given_storage is not None:
            self.storage_dir = self._given_storage.expanduser().resolve()
            self.storage_dir.mkdir(parents=True, exist_ok=True)
            self._forget_old_engine()
        else:
            self.storage_dir = Path(tempfile.mkdtemp(prefix="actorbind-rivetkit-"))
        runs = install / "runs"
        runs.mkdir(exist_ok=True)
        _remove_stale_run_dirs(runs)
        self._run_dir = runs / uuid.uuid4().hex[:12]
        self._run_dir.mkdir()
        for name in _RUN_FILES:
            # server.mjs is generic: an app without its own uses the harness's.
            source = self.app_dir / name
            if not source.exists():
                source = _HARNESS_DIR / name
            shutil.copyfile(source, self._run_dir / name)
        self.log_path = self._run_dir / "node.log"
        env = {k: v for k, v in os.environ.items() if k not in _ENV_UNSET}
        env.update(
            RIVET_RUN_ENGINE="1",
            RIVET_RUN_ENGINE_HOST="127.0.0.1",
            RIVET_RUN_ENGINE_PORT=str(self.port),
            RIVETKIT_STORAGE_PATH=str(self.storage_dir),
            RIVET_RUN_SERVICES="0",
            NO_COLOR="1",
            ACTORBIND_STOP_WITH_STDIN="1",  # server.mjs stops the engine if we die
        )
        env.update(engine_env(self.port))
        with _LIVE_LOCK:
            _LIVE.add(self)
        try:
            self._log = open(self.log_path, "wb")
            self._proc = subprocess.Popen(
                [node, str(self._run_dir / "server.mjs")],
                cwd=self._run_dir,
                stdin=subprocess.PIPE,  # held open until stop(); closed by our death
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
            self.node_pid = self._proc.pid
            self._wait_ready(started)
            if self.probe is not None:
                self._wait_probe(started, *self.probe)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def _left(self, started: float) -> float:
        return self._ready_timeout - (time.monotonic() - started)

    def _fail(self, why: str) -> RivetKitError:
        tail = log_tail(self.log_path, 60) if self.log_path else "(no log)"
        return RivetKitError(f"RivetKit on {self.endpoint}: {why}\n--- node output ---\n{tail}")

    def _check_node(self) -> None:
        if self._proc is not None and self._proc.poll() is not None:
            raise self._fail(f"node exited with code {self._proc.returncode}")

    def _wait_ready(self, started: float) -> None:
        assert self.log_path is not None
        next_note = time.monotonic() + 5.0  # a normal start takes 1-3 s: say nothing
        while READY_PREFIX not in self.log_path.read_bytes().decode("utf-8", "replace"):
            self._check_node()
            if self._left(started) <= 0:
                raise self._fail(f"no {READY_PREFIX} line within {self._ready_timeout:.0f} s")
            if time.monotonic() >= next_note:
                waited = time.monotonic() - started
                progress(f"starting RivetKit + engine on {self.endpoint}: {waited:.0f} s so far")
                next_note += 10.0
            time.sleep(0.05)
        self.engine_pid = self._read_engine_pid()

    def _wait_probe(self, started: float, actor: str, action: str) -> None:
        url = (
            f"{self.endpoint}/gateway/{actor}/action/{action}?rvt-namespace=default"
            f"&rvt-method=getOrCreate&rvt-runner=default"
            f"&rvt-key=probe-{secrets.token_hex(6)}&rvt-crash-policy=sleep"
        )
        headers = {"x-rivet-encoding": "json", "content-type": "application/json"}
        last = "no attempt"
        with httpx.Client(timeout=10.0) as http:
            while self._left(started) > 0:
                self._check_node()
                try:
                    resp = http.post(url, content=b'{"args":[]}', headers=headers)
                    if resp.status_code == 200:
                        return
                    last = f"HTTP {resp.status_code}: {resp.text[:300]}"
                except httpx.HTTPError as exc:
                    last = repr(exc)
                time.sleep(0.2)
        raise self._fail(f"{actor}.{action} did not answer (last: {last})")

    def _read_engine_pid(self) -> int | None:
        if self.storage_dir is None:
            return None
        path = self.storage_dir / ".rivetkit" / "var" / "engine" / "runtime.json"
        try:
            pid: Any = json.loads(path.read_text()).get("pid")
        except (OSError, ValueError, AttributeError):
            return None
        return pid if isinstance(pid, int) else None

    def _forget_old_engine(self) -> None:
        """A kept storage folder may name the engine of an earlier run: never stop that one."""
        stale = self._read_engine_pid()
        if stale is not None and pid_alive(stale):
            raise RivetKitError(f"an engine (pid {stale}) still runs on {self.storage_dir}")
        assert self.storage_dir is not None
        runtime = self.storage_dir / ".rivetkit" / "var" / "engine" / "runtime.json"
        runtime.unlink(missing_ok=True)

    def stop(self) -> None:
        """Stop Node, then the engine; wait for the ports; clean up. Idempotent."""
        proc, self._proc = self._proc, None
        # Node first: its drain is quick while the engine is still up.
        if proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
        if self.engine_pid is None:
            self.engine_pid = self._read_engine_pid()
        if self.engine_pid is not None:
            _kill_and_wait(self.engine_pid)
        if self.port:
            deadline = time.monotonic() + 10
            ports = (self.port, self.port + 1, self.port + 10)
            while not all(_port_free(p) for p in ports) and time.monotonic() < deadline:
                time.sleep(0.05)
        log, self._log = self._log, None
        if log is not None:
            with contextlib.suppress(Exception):
                log.close()
        if self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None
        if self._given_storage is None and self.storage_dir is not None:
            shutil.rmtree(self.storage_dir, ignore_errors=True)
        with _LIVE_LOCK:
            _LIVE.discard(self)
