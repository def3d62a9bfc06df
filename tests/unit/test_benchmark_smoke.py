"""The benchmark code still runs (scenario 2, the raw floor, the qasync variant; a few hundred
messages; no timings asserted)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import delivery, raw_bench
from benchmarks.smoke import smoke

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_smoke(embedded_endpoint: str) -> None:
    smoke(embedded_endpoint)


@pytest.mark.parametrize("scenario", ["ws", "fanin"])
def test_raw_floor_runs(embedded_endpoint: str, scenario: str) -> None:
    """The raw websockets floor (raw_bench) measures every call and event it asked for."""
    argv = ["--endpoint", embedded_endpoint, "--encoding", "cbor", "--scenario", scenario]
    argv += ["--reps", "1", "--warmup", "3", "--seq", "5", "--tput", "150", "--events", "300"]
    args = raw_bench.parse_args([*argv, "--timeout", "60"])
    result = asyncio.run(raw_bench.run(args))
    (rep,) = result["reps"]
    assert result["client"] == "raw"
    if scenario == "fanin":
        assert rep["events_lost"] == 0.0
    else:
        assert rep["tput_per_s"] > 0 and rep["cpu_us_per_call"] > 0


def test_qasync_variant_runs(embedded_endpoint: str) -> None:
    """py_bench --loop qasync (what Qt apps run) still runs fan-in to the last event."""
    pytest.importorskip("qasync")
    pytest.importorskip("PySide6")
    cmd = [sys.executable, "-m", "benchmarks.py_bench", "--loop", "qasync", "--scenario", "fanin"]
    cmd += ["--endpoint", embedded_endpoint, "--encoding", "bare", "--reps", "1"]
    cmd += ["--events", "300", "--timeout", "60"]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("BENCH_RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-2000:]
    result = json.loads(lines[-1][len("BENCH_RESULT ") :])
    assert result["client"] == "actorbind-qasync"
    assert result["reps"][0]["events_lost"] == 0.0


@pytest.mark.parametrize("encoding", ["json", "cbor", "bare"])
def test_hot_path_runs(encoding: str) -> None:
    """benchmarks.hot_path delivers every event it feeds (it asserts the count itself)."""
    from benchmarks import hot_path

    assert asyncio.run(hot_path.measure(encoding, 2000, profile=False)) > 0


@pytest.mark.parametrize("encoding", ["json", "bare"])
def test_embedded_server_orders_replies_after_earlier_events_only(
    embedded_endpoint: str, encoding: str
) -> None:
    """The premise of live_state (docs/state.md, rule 3) holds on the embedded server: no
    reply comes after an event of a state the action did not read (RivetKit breaks it)."""
    from benchmarks.reply_order import probe

    replies, late = asyncio.run(probe(embedded_endpoint, 100, encoding))
    assert (replies, late) == (100, 0)


@pytest.mark.parametrize("path", delivery.PATHS)
def test_delivery_paths_run(path: str) -> None:
    """benchmarks.delivery feeds a real ActorConn and delivers through each path."""
    assert asyncio.run(delivery.measure("bare", path, 2000, profile=False)) > 0
