"""The benchmark code still runs (scenario 2, a few hundred messages; no timings asserted)."""

from __future__ import annotations

from benchmarks.smoke import smoke


def test_benchmark_smoke(embedded_endpoint: str) -> None:
    smoke(embedded_endpoint)
