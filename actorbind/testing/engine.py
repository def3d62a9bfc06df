"""A standalone Rivet Engine 2.3.19 (the ``rivet-engine`` binary from npm) for tests.

The binary ships in ``@rivetkit/engine-cli-linux-x64-musl@2.3.19``, a dependency of rivetkit,
so it is found in the cached RivetKit install (``$ACTORBIND_CACHE`` or ``~/.cache/actorbind``,
``rivetkit-2.3.19-*/node_modules/...``) or at ``$ACTORBIND_RIVET_ENGINE``::

    with RivetEngine() as engine:
        httpx.get(f"{engine.endpoint}/health")

Each engine gets free loopback ports, a topology config naming them (without it, the first
``getOrCreate`` through the gateway can time out: the engine believes it lives on 6420), a
fresh data folder (deleted on stop unless given) and is stopped with SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import httpx

__all__ = [
    "BUSY_MACHINE_ENV",
    "ENGINE_VERSION",
    "LOCAL_PEGBOARD",
    "EngineError",
    "RivetEngine",
    "find_engine_binary",
]

ENGINE_VERSION: Final = "2.3.19"
_PACKAGE: Final = Path("node_modules/@rivetkit/engine-cli-linux-x64-musl/rivet-engine")


class EngineError(RuntimeError):
    """The engine binary is missing, or the engine did not start."""


# RivetKit's own settings for a local engine (its engine-process crate): quick retries and
# reschedules. Without them about one first getOrCreate in ten waited out the gateway's 15 s
# route_resolve_query_timeout here, for TS and Python actors alike.
LOCAL_PEGBOARD: Final = {
    "base_retry_timeout": 100,
    "retry_reset_duration": 100,
    "reschedule_backoff_max_exponent": 1,
    "runner_eligible_threshold": 5000,
    "runner_lost_threshold": 7000,
    "min_metadata_poll_interval": 1000,
    "envoy_eligible_threshold": 5000,
    "envoy_lost_threshold": 7000,
}


# The engine's workflow worker sheds load by the CPU use of its cgroup, which on a VM without
# a container cgroup (cgroup v1 root here) is the HOST's, not its own: from 70 % of all cores
# it pulls fewer workflows, down to 5 % of them from 90 % (runtime.worker_load_shedding_curve,
# against worker_cpu_max, which defaults to the host's cores); the others wait for a later
# pull (its poll is 16 s). On a 2-core machine where tests, node and the engine share the CPU,
# that starved actor creation: first getOrCreate calls waited out the gateway's 15 s
# route_resolve_query_timeout (31 of 60 with other jobs running, benchmarks/engine_creates.py),
# and under a steady CPU hog every create did. A worker_cpu_max far above the host (in
# millicores) keeps the pull ratio at 100 %.
BUSY_MACHINE_ENV: Final = {"RIVET__RUNTIME__WORKER_CPU_MAX": "1000000"}


def _cache_root() -> Path:
    env = os.environ.get("ACTORBIND_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "actorbind"


def find_engine_binary(install: Path | None = None) -> Path:
    """The ``rivet-engine`` binary: ``$ACTORBIND_RIVET_ENGINE``, ``install``'s, or the cache's.

    Raises:
        EngineError: none found.
    """
    env = os.environ.get("ACTORBIND_RIVET_ENGINE")
    candidates = [Path(env)] if env else []
    if install is not None:
        candidates.append(install / _PACKAGE)
    candidates += sorted(_cache_root().glob(f"rivetkit-{ENGINE_VERSION}-*/{_PACKAGE}"))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise EngineError(
        f"no rivet-engine {ENGINE_VERSION} binary: install rivetkit {ENGINE_VERSION} into "
        f"{_cache_root()} (python -m tests.support.rivetkit_server) or set ACTORBIND_RIVET_ENGINE"
    )


def _free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            socks.append(sock)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for sock in socks:
            sock.close()


class RivetEngine:
    """One engine on ``http://127.0.0.1:P`` (namespace ``default``, no auth).

    Args:
        binary: default: :func:`find_engine_binary`.
        data_dir: the engine's data folder, kept on stop; default: a temporary one, deleted.
        pegboard: overrides of the engine's ``pegboard`` config (milliseconds), e.g.
            ``{"envoy_lost_threshold": 3000}``; on top of :data:`LOCAL_PEGBOARD`.
        env: extra environment of the engine, last (``RIVET__*`` variables are config), on
            top of :data:`BUSY_MACHINE_ENV` and the ports.
        start_timeout: seconds to wait for ``/health``.
    """

    def __init__(
        self,
        binary: Path | None = None,
        *,
        data_dir: Path | None = None,
        pegboard: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self.binary = binary
        self.data_dir = data_dir
        self.pegboard = {**LOCAL_PEGBOARD, **(pegboard or {})}
        self.env = dict(env or {})
        self.start_timeout = start_timeout
        self.port = 0
        self.endpoint = ""
        self.metrics_url = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self._tmp: Path | None = None

    def __enter__(self) -> RivetEngine:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def log_path(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir / "engine.log"

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_bytes()[-64 * 1024 :].decode("utf-8", "replace")
        except (OSError, AssertionError):
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def start(self) -> RivetEngine:
        binary = self.binary or find_engine_binary()
        if self.data_dir is None:
            self._tmp = self.data_dir = Path(tempfile.mkdtemp(prefix="actorbind-engine-"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        guard, peer, metrics = _free_ports(3)
        self.port = guard
        self.endpoint = f"http://127.0.0.1:{guard}"
        self.metrics_url = f"http://127.0.0.1:{metrics}/metrics"
        config: dict[str, Any] = {
            "topology": {
                "datacenter_label": 1,
                "datacenters": {
                    "default": {
                        "datacenter_label": 1,
                        "is_leader": True,
                        "public_url": f"http://127.0.0.1:{guard}/",
                        "peer_url": f"http://127.0.0.1:{peer}/",
                    }
                },
            }
        }
        if self.pegboard:
            config["pegboard"] = self.pegboard
        config_path = self.data_dir / "config.json"
        config_path.write_text(json.dumps(config))
        env = {
            **os.environ,
            "RIVET__GUARD__HOST": "127.0.0.1",
            "RIVET__GUARD__PORT": str(guard),
            "RIVET__API_PEER__HOST": "127.0.0.1",
            "RIVET__API_PEER__PORT": str(peer),
            "RIVET__METRICS__HOST": "127.0.0.1",
            "RIVET__METRICS__PORT": str(metrics),
            "RIVET__FILE_SYSTEM__PATH": str(self.data_dir / "db"),
            # Without it every gateway response waits for a delayed ACK (~40 ms).
            "RIVET__GUARD__TCP_NODELAY": "true",
            "RUST_LIB_BACKTRACE": "0",
            **BUSY_MACHINE_ENV,
            **self.env,
        }
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(binary), "start", "--config", str(config_path)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        with httpx.Client(timeout=2.0) as http:
            while time.monotonic() < deadline:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise EngineError(
                        f"rivet-engine exited with {self.proc.returncode}:\n{self.log_tail()}"
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if http.get(f"{self.endpoint}/health").status_code == 200:
                        return
                time.sleep(0.1)
        raise EngineError(f"rivet-engine not healthy in {self.start_timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s; delete a temporary data folder. Idempotent."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, sig)
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        tmp, self._tmp = self._tmp, None
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            self.data_dir = None
