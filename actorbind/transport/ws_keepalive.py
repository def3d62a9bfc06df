"""Keepalive pings for :class:`~actorbind.transport.websocket.Socket`: a ping every interval,
the socket failed (1011) if its pong does not come back within the timeout."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable

from websockets.client import ClientProtocol
from websockets.frames import CloseCode
from websockets.protocol import OPEN

__all__ = ["Keepalive"]

log = logging.getLogger("actorbind.socket")


class Keepalive:
    """The ping/pong timers of one socket; ``write`` sends what the protocol queued,
    ``fail`` fails the socket."""

    def __init__(
        self,
        protocol: ClientProtocol,
        *,
        interval: float | None,
        timeout: float | None,
        write: Callable[[], None],
        fail: Callable[[int, str], None],
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._protocol = protocol
        self._interval = interval
        self._timeout = timeout
        self._write = write
        self._fail = fail
        self._payload: bytes | None = None
        self._ping_timer: asyncio.TimerHandle | None = None
        self._pong_timer: asyncio.TimerHandle | None = None
        self._stopped = False

    def start(self) -> None:
        if self._interval is not None and not self._stopped:
            self._ping_timer = self._loop.call_later(self._interval, self._ping)

    def stop(self) -> None:
        """For good (the connection is lost)."""
        self._stopped = True
        for timer in (self._ping_timer, self._pong_timer):
            if timer is not None:
                timer.cancel()
        self._ping_timer = self._pong_timer = None

    def pong(self, data: bytes) -> None:
        """A pong came in; only the one for our ping counts."""
        if data != self._payload:
            return
        self._payload = None
        if self._pong_timer is not None:
            self._pong_timer.cancel()
            self._pong_timer = None
            self.start()

    def _ping(self) -> None:
        self._ping_timer = None
        if self._protocol.state is not OPEN:
            return
        self._payload = os.urandom(4)
        self._protocol.send_ping(self._payload)
        self._write()
        if self._timeout is not None:
            self._pong_timer = self._loop.call_later(self._timeout, self._pong_timed_out)
        else:
            self.start()

    def _pong_timed_out(self) -> None:
        self._pong_timer = None
        if self._protocol.state is OPEN:
            log.debug("keepalive ping timeout; failing the websocket")
            self._fail(CloseCode.INTERNAL_ERROR, "keepalive ping timeout")
