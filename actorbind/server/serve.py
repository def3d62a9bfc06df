"""Running the server in-process: :func:`serve` (async) and :func:`run_in_thread` (sync)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import uvicorn

from .app import create_app, resolve_limits
from .limits import Limits
from .logs import redacted_logs
from .protocols import protocol_classes
from .registry import Registry
from .threaded import START_TIMEOUT, context_in_thread

__all__ = ["run_in_thread", "serve"]


class _Server(uvicorn.Server):
    """uvicorn, minus its signal handling: the embedding program owns its signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on sockets that say they are TCP,
    # and without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _fd_bounded(limits: Limits) -> Limits:
    """``limits`` with the connection cap under the process's file limit (64 spare fds)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return limits
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft - 64 >= limits.max_connections:
        return limits
    return replace(limits, max_connections=max(1, soft - 64))


@contextlib.asynccontextmanager
async def serve(
    registry: Registry,
    host: str = "127.0.0.1",
    port: int = 0,
    data: str | Path | None = None,
    *,
    max_incoming: int | None = None,
    max_outgoing: int | None = None,
    log_level: str = "warning",
    limits: Limits | None = None,
    token: str | None = None,
    allow_unknown_names: bool = False,
    client: Callable[[str], Any] | None = None,
) -> AsyncIterator[str]:
    """``async with serve(registry) as endpoint:`` runs the server on this event loop.

    ``endpoint`` is ``http://host:port`` with the real port (``port=0`` picks a free one).
    Leaving the block shuts the server down; open WebSockets are closed. ``limits``, ``token``
    and ``allow_unknown_names`` are :func:`create_app`'s (docs/server.md lists the defaults).
    ``client`` (e.g. ``actorbind.create_client``) makes the client of ``ctx.client()`` from
    ``endpoint``.
    """
    limits = _fd_bounded(resolve_limits(limits, max_incoming, max_outgoing))
    app = create_app(
        registry,
        data=data,
        limits=limits,
        token=token,
        allow_unknown_names=allow_unknown_names,
        client=client,
    )
    http_protocol, ws_protocol = protocol_classes(limits)
    sock = _bind(host, port)
    config = uvicorn.Config(
        app,
        http=http_protocol,
        ws=ws_protocol,
        lifespan="on",
        log_level=log_level,
        access_log=False,
        h11_max_incomplete_event_size=limits.max_header_bytes,
        # uvicorn types it int but only passes it to call_later: fractions work.
        timeout_keep_alive=limits.keep_alive_timeout,  # type: ignore[arg-type]
        ws_max_size=max(limits.max_ws_message, 2 * limits.max_incoming),
        ws_ping_interval=None,  # like RivetKit: the server sends no pings (it answers them)
        ws_per_message_deflate=False,
        # uvicorn types it int but only uses it as a timeout: fractions work.
        timeout_graceful_shutdown=limits.shutdown_timeout,  # type: ignore[arg-type]
    )
    server = _Server(config)
    with redacted_logs():
        task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
        try:
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("the actorbind server stopped while starting")
                await asyncio.sleep(0.005)
            bound_host, bound_port = sock.getsockname()[:2]
            shown = f"[{bound_host}]" if ":" in bound_host else bound_host
            endpoint = f"http://{shown}:{bound_port}"
            app.state.host.endpoint = endpoint
            yield endpoint
        finally:
            server.should_exit = True
            try:
                await task
            finally:
                sock.close()


@contextlib.contextmanager
def run_in_thread(
    registry: Registry,
    host: str = "127.0.0.1",
    port: int = 0,
    data: str | Path | None = None,
    *,
    start_timeout: float | None = START_TIMEOUT,
    **options: Any,
) -> Iterator[str]:
    """``with run_in_thread(registry) as endpoint:``: the server on its own thread and loop.

    Raises:
        TimeoutError: it did not start within ``start_timeout`` seconds (60 s; ``None``:
            no bound); the start is cancelled.
    """
    with context_in_thread(
        lambda: serve(registry, host, port, data, **options),
        "actorbind-server",
        start_timeout=start_timeout,
    ) as endpoint:
        yield str(endpoint)
