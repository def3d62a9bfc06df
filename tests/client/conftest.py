"""Fixtures for the client-against-fake-servers tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import actorbind.client.conn
from actorbind import Client, create_client
from actorbind.protocol.connection import Backoff, ConnectionProtocol
from tests.conftest import ENCODINGS
from tests.utils import actorbind_tasks


def set_backoff(monkeypatch: pytest.MonkeyPatch, initial: float, maximum: float) -> None:
    """Make every connection created from now on use this backoff (no client hook needed:
    ``ActorConn`` builds its ``ConnectionProtocol`` through the module global)."""

    class Protocol(ConnectionProtocol):
        def __init__(self, codec: Any, **kw: Any) -> None:
            kw.setdefault("backoff", Backoff(initial=initial, maximum=maximum))
            super().__init__(codec, **kw)

    monkeypatch.setattr(actorbind.client.conn, "ConnectionProtocol", Protocol)


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    set_backoff(monkeypatch, 0.005, 0.02)


@pytest.fixture(params=ENCODINGS)
def encoding(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_client(
    loop_health: list[dict[str, Any]], fast_backoff: None
) -> AsyncIterator[Callable[..., Client]]:
    """``make_client(endpoint, encoding=..., **kw)``; every client is disposed afterwards and
    must leave no actorbind task behind."""
    clients: list[Client] = []

    def make(endpoint: str, **kw: Any) -> Client:
        kw.setdefault("disable_metadata_lookup", True)
        client = create_client(endpoint, **kw)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await asyncio.wait_for(client.dispose(), 10)
    await asyncio.sleep(0.01)
    assert not actorbind_tasks(), actorbind_tasks()


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``predicate`` (a hang guard, not a timing assertion)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)
