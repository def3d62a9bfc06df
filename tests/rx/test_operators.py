"""latest_per_frame: at most one value per frame, always the latest, nothing lost at the end."""

from __future__ import annotations

import asyncio

from reactivex.subject import Subject

from actorbind.rx import latest_per_frame


async def test_coalesces_bursts_into_the_latest_value() -> None:
    source: Subject[int] = Subject()
    seen: list[int] = []
    done = asyncio.Event()
    source.pipe(latest_per_frame(0.05)).subscribe(seen.append, on_completed=done.set)
    source.on_next(0)  # first value after a quiet period: at once
    assert seen == [0]
    for i in range(1, 1000):
        source.on_next(i)
    assert seen == [0]  # the burst waits for the next frame
    await asyncio.sleep(0.1)
    assert seen == [0, 999]
    source.on_next(1000)
    source.on_next(1001)
    source.on_completed()  # flushes what is pending
    await asyncio.wait_for(done.wait(), 1)
    assert seen[-1] == 1001


async def test_dispose_cancels_the_pending_flush() -> None:
    source: Subject[int] = Subject()
    seen: list[int] = []
    sub = source.pipe(latest_per_frame(0.02)).subscribe(seen.append)
    source.on_next(1)
    source.on_next(2)
    sub.dispose()
    await asyncio.sleep(0.05)
    assert seen == [1]
