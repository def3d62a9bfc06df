"""A loopback TCP proxy that can cut every connection through it (forced reconnects)."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

__all__ = ["DroppingProxy"]


class DroppingProxy:
    """``async with DroppingProxy("http://127.0.0.1:6420") as proxy``: point a client at
    ``proxy.endpoint``; :meth:`drop` aborts every connection (both sides, no close frame),
    like a network failure. New connections keep working."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._server: asyncio.Server | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.drops = 0
        self.endpoint = ""

    async def __aenter__(self) -> DroppingProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        self.drop()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks))
        await self._server.wait_closed()

    @property
    def connections(self) -> int:
        return len(self._pairs)

    def drop(self) -> None:
        """Abort every connection open now."""
        self.drops += 1
        for client, upstream in list(self._pairs):
            client.transport.abort()
            upstream.transport.abort()
        self._pairs.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(self._host, self._port)
        except OSError:
            writer.transport.abort()
            return
        pair = (writer, up_writer)
        self._pairs.add(pair)
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.get_running_loop().create_task(_pipe(src, dst, pair, self._pairs))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


async def _pipe(
    src: asyncio.StreamReader,
    dst: asyncio.StreamWriter,
    pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
    pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]],
) -> None:
    try:
        while data := await src.read(65536):
            dst.write(data)
            await dst.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        # One side ended: end both (a half-open WebSocket helps nobody here).
        pairs.discard(pair)
        for writer in pair:
            with contextlib.suppress(Exception):
                writer.transport.abort()
