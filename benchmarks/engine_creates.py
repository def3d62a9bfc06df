"""How often a first create through rivet-engine 2.3.19 waits out the gateway's 15 s timeout.

A standalone engine (the tests' settings), actorbind.runner hosting the test actors on it,
then ``--n`` first calls ``counter.getOrCreate(<new key>).increment(1)`` through the gateway
(``rvt-method=getOrCreate``), ``--parallel`` at a time. Prints how many failed and how (the
engine's ``route_resolve_query_timeout`` is the one of interest), the latency quantiles, and
the engine's own gasoline metrics: ``gasoline_load_shedding_ratio`` (the fraction of pending
workflows its worker pulls; below 1 it leaves new actor workflows for a later poll) and the
wake-to-pull delay of the actor workflows.

``--shedding default`` runs the engine with its default CPU budget (the machine's cores),
``--shedding off`` with the tests' :data:`actorbind.testing.engine.BUSY_MACHINE_ENV`::

    flock /work/.heavy.lock .venv/bin/python -m benchmarks.engine_creates --n 100 --shedding default
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import time
import uuid

import httpx

from actorbind import ActorError, create_client
from actorbind.runner import serve_engine
from actorbind.testing.engine import RivetEngine
from tests.support.actors import registry

_METRIC = re.compile(r"^\w*(load_shedding_ratio|workflow_wake_delta_duration)_(sum|count|bucket)")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _one(endpoint: str, sem: asyncio.Semaphore) -> tuple[float, str]:
    async with sem, create_client(endpoint, timeout=60) as client:
        began = time.perf_counter()
        try:
            await client.counter.get_or_create(uuid.uuid4().hex[:12]).increment(1)
            outcome = "ok"
        except ActorError as exc:
            outcome = f"{exc.group}.{exc.code}"
        except Exception as exc:  # a measurement: count every kind
            outcome = type(exc).__name__
        return time.perf_counter() - began, outcome


def _metrics(url: str) -> list[str]:
    reply = httpx.get(url, timeout=10)
    values: dict[str, float] = {}
    for line in reply.text.splitlines():
        if _METRIC.match(line):
            name, _, value = line.rpartition(" ")
            values[re.sub(r"^\w*?(load_shedding|workflow_wake)", r"\1", name)] = float(value)
    if not values:
        return [f"(metrics: HTTP {reply.status_code}, no load shedding metric)"]
    out = []
    pulls = values.get("load_shedding_ratio_count", 0.0)
    shed = values.get('load_shedding_ratio_bucket{le="0.9"}', 0.0)
    if pulls:
        mean = values.get("load_shedding_ratio_sum", 0.0) / pulls
        out.append(
            f"worker pulls: {pulls:.0f}, shedding (ratio <= 0.9): {shed:.0f}, mean {mean:.2f}"
        )
    for key, count in values.items():
        if key.startswith("workflow_wake_delta_duration_count") and "pegboard_actor2" in key:
            total = values.get(key.replace("_count", "_sum"), 0.0)
            out.append(f"pegboard_actor2 wake->pull: {count:.0f} wakes, mean {total / count:.3f} s")
    return out


async def main(args: argparse.Namespace) -> None:
    # The engine's default budget here: the machine's cores (no cgroup CPU quota on this VM).
    default = {"RIVET__RUNTIME__WORKER_CPU_MAX": str((os.cpu_count() or 1) * 1000)}
    with RivetEngine(env=default if args.shedding == "default" else None) as engine:
        async with serve_engine(registry, endpoint=engine.endpoint):
            sem = asyncio.Semaphore(args.parallel)
            began = time.perf_counter()
            results = await asyncio.gather(*(_one(engine.endpoint, sem) for _ in range(args.n)))
            took = time.perf_counter() - began
            metrics = _metrics(engine.metrics_url)
    outcomes = collections.Counter(outcome for _, outcome in results)
    times = [t for t, _ in results]
    print(
        f"shedding={args.shedding} n={args.n} parallel={args.parallel} took={took:.1f}s "
        f"outcomes={dict(outcomes)} over_5s={sum(t > 5 for t in times)} "
        f"p50={_pct(times, 0.5):.3f}s p90={_pct(times, 0.9):.3f}s max={max(times):.1f}s"
    )
    for line in metrics:
        print("  ", line)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--shedding", choices=["default", "off"], default="default")
    asyncio.run(main(parser.parse_args()))
