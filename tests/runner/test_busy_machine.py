"""The engine keeps creating actors while the machine's CPU is saturated.

rivet-engine's workflow worker sheds load by the host's CPU use (it pulls 5 % of its workflows
above 90 %), so on a busy 2-core machine actor creation starved and first calls failed with
``pegboard.route_resolve_query_timeout``. The harness sets ``worker_cpu_max`` so that it never
sheds (``actorbind.testing.engine.BUSY_MACHINE_ENV``); this saturates both cores, creates actors
meanwhile, and reads from the engine's own metrics that no pull was cut and the load was real.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from actorbind import create_client

pytestmark = pytest.mark.engine

_BUCKET = re.compile(r'^rivet_gasoline_(\w+)_bucket\{le="([^"]+)"\} (\d+)$', re.M)


def _histograms(metrics_url: str) -> dict[tuple[str, str], int]:
    text = httpx.get(metrics_url, timeout=30).text
    return {(name, le): int(n) for name, le, n in _BUCKET.findall(text)}


def _new(after: dict[tuple[str, str], int], before: dict[tuple[str, str], int], key: Any) -> int:
    return after.get(key, 0) - before.get(key, 0)


@pytest.fixture
def saturated_cpu() -> Iterator[None]:
    """One busy-looping process per core, stopped at the end."""
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(os.cpu_count() or 2)
    ]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait(timeout=30)


async def test_actors_are_created_while_every_core_is_busy(
    rivet_engine: Any, engine_endpoint: str, saturated_cpu: None
) -> None:
    before = _histograms(rivet_engine.metrics_url)
    pulls = 0
    async with create_client(engine_endpoint) as client:
        # The engine smooths its CPU reading over its pulls (beta 0.95): some dozens of pulls
        # under load before it would shed. Each create is several pulls.
        for _ in range(200):
            # No retry: without the setting, creates here time out once the shedding starts.
            assert await client.counter.get_or_create(uuid.uuid4().hex).increment(1) == 1
            after = _histograms(rivet_engine.metrics_url)
            pulls = _new(after, before, ("load_shedding_ratio", "+Inf"))
            if pulls >= 80:
                break
    assert pulls >= 80
    # The worker saw the busy host on most pulls (cpu_usage is in cores) ...
    assert _new(after, before, ("cpu_usage", "1")) < pulls / 2
    # ... and still pulled every workflow it had (a ratio of 1.0 on each pull).
    assert _new(after, before, ("load_shedding_ratio", "0.9")) == 0
