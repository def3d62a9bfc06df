"""Run a real RivetKit 2.3.19 server (and its detached Rivet Engine) on loopback for tests.

Usage::

    from tests.support.rivetkit_server import RivetKitServer

    with RivetKitServer() as server:
        httpx.get(f"{server.endpoint}/health")

or, by hand, ``python -m tests.support.rivetkit_server`` (prints the endpoint, Ctrl-C stops).

How the JavaScript side is laid out
-----------------------------------
``tests/rivetkit_app/`` holds ``package.json``, ``.npmrc``, ``registry.mjs`` (the actors of
``tests/ACTORS.md``) and ``server.mjs``. ``node_modules`` (~340 MB, ~1-2 min to install) is *not*
put in the repo: :func:`ensure_rivetkit` installs it once into a cache folder,
``$ACTORBIND_CACHE`` or ``~/.cache/actorbind``, subfolder
``rivetkit-2.3.19-<hash of package.json + .npmrc>``.

Node's ESM loader ignores ``NODE_PATH`` and resolves a bare ``import "rivetkit"`` by walking up
from the *real* path of the importing file, so neither ``NODE_PATH`` nor a symlink to the
``.mjs`` files works (without ``--preserve-symlinks``). Symlinking ``node_modules`` into the repo
would work but litters the work tree. So on every start :class:`RivetKitServer` copies the two
``.mjs`` files into a fresh folder ``<install>/runs/<random>/`` (removed on stop); ``rivetkit``
then resolves from ``<install>/node_modules``. Editing ``registry.mjs`` therefore needs no
reinstall; only a change of ``package.json``/``.npmrc`` (a new hash) installs again.

Stopping
--------
The engine is spawned detached by Node and outlives it. :meth:`RivetKitServer.stop` stops the
Node process group, then the engine by the pid in
``<storage>/.rivetkit/var/engine/runtime.json``, waits for the ports to be free and deletes the
storage folder. An ``atexit`` hook does the same for servers that were never stopped.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

RIVETKIT_VERSION = "2.3.19"

APP_DIR = Path(__file__).resolve().parent.parent / "rivetkit_app"
READY_PREFIX = "ACTORBIND_RIVETKIT_READY"
_INSTALL_MARKER = ".actorbind-installed"
_INSTALL_FILES = ("package.json", ".npmrc")
_RUN_FILES = ("registry.mjs", "server.mjs")
_ENV_UNSET = ("RIVET_ENDPOINT", "RIVET_ENGINE", "RIVET_TOKEN", "RIVET_NAMESPACE")


class RivetKitError(RuntimeError):
    """The RivetKit test server could not be installed, started or stopped."""


def cache_root_default() -> Path:
    env = os.environ.get("ACTORBIND_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "actorbind"


def _app_hash() -> str:
    digest = hashlib.sha256()
    for name in _INSTALL_FILES:
        digest.update(name.encode() + b"\0")
        digest.update((APP_DIR / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def install_dir(cache_root: Path | None = None) -> Path:
    root = cache_root if cache_root is not None else cache_root_default()
    return root / f"rivetkit-{RIVETKIT_VERSION}-{_app_hash()}"


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RivetKitError(
            f"`{name}` was not found on PATH: the real-RivetKit tests need Node.js (>= 20) and npm "
            f"(e.g. `apt-get install nodejs npm`), or deselect them with `-m 'not rivetkit'`."
        )
    return path


def ensure_rivetkit(cache_root: Path | None = None) -> Path:
    """Install rivetkit 2.3.19 into the cache once and return the install folder.

    The folder holds ``package.json``, ``.npmrc`` and ``node_modules``. ``npm install`` runs only
    when the marker file is missing; an exclusive ``flock`` on ``<folder>.lock`` keeps two
    processes (e.g. pytest-xdist workers) from installing at the same time.
    """
    _require_tool("node")
    npm = _require_tool("npm")
    target = install_dir(cache_root)
    marker = target / _INSTALL_MARKER
    if marker.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f"{target.name}.lock"
    with open(lock_path, "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            if marker.is_file():  # another process finished while we waited
                return target
            target.mkdir(parents=True, exist_ok=True)
            for name in _INSTALL_FILES:
                shutil.copyfile(APP_DIR / name, target / name)
            log_path = target / "npm-install.log"
            started = time.monotonic()
            with open(log_path, "wb") as log:
                proc = subprocess.run(
                    [npm, "install", "--no-audit", "--no-fund"],
                    cwd=target,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, "NO_UPDATE_NOTIFIER": "1"},
                    check=False,
                )
            if proc.returncode != 0:
                tail = _tail(log_path, 40)
                raise RivetKitError(
                    f"`npm install` in {target} failed with exit code {proc.returncode}:\n{tail}"
                )
            if not (target / "node_modules" / "rivetkit" / "package.json").is_file():
                raise RivetKitError(f"`npm install` in {target} did not install rivetkit")
            marker.write_text(
                json.dumps(
                    {"rivetkit": RIVETKIT_VERSION, "seconds": round(time.monotonic() - started, 1)}
                )
            )
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
    return target


def _tail(path: Path, lines: int) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return "(no output)"
    text = data[-64 * 1024 :].decode("utf-8", "replace")
    return "\n".join(text.splitlines()[-lines:])


def _remove_stale_run_dirs(runs: Path, max_age: float = 86400.0) -> None:
    """Delete run folders left by processes that died without stop() (older than a day)."""
    now = time.time()
    for child in runs.iterdir():
        with contextlib.suppress(OSError):
            if now - child.stat().st_mtime > max_age:
                shutil.rmtree(child, ignore_errors=True)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def pick_ports() -> int:
    """A loopback port P such that P, P+1 (engine peer API) and P+10 (metrics) are all free."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port + 10 > 65535:
            continue
        if all(_port_free(p) for p in (port, port + 1, port + 10)):
            return port
    raise RivetKitError("no free loopback port P with P+1 and P+10 also free")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still "exists"; treat it as gone once reaped elsewhere.
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True


