"""``context_in_thread`` (under ``run_in_thread`` and ``serve_engine_in_thread``): a start that
never finishes is bounded, cancelled and reported instead of blocking the caller forever."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator

import pytest

from actorbind.server.threaded import context_in_thread
from tests.utils import SECOND


def test_a_start_that_hangs_times_out_and_is_cancelled() -> None:
    entered = threading.Event()
    unwound = threading.Event()

    @contextlib.asynccontextmanager
    async def never_ready() -> AsyncIterator[str]:
        entered.set()
        try:
            await asyncio.Event().wait()
        finally:
            unwound.set()
        yield "unreachable"  # pragma: no cover

    name = "actorbind-test-hanging-start"
    with (
        pytest.raises(TimeoutError, match=f"{name} did not start within 0.1 s"),
        context_in_thread(never_ready, name, start_timeout=0.1),
    ):
        pytest.fail("entered a context that never started")  # pragma: no cover
    # The start was cancelled (or, had its thread not begun yet, never began) and its thread
    # ended: nothing is left running.
    thread = next((t for t in threading.enumerate() if t.name == name), None)
    if thread is not None:
        thread.join(10 * SECOND)
        assert not thread.is_alive()
    assert unwound.is_set() or not entered.is_set()


def test_an_error_while_starting_is_raised_within_the_bound() -> None:
    @contextlib.asynccontextmanager
    async def broken() -> AsyncIterator[str]:
        raise OSError("port taken")
        yield "unreachable"  # pragma: no cover

    with (
        pytest.raises(OSError, match="port taken"),
        context_in_thread(broken, "actorbind-test-broken", start_timeout=60 * SECOND),
    ):
        pytest.fail("entered a context that failed")  # pragma: no cover
