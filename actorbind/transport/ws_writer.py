"""The writing side of :class:`~actorbind.transport.websocket.Socket`: corked sends, data
frames serialized here (masked from :class:`~actorbind.transport.ws_masks.MaskPool`), and what
websockets' protocol queued (pongs, the close frame) with the close handshake's timer.

The first :meth:`FrameWriter.send` of a loop iteration writes at once, later ones in the same
iteration are written together on the next (so 100 actions started at once take 2 writes).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from websockets.client import ClientProtocol
from websockets.protocol import OPEN

from .ws_masks import MaskPool

try:  # websockets' C mask (what its own frames use), else its pure-Python one
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - a websockets build without its C extension
    from websockets.utils import apply_mask

__all__ = ["FrameWriter"]

log = logging.getLogger("actorbind.socket")


class FrameWriter:
    """Writes for one socket. ``transport`` is set once connected; ``fast`` off sends every
    frame through websockets (when this websockets version does not expose what the socket's
    fast paths check); ``on_close_timeout`` runs if the close handshake does not finish."""

    def __init__(
        self,
        protocol: ClientProtocol,
        *,
        fast: bool,
        close_timeout: float,
        on_close_timeout: Callable[[], None],
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._protocol = protocol
        self.fast = fast
        self.transport: asyncio.Transport | None = None
        self._close_timeout = close_timeout
        self._on_close_timeout = on_close_timeout
        self._writes: list[bytes | str] = []
        self._masks = MaskPool()
        self._flush_scheduled = False
        self._close_timer: asyncio.TimerHandle | None = None
        self._lost = False

    def send(self, frames: Sequence[bytes | str]) -> None:
        self._writes.extend(frames)
        if not self._flush_scheduled:
            self.flush()
            self._flush_scheduled = True  # cork until the next iteration
            self._loop.call_soon(self.flush)

    def connection_lost(self) -> None:
        self._lost = True
        if self._close_timer is not None:
            self._close_timer.cancel()
        self._close_timer = None

    def flush(self) -> None:
        self._flush_scheduled = False  # uncork
        writes, self._writes = self._writes, []
        if not writes or self._protocol.state is not OPEN:
            return  # a closed socket drops them: the reader reports the close
        protocol = self._protocol
        transport = self.transport
        if (
            not self.fast
            or protocol.extensions
            or protocol.debug
            or protocol.expect_continuation_frame
            or transport is None
            or transport.is_closing()
        ):
            for frame in writes:
                if isinstance(frame, str):
                    protocol.send_text(frame.encode())
                else:
                    protocol.send_binary(frame)
            self.write_pending()
            return
        # Data frames serialized here, as websockets would (FIN, masked), with masks from a
        # buffered os.urandom pool: websockets makes one getrandom() call per frame.
        self.write_pending()  # what websockets queued (a pong, ...) goes first
        out: list[bytes] = []
        take = self._masks.take
        for frame in writes:
            if isinstance(frame, str):
                data, head = frame.encode(), 0x81
            else:
                data, head = frame, 0x82
            n = len(data)
            if n < 126:
                out.append(bytes((head, 0x80 | n)))
            elif n < 65536:
                out.append(bytes((head, 0xFE)) + n.to_bytes(2, "big"))
            else:
                out.append(bytes((head, 0xFF)) + n.to_bytes(8, "big"))
            mask = take()
            out.append(mask)
            out.append(apply_mask(data, mask))
        transport.write(b"".join(out))

    def write_pending(self) -> None:
        """Write what websockets' protocol queued; start the close timer once a close is due."""
        chunks = self._protocol.data_to_send()
        if self._protocol.close_expected() and self._close_timer is None and not self._lost:
            self._close_timer = self._loop.call_later(self._close_timeout, self._close_timed_out)
        transport = self.transport
        if not chunks or transport is None or transport.is_closing():
            return
        eof = chunks[-1] == b""
        if eof:
            chunks.pop()
        if chunks:
            transport.write(chunks[0] if len(chunks) == 1 else b"".join(chunks))
        if eof:
            if transport.can_write_eof():
                try:
                    transport.write_eof()
                except Exception:  # pragma: no cover - transport specific
                    transport.close()
            else:
                transport.close()

    def _close_timed_out(self) -> None:
        self._close_timer = None
        log.debug("websocket close timed out; aborting the TCP connection")
        self._on_close_timeout()
