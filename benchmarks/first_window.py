"""Time to the first window: how long ``bash scripts/demo`` takes until the demo's first window
painted, offscreen. Not a test (nothing asserts a timing)::

    python3 benchmarks/first_window.py            # 3 runs of the README's demo command
    python3 benchmarks/first_window.py --runs 5 --command "bash scripts/demo"

Each run starts the command with ``--quit-after-first-frame`` under ``QT_QPA_PLATFORM=offscreen``
(state in a temporary folder) and stops the clock at the demo's ``first frame painted`` line.
The first run includes any setup the script decides to do; later runs show the steady state.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "actorbind demo: first frame painted"


def one_run(command: list[str], timeout: float) -> float:
    """Seconds from the start of ``command`` to the first-frame line (the command must exit)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        args = [*command, "--quit-after-first-frame", "--data", str(Path(tmp) / "room.db")]
        started = time.monotonic()
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert proc.stdout is not None
        seen: float | None = None
        output: list[str] = []
        try:
            for line in proc.stdout:
                output.append(line)
                if seen is None and line.strip() == MARK:
                    seen = time.monotonic() - started
            code = proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if code != 0 or seen is None:
            sys.stderr.write("".join(output))
            raise SystemExit(f"{shlex.join(args)} exited {code} without painting a window")
        return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--command", default="bash scripts/demo", help="the demo command")
    parser.add_argument("--timeout", type=float, default=600.0, help="per run, in seconds")
    args = parser.parse_args()
    times = [one_run(shlex.split(args.command), args.timeout) for _ in range(args.runs)]
    for i, seconds in enumerate(times, 1):
        print(f"run {i}: first window after {seconds:.2f} s")
    if len(times) > 1:
        print(f"runs 2-{len(times)}: median {statistics.median(times[1:]):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
