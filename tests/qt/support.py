"""Helpers for the Qt tests: waiting for conditions (never for durations)."""

from __future__ import annotations

import asyncio

from actorbind import ActorHandle


async def live_conns(handle: ActorHandle) -> int:
    """WebSocket connections the actor has now (the HTTP call itself excluded)."""
    return int(await handle.liveConns()) - 1


async def until_live(handle: ActorHandle, expected: int, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        got = await live_conns(handle)
        if got == expected:
            return
        if loop.time() > deadline:
            raise AssertionError(f"actor has {got} connections, expected {expected}")
        await asyncio.sleep(0.02)
