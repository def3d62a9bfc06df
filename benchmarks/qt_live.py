"""Scenario 5b: live state in Qt (``qt_bench --mode live-value|list-model``).

- **live-value**: ``binding.state("getCount", reducers={"tick": ...})`` bound to a QLabel
  (``LiveValue.bind``: one label update per folded event, no coalescing), while a driver
  process floods the actor at ``--rate`` events/s (default 10,000) for ``--seconds``.
- **list-model**: ``binding.list_model(...)`` with an ``append`` reducer, in a shown
  ``QListView``, while the driver adds ``--items-rate`` items/s (default 1,000) until the list
  holds ``--items`` (default 10,000); ``--view uniform`` (default: ``setUniformItemSizes``),
  ``batched`` (also ``LayoutMode.Batched``), ``default`` (a plain QListView) or ``none``
  (the model alone).

Both report the GUI lag (a 16 ms PreciseTimer's lateness: p50/p99/max) and the delivered rate;
list-model also the memory per item: the process's RSS growth and the Python heap growth
(``tracemalloc`` is off: ``sys.getallocatedblocks`` is not bytes) divided by the items, and a
model's own cost per row (one list slot, shared items).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import subprocess
import sys
import time
import uuid
from typing import Any

from .common import cpu_seconds, percentile


def _rss_bytes() -> int:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _lag(prefix: str, samples: list[float]) -> dict[str, float]:
    return {
        f"{prefix}_lag_p50_ms": percentile(samples, 50),
        f"{prefix}_lag_p99_ms": percentile(samples, 99),
        f"{prefix}_lag_max_ms": max(samples) if samples else float("nan"),
    }


def _driver(
    a: argparse.Namespace, key: str, rate: float, seconds: float
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.qt_bench",
            "--driver",
            "--endpoint",
            a.endpoint,
            "--encoding",
            a.encoding,
            "--key",
            key,
            "--rate",
            str(rate),
            "--seconds",
            str(seconds),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        env={**os.environ},
    )


async def live_main(a: argparse.Namespace, meter_cls: Any) -> dict[str, Any]:
    from actorbind_qt import use_actor
    from PySide6.QtWidgets import QLabel, QListView, QVBoxLayout, QWidget

    from actorbind import create_client
    from actorbind.rx import append

    loop = asyncio.get_running_loop()
    client = create_client(a.endpoint, encoding=a.encoding)
    reps: list[dict[str, float]] = []
    for _ in range(a.reps):
        key = f"bench-live-{a.mode}-{uuid.uuid4().hex[:10]}"
        widget = QWidget()
        layout = QVBoxLayout(widget)
        binding = use_actor(widget, "counter", key=key, client=client)
        counts = {"n": 0}

        def item(i: int, seq: dict[str, int] = {"n": 0}) -> dict[str, Any]:  # noqa: B006
            seq["n"] += 1
            return {"id": seq["n"], "text": f"tick {i}"}

        def count(*_: Any, counts: dict[str, int] = counts) -> None:
            counts["n"] += 1

        if a.mode == "live-value":
            label = QLabel(widget)
            layout.addWidget(label)
            live: Any = binding.state("getCount", reducers={"tick": lambda _old, i: i})
            live.bind(label)
            live.valueChanged.connect(count)
            rate, seconds = a.rate, a.seconds
        else:
            live = binding.list_model("echo", reducers={"tick": append(item)})  # [] to start
            if a.view != "none":
                view = QListView(widget)
                layout.addWidget(view)
                # Without uniform sizes QListView asks every row for its size on each
                # (coalesced) layout: O(rows) per batch of inserts. That is the view's cost.
                view.setUniformItemSizes(a.view in ("uniform", "batched"))
                if a.view == "batched":  # lays out 100 rows per loop turn, not all at once
                    view.setLayoutMode(QListView.LayoutMode.Batched)
                view.setModel(live)
            live.rowsInserted.connect(count)
            rate, seconds = a.items_rate, a.items / a.items_rate
        widget.resize(320, 400)
        widget.show()
        while not live.loaded:
            await asyncio.sleep(0.01)
        gc.collect()
        rss0, blocks0 = _rss_bytes(), sys.getallocatedblocks()
        meter = meter_cls()
        meter.start()
        driver = _driver(a, key, rate, seconds + 0.5)
        try:
            assert driver.stdout is not None
            await loop.run_in_executor(None, driver.stdout.readline)
            meter.record()
            c0, t0 = cpu_seconds(), time.perf_counter()
            if a.mode == "live-value":
                await asyncio.sleep(seconds)
            else:
                deadline = t0 + seconds * 3 + 10
                while live.rowCount() < a.items and time.perf_counter() < deadline:
                    await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - t0
            samples = meter.stop_recording()
        finally:
            await loop.run_in_executor(None, driver.wait)
        meter.timer.stop()
        cpu = cpu_seconds() - c0
        if a.mode == "live-value":
            rep: dict[str, float] = {"events_per_s": counts["n"] / elapsed}
            rep["cpu_us_per_event"] = cpu * 1e6 / max(counts["n"], 1)
        else:  # counts["n"] counts inserts (bursts of rows), the rows are what came in
            rep = {"items_per_s": live.rowCount() / elapsed, "inserts_per_s": counts["n"] / elapsed}
            rep["cpu_us_per_item"] = cpu * 1e6 / max(live.rowCount(), 1)
        rep.update(_lag("paced", samples))
        if a.mode == "list-model":
            gc.collect()
            rows = live.rowCount()
            rep["rows"] = rows
            rep["rss_bytes_per_item"] = (_rss_bytes() - rss0) / max(rows, 1)
            rep["heap_blocks_per_item"] = (sys.getallocatedblocks() - blocks0) / max(rows, 1)
        reps.append(rep)
        widget.close()
        widget.deleteLater()
        await asyncio.sleep(0.2)
    await client.dispose()
    return {
        "client": "actorbind",
        "scenario": "qt",
        "mode": a.mode,
        "encoding": a.encoding,
        "reps": reps,
    }
