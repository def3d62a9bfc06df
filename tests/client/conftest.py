"""Fixtures for the client-against-fake-servers tests."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

import actorbind
import actorbind._conn
from actorbind import Client, create_client
from actorbind.protocol.connection import Backoff, ConnectionProtocol
from tests.conftest import ENCODINGS

# The installed package's folder, not any folder named "actorbind": the checkout itself is
# usually one (`git clone ... actorbind`), and its tests and fake servers are not actorbind code.
PACKAGE_DIR = Path(actorbind.__file__).resolve().parent


def actorbind_tasks() -> list[asyncio.Task[Any]]:
    """Live tasks running actorbind code (the fake servers' tasks are not counted)."""
    out = []
    for task in asyncio.all_tasks():
        coro = task.get_coro()
        code = getattr(coro, "cr_code", None)
        if code is not None and not task.done() and is_actorbind_file(code.co_filename):
            out.append(task)
    return out


def is_actorbind_file(filename: str) -> bool:
    """Whether ``filename`` is a module of the actorbind package."""
    return Path(filename).resolve().is_relative_to(PACKAGE_DIR)


@pytest.fixture
async def loop_health() -> AsyncIterator[list[dict[str, Any]]]:
    """Fails the test if anything reached the loop's exception handler (unhandled task
    exceptions, "Task exception was never retrieved", callbacks that raised)."""
    loop = asyncio.get_running_loop()
    seen: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    try:
        yield seen
        await asyncio.sleep(0.01)
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert not seen, [c.get("message") for c in seen]


def set_backoff(monkeypatch: pytest.MonkeyPatch, initial: float, maximum: float) -> None:
    """Make every connection created from now on use this backoff (no client hook needed:
    ``ActorConn`` builds its ``ConnectionProtocol`` through the module global)."""

    class Protocol(ConnectionProtocol):
        def __init__(self, codec: Any, **kw: Any) -> None:
            kw.setdefault("backoff", Backoff(initial=initial, maximum=maximum))
            super().__init__(codec, **kw)

    monkeypatch.setattr(actorbind._conn, "ConnectionProtocol", Protocol)


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
