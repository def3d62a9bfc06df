"""One benchmark scenario with the actorbind client, in its own process.

``python -m benchmarks.py_bench --endpoint E --encoding bare --scenario ws --reps 5``
prints ``BENCH_RESULT {"reps": [{metric: value, ...}, ...]}`` on stdout. The runner starts one
such process per (scenario, encoding), so CPU time and RSS belong to this client alone.
Scenarios and metric names are the same as in ``ts_bench.mjs``; CPU time is the OS's
(``getrusage``), taken around the measured part only (not the interpreter's start-up).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
import uuid
from typing import Any

from actorbind import ActorError, create_client

from .common import cpu_seconds, emit, percentile, rss_bytes


def _key(scenario: str) -> str:
    return f"bench-py-{scenario}-{uuid.uuid4().hex[:10]}"


async def _sequential(call: Any, n: int) -> tuple[list[float], float]:
    """``n`` calls one after the other: per-call latencies (µs) and CPU µs per call."""
    lat: list[float] = []
    c0 = cpu_seconds()
    for _ in range(n):
        t0 = time.perf_counter_ns()
        await call()
        lat.append((time.perf_counter_ns() - t0) / 1000.0)
    return lat, (cpu_seconds() - c0) * 1e6 / n


async def _in_flight(call: Any, total: int, window: int) -> tuple[float, float]:
    """``total`` calls with ``window`` in flight: calls/s and CPU µs per call."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    c0 = cpu_seconds()
    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(window)))
    elapsed = time.perf_counter() - t0
    return total / elapsed, (cpu_seconds() - c0) * 1e6 / total


async def connect_ready(h: Any, attempts: int = 3) -> Any:
    """``h.connect()`` and wait for it (bounded, like ts_bench.mjs), retrying a failed open."""
    for i in range(1, attempts + 1):
        conn = h.connect()
        try:
            await asyncio.wait_for(conn.ready(), 30)
            return conn
        except Exception as exc:
            await conn.dispose()
            if i >= attempts:
                raise
            print(f"py_bench: connect attempt {i} failed ({exc!r}), retrying", file=sys.stderr)
    raise AssertionError("unreachable")


async def bench_http(client: Any, a: argparse.Namespace) -> list[dict[str, float]]:
    h = client.counter.get_or_create(_key("http"))
    for _ in range(a.warmup):
        await h.increment(1)
    reps = []
    for _ in range(a.reps):
        lat, cpu_seq = await _sequential(lambda: h.increment(1), a.seq)
        tput, cpu = await _in_flight(lambda: h.increment(1), a.tput, 32)
        reps.append(
            {
                "lat_p50_us": percentile(lat, 50),
                "lat_p99_us": percentile(lat, 99),
                "seq_cpu_us_per_call": cpu_seq,
                "tput_per_s": tput,
                "cpu_us_per_call": cpu,
            }
        )
    return reps


async def bench_ws(client: Any, a: argparse.Namespace) -> list[dict[str, float]]:
    h = client.counter.get_or_create(_key("ws"))
    conn = await connect_ready(h)
    for _ in range(a.warmup):
        await conn.increment(1)
    reps = []
    for _ in range(a.reps):
        lat, cpu_seq = await _sequential(lambda: conn.increment(1), a.seq)
        tput, cpu = await _in_flight(lambda: conn.increment(1), a.tput, 100)
        reps.append(
            {
                "rtt_p50_us": percentile(lat, 50),
                "rtt_p99_us": percentile(lat, 99),
                "seq_cpu_us_per_call": cpu_seq,
                "tput_per_s": tput,
                "cpu_us_per_call": cpu,
            }
        )
    await conn.dispose()
    return reps