_LIVE: set[RivetKitServer] = set()
_LIVE_LOCK = threading.Lock()


@atexit.register
def _stop_leftovers() -> None:
    with _LIVE_LOCK:
        servers = list(_LIVE)
    for server in servers:
        with contextlib.suppress(Exception):
            server.stop()


class RivetKitServer:
    """A real RivetKit 2.3.19 registry with the test actors, plus its Rivet Engine.

    ``endpoint`` is ``http://127.0.0.1:P`` (namespace ``default``, no token). Use as a context
    manager or call :meth:`start` / :meth:`stop`.
    """

    def __init__(
        self,
        *,
        cache_root: Path | None = None,
        ready_timeout: float = 90.0,
        port: int | None = None,
    ) -> None:
        self._cache_root = cache_root
        self._ready_timeout = ready_timeout
        self._requested_port = port
        self.port: int = 0
        self.endpoint: str = ""
        self.storage_dir: Path | None = None
        self.log_path: Path | None = None
        self.engine_pid: int | None = None
        self.startup_seconds: float | None = None
        self._run_dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    # -- context manager -------------------------------------------------------------------
    def __enter__(self) -> RivetKitServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- start -----------------------------------------------------------------------------
    def start(self) -> RivetKitServer:
        if self._proc is not None:
            raise RivetKitError("server already started")
        install = ensure_rivetkit(self._cache_root)
        node = _require_tool("node")
        self.port = self._requested_port or pick_ports()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.storage_dir = Path(tempfile.mkdtemp(prefix="actorbind-rivetkit-"))
        self.log_path = self.storage_dir / "node.log"
        runs = install / "runs"
        runs.mkdir(exist_ok=True)
        _remove_stale_run_dirs(runs)
        self._run_dir = runs / uuid.uuid4().hex[:12]
        self._run_dir.mkdir()
        for name in _RUN_FILES:
            shutil.copyfile(APP_DIR / name, self._run_dir / name)

        env = {k: v for k, v in os.environ.items() if k not in _ENV_UNSET}
        env.update(
            {
                "RIVET_RUN_ENGINE": "1",
                "RIVET_RUN_ENGINE_HOST": "127.0.0.1",
                "RIVET_RUN_ENGINE_PORT": str(self.port),
                "RIVETKIT_STORAGE_PATH": str(self.storage_dir),
                "RIVET_RUN_SERVICES": "0",
                "NO_COLOR": "1",
            }
        )
        with _LIVE_LOCK:
            _LIVE.add(self)
        started = time.monotonic()
        log = open(self.log_path, "wb")  # closed in stop()
        self._log_file = log
        try:
            self._proc = subprocess.Popen(
                [node, str(self._run_dir / "server.mjs")],
                cwd=self._run_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
            self._wait_ready(started)
            self._wait_actor_answers(started)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def _deadline_left(self, started: float) -> float:
        return self._ready_timeout - (time.monotonic() - started)

    def _fail(self, why: str) -> RivetKitError:
        tail = _tail(self.log_path, 60) if self.log_path else "(no log)"
        return RivetKitError(
            f"RivetKit server on {self.endpoint}: {why}\n--- node output ---\n{tail}"
        )

    def _wait_ready(self, started: float) -> None:
        assert self._proc is not None and self.log_path is not None
        while True:
            text = self.log_path.read_bytes().decode("utf-8", "replace")
            if any(line.startswith(READY_PREFIX) for line in text.splitlines()):
                break
            if self._proc.poll() is not None:
                raise self._fail(f"node exited with code {self._proc.returncode} before ready")
            if self._deadline_left(started) <= 0:
                raise self._fail(f"no {READY_PREFIX} line within {self._ready_timeout:.0f} s")
            time.sleep(0.05)
        self.engine_pid = self._read_engine_pid()

    def _wait_actor_answers(self, started: float) -> None:
        """Wait until a real action round-trips, so tests never race the engine."""
        url = (
            f"{self.endpoint}/gateway/counter/action/getCount?rvt-namespace=default"
            f"&rvt-method=getOrCreate&rvt-runner=default"
            f"&rvt-key=harness-probe-{secrets.token_hex(6)}&rvt-crash-policy=sleep"
        )
        last = "no attempt"
        with httpx.Client(timeout=10.0) as client:
            while self._deadline_left(started) > 0:
                if self._proc is not None and self._proc.poll() is not None:
                    raise self._fail(f"node exited with code {self._proc.returncode}")
                try:
                    resp = client.post(
                        url,
                        content=b'{"args":[]}',
                        headers={"x-rivet-encoding": "json", "content-type": "application/json"},
                    )
                    if resp.status_code == 200 and resp.json() == {"output": 0}:
                        return
                    last = f"HTTP {resp.status_code}: {resp.text[:300]}"
                except httpx.HTTPError as exc:
                    last = repr(exc)
                time.sleep(0.2)
        raise self._fail(f"no actor answered within {self._ready_timeout:.0f} s (last: {last})")

    def _read_engine_pid(self) -> int | None:
        if self.storage_dir is None:
            return None
        path = self.storage_dir / ".rivetkit" / "var" / "engine" / "runtime.json"
        try:
            pid = json.loads(path.read_text()).get("pid")
        except (OSError, ValueError):
            return None
        return int(pid) if isinstance(pid, int) else None

    # -- stop ------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop node and the engine, wait for the ports to be free, delete the storage folder.

        Safe to call more than once.
        """
        proc, self._proc = self._proc, None
        if self.engine_pid is None:
            self.engine_pid = self._read_engine_pid()
        engine_pid = self.engine_pid
        # Node first, engine second: node's drain takes ~40 ms while the engine is up, but
        # waits ~3 s (server.mjs' hard-exit timer) when the engine is already gone.
        if proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            # Anything else left in node's group (it should be empty).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        if engine_pid is None:  # node may have written runtime.json late
            self.engine_pid = engine_pid = self._read_engine_pid()
        if engine_pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(engine_pid, signal.SIGTERM)
            deadline = time.monotonic() + 5
            while _pid_alive(engine_pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _pid_alive(engine_pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(engine_pid, signal.SIGKILL)
                deadline = time.monotonic() + 5
                while _pid_alive(engine_pid) and time.monotonic() < deadline:
                    time.sleep(0.05)
        if self.port:
            deadline = time.monotonic() + 10
            ports = (self.port, self.port + 1, self.port + 10)
            while not all(_port_free(p) for p in ports) and time.monotonic() < deadline:
                time.sleep(0.05)
        log = self._log_file
        self._log_file = None
        if log is not None:
            with contextlib.suppress(Exception):
                log.close()
        if self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None
        if (
            self.storage_dir is not None
            and os.environ.get("ACTORBIND_KEEP_RIVETKIT_STORAGE") != "1"
        ):
            shutil.rmtree(self.storage_dir, ignore_errors=True)
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def log_tail(self, lines: int = 60) -> str:
        """The last lines node (and the engine, via node) printed."""
        return _tail(self.log_path, lines) if self.log_path else ""


@contextlib.contextmanager
def running_rivetkit(**kwargs: object) -> Iterator[RivetKitServer]:
    server = RivetKitServer(**kwargs)  # type: ignore[arg-type]
    with server:
        yield server


def main() -> int:
    t0 = time.monotonic()
    path = ensure_rivetkit()
    print(f"rivetkit {RIVETKIT_VERSION} in {path} ({time.monotonic() - t0:.1f} s)", flush=True)
    server = RivetKitServer()
    stop_event = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop_event.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    server.start()
    try:
        print(server.endpoint, flush=True)
        print(
            f"ready in {server.startup_seconds:.1f} s; storage {server.storage_dir}; "
            f"engine pid {server.engine_pid}; Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        while not stop_event.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
