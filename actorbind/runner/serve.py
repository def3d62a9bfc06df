"""Running a runner in-process: :func:`serve_engine` (async) and :func:`serve_engine_in_thread`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from actorbind.server.limits import Limits
from actorbind.server.registry import Registry
from actorbind.server.threaded import context_in_thread

from .envoy import Envoy, EnvoyError
from .pool import ensure_pool as put_pool
from .pool import is_loopback

__all__ = ["serve_engine", "serve_engine_in_thread"]


@contextlib.asynccontextmanager
async def serve_engine(
    registry: Registry,
    *,
    endpoint: str,
    namespace: str = "default",
    pool: str = "default",
    token: str | None = None,
    version: int = 1,
    envoy_key: str | None = None,
    ensure_pool: bool | None = None,
    max_incoming: int = 65_536,
    max_outgoing: int = 1_048_576,
    connect_timeout: float = 30.0,
    drain_timeout: float = 30.0,
    client: Callable[..., Any] | None = None,
) -> AsyncIterator[Envoy]:
    """``async with serve_engine(registry, endpoint=URL) as envoy:`` hosts the actors there.

    Returns once the engine has accepted the envoy (its ``Init``). Leaving the block drains:
    the engine stops every actor here (their state is in its KV) and may start them elsewhere.

    Args:
        ensure_pool: ``PUT /runner-configs/{pool}`` first; ``None``: only for a loopback
            engine, as RivetKit does (elsewhere the operator configures pools).
        client: makes the client of ``ctx.client()``, e.g. ``actorbind.create_client``,
            called as ``client(endpoint, namespace=, token=, runner=pool)``: the actors reach
            each other through the engine's gateway. Injected, as for ``serve()``, so the
            runner never imports the client.

    Raises:
        EnvoyError: the engine refused the envoy (no runner config, unknown namespace, ...).
        TimeoutError: no ``Init`` within ``connect_timeout``.
    """
    if ensure_pool or (ensure_pool is None and is_loopback(endpoint)):
        await put_pool(endpoint, namespace, pool, token)
    envoy = Envoy(
        registry,
        endpoint=endpoint,
        namespace=namespace,
        pool=pool,
        token=token,
        version=version,
        envoy_key=envoy_key,
        limits=Limits(max_incoming=max_incoming, max_outgoing=max_outgoing),
        client=client,
    )
    task = asyncio.get_running_loop().create_task(envoy.run())
    try:
        try:
            await asyncio.wait_for(envoy.ready.wait(), connect_timeout)
        except TimeoutError:
            raise TimeoutError(f"the engine at {endpoint} did not accept the envoy") from None
        if envoy.metadata is None:  # run() ended before any Init
            await task
            raise envoy.error or EnvoyError("the envoy stopped while connecting")
        yield envoy
        await envoy.drain(drain_timeout)
    finally:
        await envoy.close()
        await task


@contextlib.contextmanager
def serve_engine_in_thread(
    registry: Registry, *, endpoint: str, start_timeout: float | None = 120.0, **options: Any
) -> Iterator[Envoy]:
    """``with serve_engine_in_thread(registry, endpoint=URL) as envoy:``, on its own loop.

    Raises:
        TimeoutError: it did not start within ``start_timeout`` seconds (``None``: no bound),
            a backstop behind :func:`serve_engine`'s own ``connect_timeout``; the start is
            cancelled.
    """
    with context_in_thread(
        lambda: serve_engine(registry, endpoint=endpoint, **options),
        "actorbind-runner",
        start_timeout=start_timeout,
    ) as envoy:
        yield envoy
