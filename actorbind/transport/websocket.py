"""A lean client WebSocket for actor connections.

:class:`Socket` is an :class:`asyncio.Protocol` that drives websockets' sans-I/O
:class:`~websockets.client.ClientProtocol` (handshake, framing, ``max_size``, pings, the close
handshake) and hands complete messages to a callback straight from ``data_received``: no task
and no queue per message, so one event costs one loop callback, not two.

Fairness: one callback processes at most :data:`BUDGET` seconds of messages (input is fed to
the parser in :data:`SLICE`-byte pieces). If more is buffered, reading pauses (so back-pressure
reaches the server) and processing continues on ``loop.call_soon``: a flood never holds the
loop (a GUI) for long.

Reading: plain data frames are cut out of the read by the fast path (``ws_fastpath.py``);
anything else (control frames, fragments, a frame over the size limit, masked or RSV frames,
invalid UTF-8, the handshake, any state but OPEN, extensions) goes to websockets' own parser,
frame by frame, with exactly that frame's bytes, so its checks and close codes apply unchanged.
An incomplete small frame waits for the rest of its bytes here; a large one is streamed to
websockets' parser. Writing is ``ws_writer.py`` (corked, masks from ``ws_masks.py``), pings
``ws_keepalive.py``.

``handle.websocket()`` (raw, user-facing sockets) keeps websockets' asyncio client; only the
actor connection path uses this module. URLs are never put in messages or logs (tokens).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable, Sequence
from typing import cast

from websockets.client import ClientProtocol
from websockets.exceptions import InvalidMessage
from websockets.frames import BINARY, CONT, PONG, TEXT, CloseCode, Frame
from websockets.http11 import Response
from websockets.protocol import OPEN, State
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from .ws_fastpath import RETAIN, cut_frames, frame_size
from .ws_keepalive import Keepalive
from .ws_writer import FrameWriter

__all__ = ["BUDGET", "SLICE", "MessageHandler", "Socket", "open_socket"]

log = logging.getLogger("actorbind.socket")

MessageHandler = Callable[[list[bytes | str]], None]
"""Receives the messages parsed in one slice, in order (text as ``str``, binary as ``bytes``)."""

BUDGET = 0.002
"""Seconds of message processing per loop callback before yielding to the loop."""

SLICE = 2048
"""Bytes fed to the frame parser at a time (the unit of work between two budget checks)."""


class Socket(asyncio.Protocol):
    """One client WebSocket; made by :func:`open_socket`.

    Messages received before :meth:`start` are held (they may arrive with the ``101``).
    After :meth:`close` (or :meth:`abort`) no message is delivered any more.
    """

    def __init__(
        self,
        protocol: ClientProtocol,
        on_messages: MessageHandler,
        *,
        ping_interval: float | None,
        ping_timeout: float | None,
        close_timeout: float,
    ) -> None:
        self.protocol = protocol
        self._loop = asyncio.get_running_loop()
        self._on_messages = on_messages
        self._transport: asyncio.Transport | None = None
        self._handshake: asyncio.Future[None] = self._loop.create_future()
        self._response: Response | None = None
        self._closed: asyncio.Future[None] = self._loop.create_future()
        self._started = False
        self._delivering = True  # False once closed or aborted locally
        # Backlog: bytes received but not parsed yet, and messages parsed but not delivered.
        self._raw = b""
        self._raw_pos = 0
        self._messages: list[bytes | str] = []
        self._eof_pending = False  # EOF (or a lost connection) to feed after the backlog
        self._eof_fed = False
        self._lost = False
        self._drain_scheduled = False
        self._paused = False
        self._fragments: list[bytes] | None = None
        self._partial = b""  # the start of a frame the fast path waits to complete
        self._ws_need = 0  # bytes websockets still needs to finish the frame it was given
        # websockets' frame-size limit (what its parser would pass to Frame.parse), or -1 when
        # this websockets version does not expose what the fast path checks (then it is off).
        self._limit: int | None = -1
        if hasattr(protocol, "current_size") and hasattr(protocol, "max_message_size"):
            limits = [
                x for x in (protocol.max_message_size, protocol.max_fragment_size) if x is not None
            ]
            self._limit = min(limits) if limits else None
        self._fragment_text = False
        self._writer = FrameWriter(
            protocol,
            fast=self._limit != -1,
            close_timeout=close_timeout,
            on_close_timeout=self.abort,
        )
        self._write_pending = self._writer.write_pending
        self._flush = self._writer.flush
        self._keepalive = Keepalive(
            protocol,
            interval=ping_interval,
            timeout=ping_timeout,
            write=self._write_pending,
            fail=self._fail,
        )

    # --- public -----------------------------------------------------------------------

    @property
    def state(self) -> State:
        return self.protocol.state

    @property
    def closed(self) -> bool:
        return self._closed.done()

    def start(self) -> None:
        """Begin delivering messages (those held since the handshake first)."""
        self._started = True
        if not self._drain_scheduled and self._has_backlog():
            self._drain()

    def send(self, frames: Sequence[bytes | str]) -> None:
        """Write frames: the first batch of a loop iteration at once, later ones of the same
        iteration together on the next (so 100 actions started at once take 2 writes)."""
        if self._delivering:
            self._writer.send(frames)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Start the close handshake (queued frames go first); see :meth:`wait_closed`.

        Idempotent. If the server does not finish it within the close timeout, the TCP
        connection is aborted.
        """
        self._flush()
        self._stop_delivering()
        if self.protocol.state is OPEN:
            self.protocol.send_close(code, reason)
            self._write_pending()
        elif self._transport is None or self.protocol.state is State.CONNECTING:
            self.abort()

    def abort(self) -> None:
        """Drop the TCP connection at once (no close frame)."""
        self._stop_delivering()
        if self._transport is not None:
            self._transport.abort()
        elif not self._closed.done():
            self._closed.set_result(None)

    async def wait_closed(self) -> None:
        """Wait until the TCP connection is closed (bounded by the close timeout once closing)."""
        await asyncio.shield(self._closed)

    def close_info(self) -> tuple[int | None, str]:
        """The close code and reason to report once closed.

        The server's, or ours when we failed the socket and no close came back (a frame over
        ``max_size``: 1009 and a reason naming the limit) rather than a bare 1006.
        """
        sent, rcvd = self.protocol.close_sent, self.protocol.close_rcvd
        if rcvd is None and sent is not None:
            return sent.code, sent.reason
        return self.protocol.close_code, self.protocol.close_reason or ""

    # --- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport; not isinstance-checked: uvloop's are no asyncio.Transport subclasses.
        self._transport = self._writer.transport = cast(asyncio.Transport, transport)
        self._write_pending()  # the handshake request

    def data_received(self, data: bytes) -> None:
        if self._partial:
            data = self._partial + data
            self._partial = b""
        if self._has_backlog() or self._drain_scheduled:
            # Keep order: new bytes go behind what is still buffered.
            self._raw = self._raw[self._raw_pos :] + data
            self._raw_pos = 0
            return
        if len(data) <= SLICE and self._started:
            self._feed(data)  # the common case: one small read, no slicing or clock
            if self._messages:
                self._deliver()
            return
        self._raw, self._raw_pos = data, 0
        self._drain()

    def eof_received(self) -> None:
        self._eof_pending = True
        if not self._drain_scheduled:
            self._drain()
        # Returning None closes the transport: a client never writes after the server's EOF.

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        self._eof_pending = True
        self._keepalive.stop()
        self._writer.connection_lost()
        if not self._drain_scheduled:
            self._drain()

    # --- reading ------------------------------------------------------------------------

    def _has_backlog(self) -> bool:
        return self._raw_pos < len(self._raw) or bool(self._messages)

    def _drain(self) -> None:
        """Parse and deliver the backlog for up to BUDGET seconds, then yield to the loop."""
        self._drain_scheduled = False
        deadline = self._loop.time() + BUDGET
        while True:
            if self._messages:
                if not self._delivering:
                    self._messages = []
                elif not self._started:
                    break  # held until start()
                else:
                    self._deliver()
            elif self._raw_pos < len(self._raw):
                self._raw_pos = self._process(self._raw, self._raw_pos, SLICE)
                if self._raw_pos >= len(self._raw):
                    self._raw, self._raw_pos = b"", 0
            elif self._eof_pending and not self._eof_fed:
                self._eof_fed = True
                if self._partial:  # websockets reports the truncated frame
                    partial, self._partial = self._partial, b""
                    self.protocol.receive_data(partial)
                self.protocol.receive_eof()
                self._handle_events()
                self._write_pending()
            else:
                break
            if self._loop.time() >= deadline and (
                self._has_backlog() or (self._eof_pending and not self._eof_fed)
            ):
                if self._started or not self._messages:
                    self._yield()
                    return
        if self._paused and not self._has_backlog():
            self._paused = False
            if self._transport is not None and not self._lost:
                self._transport.resume_reading()
        if self._lost and self._eof_fed:
            self._finish()

    def _yield(self) -> None:
        if not self._paused and not self._lost and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()
        self._drain_scheduled = True
        self._loop.call_soon(self._drain)

    def _feed(self, data: bytes) -> None:
        self._process(data, 0, len(data))

    def _framing_ok(self) -> bool:
        """Whether websockets' parser is idle at a frame boundary in a plain OPEN socket."""
        p = self.protocol
        return (
            self._limit != -1
            and p.state is OPEN
            and not p.reader.buffer
            and not p.extensions
            and not p.debug
        )

    def _process(self, data: bytes, pos: int, quota: int) -> int:
        """Consume about ``quota`` bytes of ``data`` from ``pos`` (whole frames on the fast
        path); returns the new position (``len(data)`` once a waiting frame is kept)."""
        n = len(data)
        stop = min(n, pos + quota)
        while pos < stop:
            if self._ws_need:
                end = min(stop, pos + self._ws_need)
                self._ws_need -= end - pos
                self._slow(data[pos:end])
                pos = end
                continue
            if not self._framing_ok():
                self._slow(data[pos:stop])
                return stop
            if self._fragments is None and self.protocol.current_size is None:
                pos = cut_frames(data, pos, stop, self._limit, self._messages)
                if pos >= stop:
                    break
            total, usual = frame_size(data, pos, self._limit)
            if total is None or (usual and pos + total > n and total <= RETAIN):
                self._partial = data[pos:]  # wait for the rest of this frame
                return n
            # Unusual, or too big to wait for: websockets parses this frame's bytes only (so
            # each frame is judged before the next one is parsed, whatever the reads were).
            end = min(pos + total, n if total <= quota else max(stop, pos + 1))
            self._ws_need = pos + total - end
            self._slow(data[pos:end])
            pos = end
        return pos

    def _slow(self, data: bytes) -> None:
        self.protocol.receive_data(data)
        self._handle_events()
        self._write_pending()

    def _handle_events(self) -> None:
        for event in self.protocol.events_received():
            if isinstance(event, Frame):
                self._on_frame(event)
            elif isinstance(event, Response):
                self._response = event
                if not self._handshake.done():
                    self._handshake.set_result(None)

    def _on_frame(self, frame: Frame) -> None:
        opcode = frame.opcode
        data = frame.data
        if not isinstance(data, bytes):
            data = bytes(data)
        if opcode is TEXT or opcode is BINARY:
            if not frame.fin:
                self._fragments = [data]
                self._fragment_text = opcode is TEXT
                return
            text = opcode is TEXT
        elif opcode is CONT:
            assert self._fragments is not None  # the parser checks continuation order
            self._fragments.append(data)
            if not frame.fin:
                return
            data = b"".join(self._fragments)
            text = self._fragment_text
            self._fragments = None
        else:
            if opcode is PONG:
                self._keepalive.pong(data)
            return  # PING is answered and CLOSE handled by the protocol itself
        if not self._delivering:
            return
        if text:
            try:
                self._messages.append(data.decode())
            except UnicodeDecodeError as exc:
                if self._started and self._messages:
                    self._deliver()  # those before the bad frame, whatever the read boundaries
                self._fail(CloseCode.INVALID_DATA, f"{exc.reason} at position {exc.start}")
        else:
            self._messages.append(data)

    def _deliver(self) -> None:
        messages, self._messages = self._messages, []
        if not self._delivering:
            return
        try:
            self._on_messages(messages)
        except Exception:  # the handler guards its callbacks; this is a safety net
            log.exception("actorbind socket message handler failed")
            self._fail(CloseCode.INTERNAL_ERROR, "")

    def _fail(self, code: int, reason: str) -> None:
        self._stop_delivering()
        self.protocol.fail(code, reason)
        self._write_pending()

    def _stop_delivering(self) -> None:
        self._delivering = False
        self._messages = []

    def _finish(self) -> None:
        self._stop_delivering()
        if not self._handshake.done():
            self._handshake.set_result(None)
        if not self._closed.done():
            self._closed.set_result(None)


