"""Fixtures for the client-against-fake-servers tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from actorbind import Client, create_client
from actorbind.protocol import Backoff
from tests.conftest import ENCODINGS
from tests.utils import SECOND, actorbind_tasks, until

FAST_BACKOFF = Backoff(initial=0.005, maximum=0.02)


@pytest.fixture(params=ENCODINGS)
def encoding(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_client(
    loop_health: list[dict[str, Any]],
) -> AsyncIterator[Callable[..., Client]]:
    """``make_client(endpoint, encoding=..., **kw)``, reconnecting fast by default
    (``backoff=``); every client is disposed afterwards and must leave no actorbind task
    behind."""
    clients: list[Client] = []

    def make(endpoint: str, **kw: Any) -> Client:
        kw.setdefault("disable_metadata_lookup", True)
        kw.setdefault("backoff", FAST_BACKOFF)
        client = create_client(endpoint, **kw)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await asyncio.wait_for(client.dispose(), 10)
    # Tasks still closing (a socket's last frames, a callback) end soon after dispose, later
    # on a busy machine; a leak is a task that never ends.
    with contextlib.suppress(AssertionError):
        await until(lambda: not actorbind_tasks(), "actorbind tasks to end", 5 * SECOND)
    assert not actorbind_tasks(), actorbind_tasks()


async def wait_until(predicate: Callable[[], bool], timeout: float = 5 * SECOND) -> None:
    """Poll ``predicate`` (a hang guard, not a timing assertion)."""
    await until(predicate, "condition", timeout)
