"""Scenario 5: Qt delivery (actorbind only), in its own process.

``python -m benchmarks.qt_bench --endpoint E --mode raw|coalesced``

A QLabel inside a shown QWidget, ``use_actor(widget, "counter", key, client=client)`` and
``bind(binding.events("tick")[ | coalesce_per_frame()], set_label, owner=label)`` under a qasync
loop (offscreen platform). A 16 ms ``QTimer`` (PreciseTimer) stands for the frame clock: the
GUI lag is how late each tick fires (interval - 16 ms); we report p50/p99/max.

Two phases per repetition:
- **max rate**: one ``flood(N)`` through the binding; events/s delivered to the slot side
  (counted before the coalescing operator, so both modes count the same events) and label
  updates/s, with the lag meanwhile;
- **paced**: a separate driver process calls ``flood(rate/100)`` every 10 ms on its own
  connection to the same actor (``--rate`` events/s, default 10,000) for ``--seconds``; the
  lag and delivered rate are measured in the GUI process.

``live-value`` and ``list-model`` measure ``binding.state`` / ``binding.list_model``
(``benchmarks/qt_live.py``).

``coalesced`` mode puts :func:`coalesce_per_frame` between the events and ``bind``: it keeps
only the latest value and hands it on at most once per 16 ms frame (actorbind has no such
operator yet; see the report).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from typing import Any

from .common import cpu_seconds, emit, percentile

FRAME_MS = 16.0

# PySide6 6.12.0 on CPython < 3.12 drops references it does not own: every ``Signal.emit()``
# one to ``True``, every call of a void method (``QLabel.setText``) one to ``None``, and ~3 per
# event go missing from ``False`` (checked with sys.getrefcount; 6.11.3 is fine). A process
# dies with "Fatal Python error: bool_dealloc" / "none_dealloc" after a few hundred such calls;
# ``bind`` emits once per value. To measure at all, the benchmark holds this many extra
# references to True, None and False (the library is not patched; see the report). CPython
# >= 3.12 has immortal True/None/False: no pin is made there.
PIN = 10_000_000
_PINS: list[list[Any]] = []


def coalesce_per_frame(frame_s: float = FRAME_MS / 1000.0) -> Any:
    """The shipped operator (``actorbind.rx.latest_per_frame``): the latest value per frame."""
    from actorbind.rx import latest_per_frame

    return latest_per_frame(frame_s)


class LagMeter:
    """A 16 ms PreciseTimer; lateness of each tick while recording."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(int(FRAME_MS))
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.samples: list[float] | None = None

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def record(self) -> None:
        self.samples = []

    def stop_recording(self) -> list[float]:
        samples, self.samples = self.samples or [], None
        return samples

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.samples is not None:
            self.samples.append(max(0.0, (now - self.last) * 1000.0 - FRAME_MS))
        self.last = now


def _lag_stats(prefix: str, samples: list[float]) -> dict[str, float]:
    return {
        f"{prefix}_lag_p50_ms": percentile(samples, 50),
        f"{prefix}_lag_p99_ms": percentile(samples, 99),
        f"{prefix}_lag_max_ms": max(samples) if samples else float("nan"),
    }


