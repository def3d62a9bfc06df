"""Shared fixtures: the two servers every interop test runs against, and unique keys."""

from __future__ import annotations

import asyncio
import gc
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ENCODINGS = ("json", "cbor", "bare")


def pytest_configure(config: pytest.Config) -> None:
    # A session that never starts RivetKit must not pay for it; the fixtures below are lazy.
    config.addinivalue_line("markers", "embedded: runs against the embedded Python server")
    config.addinivalue_line(
        "markers", "engine: Python actors on a real rivet-engine 2.3.19 (actorbind.runner)"
    )


@pytest.fixture(scope="session")
def rivetkit_endpoint() -> Iterator[str]:
    """A real RivetKit 2.3.19 server with its engine, for the whole session."""
    if os.environ.get("ACTORBIND_SKIP_RIVETKIT") == "1":
        pytest.skip("ACTORBIND_SKIP_RIVETKIT=1")
    from tests.support.rivetkit_server import RivetKitServer

    with RivetKitServer() as server:
        yield server.endpoint


@pytest.fixture(scope="session")
def embedded_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded actorbind server (own thread and loop) with the test actors."""
    from actorbind import create_client
    from actorbind.server import run_in_thread
    from tests.support.actors import registry

    data = tmp_path_factory.mktemp("embedded") / "actors.db"
    with run_in_thread(registry, data=str(data), client=create_client) as endpoint:
        yield endpoint


# Lowered so failover tests do not wait out the 15 s defaults.
ENGINE_PEGBOARD = {"envoy_lost_threshold": 4000, "envoy_ping_timeout": 4000}


@pytest.fixture(scope="session")
def rivet_engine() -> Iterator[Any]:
    """A standalone rivet-engine 2.3.19 (from the cached RivetKit install) for the session."""
    if os.environ.get("ACTORBIND_SKIP_RIVETKIT") == "1":
        pytest.skip("ACTORBIND_SKIP_RIVETKIT=1")
    from actorbind.testing.engine import RivetEngine, find_engine_binary
    from tests.support.rivetkit_server import ensure_rivetkit

    binary = find_engine_binary(ensure_rivetkit())
    with RivetEngine(binary, pegboard=ENGINE_PEGBOARD) as engine:
        yield engine


@pytest.fixture(scope="session")
def engine_endpoint(rivet_engine: Any) -> Iterator[str]:
    """The test actors hosted by actorbind.runner (own thread) on the engine's pool default,
    ``ctx.client()`` through the engine's gateway."""
    from actorbind import create_client
    from actorbind.runner import serve_engine_in_thread
    from tests.support.actors import registry

    with serve_engine_in_thread(registry, endpoint=rivet_engine.endpoint, client=create_client):
        yield str(rivet_engine.endpoint)


@pytest.fixture
def uid() -> str:
    """A key nobody else uses, so tests never share an actor."""
    return uuid.uuid4().hex[:12]


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
