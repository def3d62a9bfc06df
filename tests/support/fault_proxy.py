"""A deterministic loopback HTTP/1.1 fault proxy for client tests (127.0.0.1, port 0).

Each client connection gets its own upstream connection. Requests are read whole (head plus
``content-length`` body), forwarded, and the upstream reply read whole (``content-length``
framing, as the embedded server sends); then ``fault(conn, index)`` decides what the client
gets: ``None`` the reply, ``"close"`` a FIN and no reply byte, ``"reset"`` an RST and no
reply byte. ``conn`` counts client connections from 1 in accept order, ``index`` requests on
one connection from 0. The upstream has then applied the request: a client that sends it
again makes it apply twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Fault", "FaultProxy"]

Fault = Literal["close", "reset"] | None


async def _read_message(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        assert name.strip().lower() != b"transfer-encoding", "the proxy needs content-length"
    return head + await reader.readexactly(length)


@dataclass
class FaultProxy:
    upstream_host: str
    upstream_port: int
    fault: Callable[[int, int], Fault] = lambda conn, index: None
    accepted: int = 0
    forwarded: list[tuple[int, int, bytes]] = field(default_factory=list)  # (conn, index, line)
    faults: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.accepted += 1
        conn = self.accepted
        up_reader, up_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        try:
            index = 0
            while True:
                request = await _read_message(reader)
                up_writer.write(request)
                await up_writer.drain()
                reply = await _read_message(up_reader)  # the upstream has applied it
                self.forwarded.append((conn, index, request.split(b"\r\n", 1)[0]))
                fault = self.fault(conn, index)
                index += 1
                if fault is not None:
                    self.faults += 1
                    if fault == "reset":
                        writer.transport.abort()
                    return
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            for w in (writer, up_writer):
                w.close()
                with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                    await w.wait_closed()
            self._tasks.discard(task)
