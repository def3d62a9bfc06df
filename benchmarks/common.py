"""Helpers shared by the Python benchmark children: percentiles, OS CPU time, RSS."""

from __future__ import annotations

import json
import math
import os
import resource
import sys
from typing import Any


def cpu_seconds() -> float:
    """User + system CPU of this process (all threads), as the OS accounts it (getrusage)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """Current resident set size (``/proc/self/statm``), not the peak."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100), the same rule ts_bench.mjs uses."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def emit(result: dict[str, Any]) -> None:
    """The one line of JSON the runner reads from a child's stdout."""
    sys.stdout.write("BENCH_RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()
