"""Python actors on the Rivet Engine (actorbind.runner) vs TypeScript actors on the same engine.

One RivetKit 2.3.19 server (TS test actors, pool ``default``) with its engine; an
actorbind.runner joins that engine on pool ``python`` with the Python test actors. Both are
driven by actorbind's client (json):

- ``http``: sequential ``counter.increment`` over HTTP, latency p50/p99, actions/s;
- ``ws``: one connection, ``--inflight`` actions in flight, actions/s and p99;
- ``recovery``: a runner *process* is SIGKILLed and a new one started at once; the time from
  the kill until the same actor answers with its state (includes the new process's start).

``flock /work/.heavy.lock python -m benchmarks.runner_bench [--n 300] [--inflight 16]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from actorbind import create_client
from actorbind.runner import serve_engine
from tests.support.rivetkit_server import RivetKitServer

ROOT = Path(__file__).resolve().parent.parent


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _first(call: Any) -> Any:
    for _ in range(3):  # the engine sometimes delays a first start past 15 s (docs/runner.md)
        try:
            return await call()
        except Exception:
            continue
    return await call()


async def bench_http(endpoint: str, runner: str, n: int) -> dict[str, float]:
    async with create_client(endpoint, runner=runner) as client:
        counter = client.counter.get_or_create(uuid.uuid4().hex[:12])
        await _first(counter.resolve)
        for _ in range(20):
            await counter.increment(1)
        times = []
        began = time.perf_counter()
        for _ in range(n):
            t = time.perf_counter()
            await counter.increment(1)
            times.append(time.perf_counter() - t)
        total = time.perf_counter() - began
    return {
        "per_s": n / total,
        "p50_ms": 1000 * _pct(times, 0.5),
        "p99_ms": 1000 * _pct(times, 0.99),
    }


async def bench_ws(endpoint: str, runner: str, n: int, inflight: int) -> dict[str, float]:
    async with create_client(endpoint, runner=runner) as client:
        handle = client.counter.get_or_create(uuid.uuid4().hex[:12])
        await _first(handle.resolve)
        async with handle.connect() as conn:
            await conn.ready()
            times: list[float] = []

            async def worker(count: int) -> None:
                for _ in range(count):
                    t = time.perf_counter()
                    await conn.increment(1)
                    times.append(time.perf_counter() - t)

            await asyncio.gather(*(worker(5) for _ in range(inflight)))
            times.clear()
            began = time.perf_counter()
            await asyncio.gather(*(worker(n // inflight) for _ in range(inflight)))
            total = time.perf_counter() - began
    return {"per_s": len(times) / total, "p99_ms": 1000 * _pct(times, 0.99)}


def _runner_process(endpoint: str, pool: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "actorbind.runner", "tests.support.actors:registry"]
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [*cmd, "--endpoint", endpoint, "--pool", pool],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    deadline = time.monotonic() + 60
    while "actorbind runner connected" not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(log.read_text(errors="replace"))
        time.sleep(0.02)
    return proc


async def bench_recovery(endpoint: str, rounds: int) -> list[float]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(rounds):
            pool = f"recovery-{uuid.uuid4().hex[:8]}"
            first = _runner_process(endpoint, pool, Path(tmp) / f"a{i}.log")
            second = None
            try:
                async with create_client(endpoint, runner=pool) as client:
                    counter = client.counter.get_or_create(pool)
                    actor_id = await _first(counter.resolve)
                    await counter.increment(5)
                    began = time.perf_counter()
                    first.kill()
                    first.wait()
                    second = _runner_process(endpoint, pool, Path(tmp) / f"b{i}.log")
                    errors = 0
                    while True:  # until the same actor answers (the engine may 500 meanwhile)
                        try:
                            assert await client.counter.get_for_id(actor_id).getCount() == 5
                            break
                        except Exception:
                            errors += 1
                            if time.perf_counter() - began > 120:
                                raise
                            await asyncio.sleep(0.05)
                    out.append(time.perf_counter() - began)
                    print(f"  recovery {i}: {out[-1]:.2f} s ({errors} failed tries)", flush=True)
            finally:
                for proc in (first, second):
                    if proc is not None and proc.poll() is None:
                        proc.kill()
                        proc.wait()
    return out


async def run(args: argparse.Namespace, endpoint: str) -> None:
    async with serve_engine(registry(), endpoint=endpoint, pool="python"):
        for name, runner in (("TS (RivetKit)", "default"), ("Python (runner)", "python")):
            http = await bench_http(endpoint, runner, args.n)
            ws = await bench_ws(endpoint, runner, args.n * 4, args.inflight)
            print(
                f"{name:16} HTTP {http['per_s']:7.0f}/s p50 {http['p50_ms']:6.2f} ms "
                f"p99 {http['p99_ms']:6.2f} ms | WS x{args.inflight} {ws['per_s']:7.0f}/s "
                f"p99 {ws['p99_ms']:6.2f} ms",
                flush=True,
            )
    times = await bench_recovery(endpoint, args.rounds)
    print(
        f"recovery after SIGKILL (new runner process started at once): "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s (n={len(times)})"
    )


def registry() -> Any:
    from tests.support.actors import registry as reg

    return reg


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="sequential HTTP actions per side")
    parser.add_argument("--inflight", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="recovery rounds")
    args = parser.parse_args()
    with RivetKitServer() as server:
        asyncio.run(run(args, server.endpoint))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
