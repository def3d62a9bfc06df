"""One keep-alive HTTP/1.1 connection of :class:`~actorbind.transport.http1.HTTP1Pool`: h11
driven from an :class:`asyncio.Protocol`, one request at a time, the caller woken once when the
whole reply is in (or with a :class:`Failed` saying why not)."""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket

import h11
import httpx

__all__ = [
    "ABORTED",
    "CLOSED",
    "LIMIT",
    "PROTOCOL",
    "TIMEOUT",
    "Connection",
    "Failed",
    "Reply",
    "os_message",
]

# Why a request failed, as :class:`Connection` reports it to the pool.
CLOSED, TIMEOUT, PROTOCOL, LIMIT, ABORTED = range(5)


class Failed(Exception):
    """A request failed on its connection (internal); ``replied``: a reply byte had come."""

    def __init__(self, kind: int, message: str, replied: bool) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.replied = replied


class Reply:
    __slots__ = ("body", "encoded", "headers", "reason", "reusable", "status", "version")

    def __init__(self, response: h11.Response, encoded: bool, body: bytes, reusable: bool) -> None:
        self.status = response.status_code
        self.reason = response.reason
        self.version = b"HTTP/" + response.http_version
        # h11 keeps (name, lower-case name, value) triples, httpx.Headers' own layout: shared
        # as they are, not normalised again (both lists are never mutated).
        headers = httpx.Headers.__new__(httpx.Headers)
        headers._list = response.headers._full_items
        headers._encoding = None
        self.headers = headers
        self.encoded = encoded
        self.body = body
        self.reusable = reusable