async def open_socket(
    url: str,
    subprotocols: Sequence[str],
    *,
    on_messages: MessageHandler,
    max_size: int | None,
    open_timeout: float | None = 10,
    ping_interval: float | None = 20,
    ping_timeout: float | None = 20,
    close_timeout: float = 5,
) -> Socket:
    """Connect and complete the opening handshake (no compression, no proxy, no redirects).

    Raises websockets' handshake exceptions (``InvalidStatus`` with the response, ...),
    ``OSError`` and ``TimeoutError``: the caller maps them (``map_transport_errors``).
    """
    uri = parse_uri(url)
    protocol = ClientProtocol(
        uri, subprotocols=[Subprotocol(p) for p in subprotocols], max_size=max_size
    )
    protocol.send_request(protocol.connect())
    loop = asyncio.get_running_loop()
    sock = Socket(
        protocol,
        on_messages,
        ping_interval=ping_interval,
        ping_timeout=ping_timeout,
        close_timeout=close_timeout,
    )
    try:
        async with asyncio.timeout(open_timeout):
            if uri.secure:
                context = ssl.create_default_context()
                await loop.create_connection(
                    lambda: sock, uri.host, uri.port, ssl=context, server_hostname=uri.host
                )
            else:
                await loop.create_connection(lambda: sock, uri.host, uri.port)
            await asyncio.shield(sock._handshake)
    except BaseException:
        sock.abort()
        raise
    if protocol.handshake_exc is not None:
        sock.abort()
        raise protocol.handshake_exc
    if sock._response is None:  # defensive: receive_eof() sets handshake_exc
        sock.abort()
        raise InvalidMessage("connection closed during the handshake")
    sock._keepalive.start()
    return sock