async def gui_main(a: argparse.Namespace) -> dict[str, Any]:
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

    from actorbind import ConnStatus, create_client

    try:
        from actorbind_qt import bind, use_actor
    except ImportError as exc:
        return {"pending": f"actorbind_qt not importable yet ({exc})", "reps": []}

    if sys.version_info < (3, 12) and not _PINS:  # kept for the life of the process
        _PINS.extend([[True] * PIN, [None] * PIN, [False] * PIN])
    refs0 = sys.getrefcount(True), sys.getrefcount(None), sys.getrefcount(False)

    client = create_client(a.endpoint, encoding=a.encoding)
    key = f"bench-qt-{a.mode}-{uuid.uuid4().hex[:10]}"
    widget = QWidget()
    label = QLabel("-", widget)
    QVBoxLayout(widget).addWidget(label)
    widget.resize(200, 60)
    binding = use_actor(widget, "counter", key=key, client=client)
    widget.show()

    loop = asyncio.get_running_loop()
    connected: asyncio.Future[None] = loop.create_future()

    def on_status(status: Any) -> None:
        if status == ConnStatus.CONNECTED and not connected.done():
            connected.set_result(None)

    status_sub = binding.status.subscribe(on_status)
    await asyncio.wait_for(connected, 30)

    counts = {"events": 0, "updates": 0, "target": 0}
    reached: dict[str, asyncio.Future[None] | None] = {"f": None}

    def count_event(_args: Any) -> None:
        counts["events"] += 1
        f = reached["f"]
        if f is not None and counts["events"] >= counts["target"] and not f.done():
            f.set_result(None)

    def set_label(args: list[Any]) -> None:
        counts["updates"] += 1
        label.setText(str(args[0]))

    from reactivex import operators as ops

    source = binding.events("tick").pipe(ops.do_action(count_event))
    if a.mode == "coalesced":
        source = source.pipe(coalesce_per_frame())
    bind_sub = bind(source, set_label, owner=label)
    await binding.action("getCount")  # the subscription to "tick" has reached the server

    meter = LagMeter()
    meter.start()
    await asyncio.sleep(0.5)
    reps = []
    for _ in range(a.reps):
        rep: dict[str, float] = {}
        # --- max rate: one flood(N) as fast as the server sends
        counts.update(events=0, updates=0, target=a.flood)
        reached["f"] = loop.create_future()
        meter.record()
        c0 = cpu_seconds()
        t0 = time.perf_counter()
        await binding.action("flood", a.flood)
        try:
            await asyncio.wait_for(reached["f"], a.timeout)
        except TimeoutError:
            pass
        elapsed = time.perf_counter() - t0
        samples = meter.stop_recording()
        rep["max_events_per_s"] = counts["events"] / elapsed
        rep["max_label_updates_per_s"] = counts["updates"] / elapsed
        rep["max_cpu_us_per_event"] = (cpu_seconds() - c0) * 1e6 / max(counts["events"], 1)
        rep.update(_lag_stats("max", samples))
        await asyncio.sleep(0.3)

        # --- paced: a driver process floods at --rate events/s for --seconds
        driver = subprocess.Popen(
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
                str(a.rate),
                "--seconds",
                str(a.seconds + 1.0),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env={**os.environ},
        )
        try:
            assert driver.stdout is not None
            # wait for the driver to be connected and flooding before we record
            await loop.run_in_executor(None, driver.stdout.readline)
            await asyncio.sleep(0.5)
            counts.update(events=0, updates=0, target=1 << 62)
            reached["f"] = None
            meter.record()
            c0 = cpu_seconds()
            t0 = time.perf_counter()
            await asyncio.sleep(a.seconds)
            elapsed = time.perf_counter() - t0
            samples = meter.stop_recording()
            rep["paced_events_per_s"] = counts["events"] / elapsed
            rep["paced_label_updates_per_s"] = counts["updates"] / elapsed
            rep["paced_cpu_us_per_event"] = (cpu_seconds() - c0) * 1e6 / max(counts["events"], 1)
            rep.update(_lag_stats("paced", samples))
        finally:
            await loop.run_in_executor(None, driver.wait)
        await asyncio.sleep(0.3)
        reps.append(rep)

    meter.timer.stop()
    bind_sub.dispose()
    status_sub.dispose()
    widget.close()
    widget.deleteLater()
    await client.dispose()
    lost = {
        "True": refs0[0] - sys.getrefcount(True),
        "None": refs0[1] - sys.getrefcount(None),
        "False": refs0[2] - sys.getrefcount(False),
    }
    return {
        "client": "actorbind",
        "scenario": "qt",
        "mode": a.mode,
        "encoding": a.encoding,
        "reps": reps,
        "refs_lost": lost,
        "pinned": bool(_PINS),
    }


async def driver_main(a: argparse.Namespace) -> None:
    """Call ``flood(rate/100)`` every 10 ms (absolute schedule) on its own connection."""
    from actorbind import create_client

    client = create_client(a.endpoint, encoding=a.encoding)
    conn = client.counter.get_or_create(a.key).connect()
    await conn.ready()
    await conn.getCount()
    sys.stdout.write("DRIVER_READY\n")
    sys.stdout.flush()
    batch = max(1, round(a.rate / 100))
    loop = asyncio.get_running_loop()
    start = loop.time()
    pending: set[asyncio.Task[Any]] = set()
    i = 0
    while loop.time() - start < a.seconds:
        task = loop.create_task(conn.flood(batch))
        pending.add(task)
        task.add_done_callback(pending.discard)
        i += 1
        await asyncio.sleep(max(0.0, start + i * 0.01 - loop.time()))
    await asyncio.gather(*pending, return_exceptions=True)
    await client.dispose()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.qt_bench")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--encoding", default="bare")
    p.add_argument(
        "--mode", default="raw", choices=("raw", "coalesced", "live-value", "list-model")
    )
    p.add_argument("--items", type=int, default=10_000, help="list-model: rows to grow to")
    p.add_argument("--items-rate", type=float, default=1_000, help="list-model: rows/s")
    p.add_argument("--view", default="uniform", choices=("uniform", "batched", "default", "none"))
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--flood", type=int, default=100_000)
    p.add_argument("--rate", type=float, default=10_000)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--driver", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--key", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    a = parse_args(argv)
    if a.driver:
        asyncio.run(driver_main(a))
        return
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    if a.mode in ("live-value", "list-model"):
        from .qt_live import live_main

        result = loop.run_until_complete(live_main(a, LagMeter))
    else:
        result = loop.run_until_complete(gui_main(a))
    emit(result)
    # No orderly teardown: with the PIN workaround, freeing the pins at exit would take True /
    # None to a zero count (the references PySide6 dropped) and abort the interpreter.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