async def bench_fanin(client: Any, a: argparse.Namespace) -> list[dict[str, float]]:
    h = client.counter.get_or_create(_key("fanin"))
    conn = await connect_ready(h)
    loop = asyncio.get_running_loop()
    state: dict[str, Any] = {"count": 0, "target": 0, "done": None}

    def on_tick(_i: Any) -> None:
        state["count"] += 1
        if state["count"] >= state["target"] and not state["done"].done():
            state["done"].set_result(None)

    conn.on("tick", on_tick)

    async def flood(n: int) -> tuple[float, float, int]:
        state["count"] = 0
        state["target"] = n
        state["done"] = loop.create_future()
        c0 = cpu_seconds()
        t0 = time.perf_counter()
        try:
            await asyncio.wait_for(conn.flood(n), a.timeout)
            await asyncio.wait_for(state["done"], a.timeout)
        except (TimeoutError, ActorError) as exc:
            # Reported as events_lost, as ts_bench.mjs does. RivetKit's gateway can drop the
            # socket during a long flood (guard.websocket_garbage_collected: its envoy does not
            # ack the client's message in time); the connection reconnects for the next one.
            print(f"flood of {n}: {exc!r}", file=sys.stderr)
        elapsed = time.perf_counter() - t0
        return elapsed, cpu_seconds() - c0, state["count"]

    await flood(min(1000, a.events))  # warm-up
    reps = []
    for _ in range(a.reps):
        elapsed, cpu, got = await flood(a.events)
        reps.append(
            {
                "events_per_s": got / elapsed,
                "cpu_us_per_event": cpu * 1e6 / max(got, 1),
                "events_lost": float(a.events - got),
            }
        )
    await conn.dispose()
    return reps


async def bench_connect(client: Any, a: argparse.Namespace) -> list[dict[str, float]]:
    h = client.counter.get_or_create(_key("connect"))
    await h.getCount()
    # Warm every code path (websockets, the protocol, the codec) before the baseline.
    for _ in range(3):
        conn = h.connect()
        await conn.getCount()
        await conn.dispose()
    reps = []
    for _ in range(a.reps):
        times = []
        for _ in range(a.connects):
            t0 = time.perf_counter_ns()
            conn = h.connect()
            await asyncio.wait_for(conn.getCount(), 30)
            times.append((time.perf_counter_ns() - t0) / 1e6)
            await conn.dispose()
        gc.collect()
        await asyncio.sleep(0.2)
        rss0 = rss_bytes()
        c0 = cpu_seconds()
        t0 = time.perf_counter()
        conns = [h.connect() for _ in range(a.conns)]
        # Under load the engine refuses some opens (500s); count them instead of failing.
        tasks = [asyncio.ensure_future(c.ready()) for c in conns]
        done, pending = await asyncio.wait(tasks, timeout=a.timeout)
        ok = sum(1 for t in done if not t.cancelled() and t.exception() is None)
        for t in pending:
            t.cancel()
        open_s = time.perf_counter() - t0
        cpu = cpu_seconds() - c0
        gc.collect()
        await asyncio.sleep(0.5)  # idle: let buffers settle
        rss1 = rss_bytes()
        reps.append(
            {
                "first_action_ms_p50": percentile(times, 50),
                "first_action_ms_p99": percentile(times, 99),
                "mem_kib_per_conn": (rss1 - rss0) / 1024.0 / max(ok, 1),
                "cpu_us_per_conn": cpu * 1e6 / max(ok, 1),
                "conns_failed": float(a.conns - ok),
                "open_all_s": open_s,
            }
        )
        await asyncio.gather(*(c.dispose() for c in conns))
    return reps


SCENARIOS = {
    "http": bench_http,
    "ws": bench_ws,
    "fanin": bench_fanin,
    "connect": bench_connect,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.py_bench")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--encoding", default="bare", choices=("json", "cbor", "bare"))
    p.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--seq", type=int, default=500, help="sequential calls per repetition")
    p.add_argument("--tput", type=int, default=3000, help="calls per throughput repetition")
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--connects", type=int, default=20, help="connect→first result samples")
    p.add_argument("--conns", type=int, default=500, help="concurrent idle connections")
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument(
        "--loop", default="asyncio", choices=("asyncio", "qasync"), help="qasync: what Qt apps run"
    )
    return p.parse_args(argv)


async def run(a: argparse.Namespace) -> dict[str, Any]:
    client = create_client(a.endpoint, encoding=a.encoding)
    try:
        reps = await SCENARIOS[a.scenario](client, a)
    finally:
        await client.dispose()
    name = "actorbind" if a.loop == "asyncio" else f"actorbind-{a.loop}"
    return {"client": name, "scenario": a.scenario, "encoding": a.encoding, "reps": reps}


def main(argv: list[str] | None = None) -> None:
    a = parse_args(argv)
    if a.loop == "qasync":
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        import qasync
        from PySide6.QtCore import QCoreApplication

        app = QCoreApplication.instance() or QCoreApplication([])
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        emit(loop.run_until_complete(run(a)))
        return
    emit(asyncio.run(run(a)))


if __name__ == "__main__":
    main()
