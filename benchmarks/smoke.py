"""A few-second smoke run of scenario 2 (WebSocket actions), actorbind only, for a test.

    from benchmarks.smoke import smoke, smoke_async
    smoke("http://127.0.0.1:6420")            # sync: runs its own event loop
    await smoke_async(endpoint)               # inside a running loop (pytest-asyncio)

It exercises the benchmark code path (sequential round trips, then pipelined calls with 100 in
flight) with a few hundred messages per encoding and checks the *answers* (every call returns
the counter's new value, nothing is lost or duplicated). It makes no timing assertions: the
returned figures are for information only.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from actorbind import create_client

__all__ = ["smoke", "smoke_async"]


async def _one(endpoint: str, encoding: str, messages: int, window: int) -> dict[str, Any]:
    client = create_client(endpoint, encoding=encoding)
    try:
        h = client.counter.get_or_create(f"bench-smoke-{encoding}-{uuid.uuid4().hex[:10]}")
        conn = h.connect()
        await asyncio.wait_for(conn.ready(), 30)
        seq = messages // 2
        t0 = time.perf_counter()
        for i in range(seq):
            got = await conn.increment(1)
            if got != i + 1:
                raise AssertionError(f"{encoding}: increment #{i + 1} returned {got!r}")
        seq_s = time.perf_counter() - t0

        results: list[Any] = []
        remaining = messages - seq

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                results.append(await conn.increment(1))

        t0 = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(window))), 60)
        pipe_s = time.perf_counter() - t0
        expected = list(range(seq + 1, messages + 1))
        if sorted(results) != expected:
            raise AssertionError(f"{encoding}: pipelined results are not {seq + 1}..{messages}")
        final = await conn.getCount()
        if final != messages:
            raise AssertionError(f"{encoding}: getCount() returned {final!r}, not {messages}")
        await conn.dispose()
        return {
            "encoding": encoding,
            "messages": messages,
            "sequential_rtt_ms": seq_s * 1000 / max(seq, 1),
            "pipelined_per_s": (messages - seq) / pipe_s if pipe_s else float("inf"),
        }
    finally:
        await client.dispose()


async def smoke_async(
    endpoint: str,
    *,
    encodings: tuple[str, ...] = ("json", "cbor", "bare"),
    messages: int = 300,
    window: int = 100,
) -> list[dict[str, Any]]:
    """Scenario 2 with ``messages`` actions per encoding; raises ``AssertionError`` on a wrong
    answer, returns one dict of (informative) figures per encoding."""
    return [await _one(endpoint, enc, messages, window) for enc in encodings]


def smoke(
    endpoint: str,
    *,
    encodings: tuple[str, ...] = ("json", "cbor", "bare"),
    messages: int = 300,
    window: int = 100,
) -> list[dict[str, Any]]:
    """Synchronous :func:`smoke_async` (starts its own event loop)."""
    return asyncio.run(smoke_async(endpoint, encodings=encodings, messages=messages, window=window))


if __name__ == "__main__":
    import sys

    for row in smoke(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:6420"):
        print(row)
