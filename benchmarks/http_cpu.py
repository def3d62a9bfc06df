"""Focused driver: client CPU per stateless HTTP call, actorbind vs the TS client, same run.

``python -m benchmarks.http_cpu [--reps 3] [--encodings json,cbor,bare] [--server embedded]``

Scenario 1 only (``counter.increment(1)``, sequential and 32 in flight), each client in its own
process (``py_bench`` / ``ts_bench.mjs``, as ``python -m benchmarks``), against the embedded
server by default (fast enough that the client's own CPU shows) or RivetKit
(``--server rivetkit``). Prints actorbind's and TS's median CPU µs per call and the ratio; writes
nothing. A few minutes at most: run it under ``flock /work/.heavy.lock`` on a shared box.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/http_cpu.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from benchmarks.run import ENCODINGS, QUICK, log, run_pair
from benchmarks.servers import embedded_server, node_bench_dir, rivetkit_server

METRICS = ("seq_cpu_us_per_call", "cpu_us_per_call")


def _median(rec: dict[str, Any], metric: str) -> float:
    values = [r[metric] for r in rec.get("reps", []) if metric in r]
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.http_cpu", description=__doc__)
    ap.add_argument("--reps", type=int, default=QUICK["reps"])
    ap.add_argument("--seq", type=int, default=QUICK["http"]["seq"])
    ap.add_argument("--tput", type=int, default=2 * QUICK["http"]["tput"])
    ap.add_argument("--encodings", default=",".join(ENCODINGS))
    ap.add_argument("--server", choices=("embedded", "rivetkit"), default="embedded")
    a = ap.parse_args(argv)
    p = {"reps": a.reps, "warmup": QUICK["warmup"], "http": {"seq": a.seq, "tput": a.tput}}
    encodings = [e for e in a.encodings.split(",") if e]
    records: list[dict[str, Any]] = []
    serve = embedded_server if a.server == "embedded" else rivetkit_server
    with node_bench_dir() as node_dir, serve() as started:
        endpoint = started[0] if isinstance(started, tuple) else started
        for enc in encodings:
            log(f"{a.server} http {enc}")
            records += run_pair(a.server, endpoint, "http", enc, p, node_dir, ("actorbind", "ts"))
    print(f"client CPU µs per HTTP call ({a.server} server, median of {a.reps} reps)")
    print(f"{'encoding':8s} {'metric':22s} {'actorbind':>10s} {'ts':>10s} {'ratio':>7s}")
    for enc in encodings:
        by = {r["client"]: r for r in records if r["encoding"] == enc}
        for metric in METRICS:
            py = _median(by.get("actorbind", {}), metric)
            ts = _median(by.get("ts", {}), metric)
            print(f"{enc:8s} {metric:22s} {py:10.1f} {ts:10.1f} {py / ts:6.2f}x")
    errors = [r["error"] for r in records if "error" in r]
    for error in errors:
        print(f"ERROR: {error[:400]}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