class Connection(asyncio.Protocol):
    """One TCP connection and its h11 state; at most one request in flight."""

    __slots__ = (
        "_body",
        "_encoded",
        "_fed",
        "_h11",
        "_head_only",
        "_loop",
        "_max_body",
        "_max_head",
        "_replied",
        "_response",
        "_size",
        "_timer",
        "_waiter",
        "aborted",
        "closed",
        "fd",
        "idle_since",
        "lost",
        "transport",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop, max_head: int) -> None:
        self._loop = loop
        self._max_head = max_head
        self._max_body = 0  # the request's, set by send()
        self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=max_head)
        self.transport: asyncio.WriteTransport | None = None
        self.fd = -1
        self.closed: asyncio.Future[None] = loop.create_future()
        self.lost = False
        self.aborted = False
        self.idle_since = 0.0
        self._waiter: asyncio.Future[Reply] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._response: h11.Response | None = None
        self._body: list[bytes] = []
        self._size = 0
        self._fed = 0
        self._replied = False
        self._head_only = False
        self._encoded = False

    # --- asyncio.Protocol -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Any write transport (uvloop's is not an asyncio.Transport subclass).
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError, AttributeError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.fd = sock.fileno()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.closed.done():
            self.closed.set_result(None)
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self.aborted:
            self._fail(ABORTED, "the connection was closed by the client")
            return
        if exc is not None:
            detail = os_message(exc)
        elif not self._replied:
            detail = "the server closed the connection without a reply"
        else:
            detail = "the server closed the connection in the middle of the reply"
            if self._response is not None:
                # EOF ends a body that runs to the end of the connection (HTTP/1.0, no length).
                try:
                    self._h11.receive_data(b"")
                    self._events()
                except h11.RemoteProtocolError as error:
                    detail += f" ({error})"
                if waiter.done():
                    return
        self._fail(CLOSED, detail)

    def eof_received(self) -> bool:
        return False  # close our side too; connection_lost follows

    def data_received(self, data: bytes) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            # Bytes nobody asked for (or after a failure): the connection is out of sync.
            self.abort()
            return
        self._replied = True
        if self._response is None:
            self._fed += len(data)
        try:
            self._h11.receive_data(data)
            self._events()
        except h11.RemoteProtocolError as exc:
            if self._response is None and exc.error_status_hint == 431:
                self._fail(LIMIT, self._head_too_long())
            else:
                self._fail(PROTOCOL, f"RemoteProtocolError: {exc}")
            self.abort()

    # --- parsing ----------------------------------------------------------------------

    def _events(self) -> None:
        h = self._h11
        while True:
            event = h.next_event()
            kind = type(event)
            if kind is h11.Data:
                data: bytes = event.data  # type: ignore[union-attr]
                size = self._size + len(data)
                if size > self._max_body:
                    self._fail(LIMIT, self._body_too_long())
                    self.abort()
                    return
                self._size = size
                self._body.append(data)
            elif kind is h11.Response:
                if not self._on_head(event):  # type: ignore[arg-type]
                    return
            elif kind is h11.EndOfMessage:
                self._complete()
                return
            elif event is h11.NEED_DATA:
                return
            elif kind is h11.InformationalResponse:
                continue  # 1xx: the real reply follows (h11 refuses an unasked-for 101)
            else:  # ConnectionClosed, PAUSED
                return

    def _on_head(self, response: h11.Response) -> bool:
        self._response = response
        if self._fed > self._max_head:  # a whole head may come in one read: measure it
            head = self._fed - len(self._h11.trailing_data[0])
            if head > self._max_head:
                self._fail(LIMIT, self._head_too_long())
                self.abort()
                return False
        encoded = False
        length = -1
        for _, name, value in response.headers._full_items:
            if name == b"content-length":
                length = int(value)  # h11 checked it
            elif name == b"content-encoding" and value and value.lower() != b"identity":
                encoded = True
        self._encoded = encoded
        if length > self._max_body and not (self._head_only or response.status_code in (204, 304)):
            # Refused before the body comes: no memory spent on it.
            self._fail(LIMIT, self._body_too_long(length))
            self.abort()
            return False
        return True

    def _head_too_long(self) -> str:
        return f"the reply's head is over the limit of {self._max_head} bytes"

    def _body_too_long(self, size: int | None = None) -> str:
        said = "" if size is None else f" ({size} bytes)"
        return f"the reply's body{said} is over the limit of {self._max_body} bytes"

    def _complete(self) -> None:
        h = self._h11
        reusable = h.our_state is h11.DONE and h.their_state is h11.DONE
        if reusable and h.trailing_data[0]:
            reusable = False  # more bytes than one reply: out of sync
        if reusable:
            h.start_next_cycle()
        body = self._body
        response = self._response
        assert response is not None
        self._cancel_timer()
        self._body = []
        self._response = None
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            joined = body[0] if len(body) == 1 else b"".join(body)
            waiter.set_result(Reply(response, self._encoded, bytes(joined), reusable))

    def _fail(self, kind: int, message: str) -> None:
        self._cancel_timer()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(Failed(kind, message, self._replied))

    # --- timers -----------------------------------------------------------------------

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_deadline(self) -> None:
        self._timer = None
        self._fail(TIMEOUT, "timed out")
        self.abort()

    # --- use --------------------------------------------------------------------------

    def usable(self) -> bool:
        """Open, idle, and with nothing to read: a readable idle socket holds the server's
        EOF (or bytes nobody asked for), which the loop may not have delivered yet."""
        transport = self.transport
        if self.lost or transport is None or transport.is_closing():
            return False
        if self.fd >= 0:
            try:
                readable, _, _ = select.select((self.fd,), (), (), 0)
            except (OSError, ValueError):
                return False
            if readable:
                return False
        return True

    def send(
        self, request: h11.Request, content: bytes | None, deadline: float | None, max_body: int
    ) -> asyncio.Future[Reply]:
        """Write the whole request at once; the future gets the reply or a :class:`Failed`."""
        h = self._h11
        data = h.send(request)
        if content:
            data += h.send(h11.Data(data=content))
        h.send(h11.EndOfMessage())
        loop = self._loop
        waiter: asyncio.Future[Reply] = loop.create_future()
        self._waiter = waiter
        self._max_body = max_body
        self._replied = False
        self._head_only = request.method == b"HEAD"
        self._fed = 0
        self._size = 0
        if deadline is not None:
            self._timer = loop.call_at(deadline, self._on_deadline)
        assert self.transport is not None
        self.transport.write(data)
        return waiter

    def abort(self) -> None:
        self._cancel_timer()
        if self.transport is not None and not self.lost and not self.aborted:
            self.aborted = True
            self.transport.abort()


def os_message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"[Errno {exc.errno}] {exc.strerror}"
    return type(exc).__name__
