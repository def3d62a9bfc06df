"""A real RivetKit 2.3.19 server (and its detached Rivet Engine) with the test actors.

The test registry is ``tests/rivetkit_app/registry.mjs`` (the actors of ``tests/ACTORS.md``);
installing, starting and stopping are :mod:`actorbind.testing`'s::

    with RivetKitServer() as server:
        httpx.get(f"{server.endpoint}/health")

By hand: ``python -m tests.support.rivetkit_server`` prints the endpoint; Ctrl-C stops it.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

from actorbind.testing import RIVETKIT_VERSION, RivetKitEngine, RivetKitError, ensure_installed

__all__ = ["APP_DIR", "RIVETKIT_VERSION", "RivetKitError", "RivetKitServer", "ensure_rivetkit"]

APP_DIR = Path(__file__).resolve().parent.parent / "rivetkit_app"


def ensure_rivetkit(cache_root: Path | None = None) -> Path:
    """Install rivetkit 2.3.19 for the test app into the cache once; returns the folder."""
    return ensure_installed(APP_DIR, cache_root)


class RivetKitServer(RivetKitEngine):
    """The test registry on a free loopback port; ready once ``counter.getCount`` answers."""

    def __init__(self, *, storage: Path | None = None, port: int | None = None) -> None:
        super().__init__(APP_DIR, probe=("counter", "getCount"), storage=storage, port=port)


def main() -> int:
    started = time.monotonic()
    path = ensure_rivetkit()
    print(f"rivetkit {RIVETKIT_VERSION} in {path} ({time.monotonic() - started:.1f} s)", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with RivetKitServer() as server:
        print(server.endpoint, flush=True)
        print(f"engine pid {server.engine_pid}; Ctrl-C stops", file=sys.stderr, flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
