"""``python -m actorbind_demo.rivetkit``: run the demo's actors on a real RivetKit 2.3.19 engine.

Installs rivetkit from npm into a cache on first use (~1 min), starts the registry and its Rivet
Engine on a free loopback port, prints the endpoint, and stops both on Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from actorbind.testing import RIVETKIT_VERSION, RivetKitEngine, RivetKitError, ensure_installed
from actorbind_demo.rivetkit import APP_DIR, PROBE


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m actorbind_demo.rivetkit",
        description="Run the demo's `room` actor on a real RivetKit engine (needs node + npm).",
    )
    parser.add_argument("--port", type=int, help="the engine's port (default: a free one)")
    parser.add_argument(
        "--storage", type=Path, help="keep the engine's data in this folder (default: temporary)"
    )
    args = parser.parse_args(argv)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        t0 = time.monotonic()
        print(f"rivetkit {RIVETKIT_VERSION}: checking the npm install…", flush=True)
        install = ensure_installed(APP_DIR)
        print(f"  {install} ({time.monotonic() - t0:.1f} s)", flush=True)
        engine = RivetKitEngine(APP_DIR, probe=PROBE, storage=args.storage, port=args.port).start()
    except RivetKitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"RivetKit engine ready in {engine.startup_seconds:.1f} s at", flush=True)
        print(f"  {engine.endpoint}", flush=True)
        demo = f"python -m actorbind_demo --endpoint {engine.endpoint} --windows 2"
        print(f"run the demo on it:  {demo}")
        print("Ctrl-C stops the engine.", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        engine.stop()
        print("engine stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
