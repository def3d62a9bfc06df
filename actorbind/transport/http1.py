"""A keep-alive HTTP/1.1 client for plain ``http://``: h11 driven from an :class:`asyncio.Protocol`.

Used by :class:`~actorbind.transport.Transport` for stateless actions and management calls.
h11 (httpcore's HTTP/1.1 engine) does the framing both ways; this module does the I/O: one
``transport.write()`` per request, replies parsed in ``data_received``, and the awaiting
coroutine woken once, when the whole reply is in (httpx's pool costs several times the CPU).

Delivery: a request is sent again (once, on a fresh connection) only when not one byte of it
was written, i.e. a pooled connection was seen closed before use, or, for ``GET``/``HEAD``
only, a reused connection died before the first reply byte. Any other failure after the write
of a non-idempotent request raises :class:`~actorbind.OutcomeUnknown`: it may have been applied.

Bounds: every reply's head (``max_head``) and body (``max_body``) are limited, and one deadline
(``timeout``) covers connect, write, head and body of a call, however slowly bytes arrive.

Scope, deliberately small: no TLS, proxies, redirects, cookies, ``Expect``, pipelining or
streaming. Anything outside it (``https://``, user info in the URL, characters httpx would
percent-encode, framing headers set by the caller, header values h11 refuses) is for httpx:
:meth:`HTTP1Pool.request` returns ``None`` then, having sent nothing. Error messages never
hold the URL (it may carry a token).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import re
import select
import socket
from collections.abc import Mapping

import h11
import httpx

from ..protocol.errors import OutcomeUnknown, TransportError

__all__ = ["DEFAULT_MAX_BODY", "DEFAULT_MAX_HEAD", "HTTP1Pool", "Response", "split_url"]

CONNECT_TIMEOUT = 10.0
# Below the keep-alive timeouts of common servers (uvicorn and Node: 5 s), as undici's 4 s: an
# idle connection is closed by us before the server closes it under a request being written.
IDLE_TIMEOUT = 4.0
# RivetKit refuses to send an action reply over 1 MiB (``maxOutgoingMessageSize``); 4 MiB
# leaves room for other servers' encodings and management listings. Heads: 4x Node's 16 KiB.
DEFAULT_MAX_BODY = 4 * 1024 * 1024
DEFAULT_MAX_HEAD = 64 * 1024

# What httpx sends unchanged in a path or query; anything else it would percent-encode (or
# reject), so such URLs go through httpx. Dot segments ("/./", "/../") httpx would remove.
_TARGET = re.compile(r"/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*")
_AUTHORITY = re.compile(r"([A-Za-z0-9\-._~]+|\[([0-9A-Fa-f:.]+)\])(?::([0-9]{1,5}))?")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Request headers this module writes itself; a caller setting one goes through httpx.
_RESERVED = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "expect", "upgrade", "te"}
)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_IDEMPOTENT = frozenset({"GET", "HEAD"})  # may be sent again after a silent reused connection
_REQUEST_CACHE = 256  # validated requests kept for reuse
_SENT = "; the request was sent, so it may have been applied (it is not sent again)"

# Why a request failed, as :class:`_Connection` reports it to the pool.
_CLOSED, _TIMEOUT, _PROTOCOL, _LIMIT, _ABORTED = range(5)


class _Unsupported(Exception):
    """The request needs something this client does not do (internal)."""


class _Failed(Exception):
    """A request failed on its connection (internal); ``replied``: a reply byte had come."""

    def __init__(self, kind: int, message: str, replied: bool) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.replied = replied


def split_url(url: str) -> tuple[str, int, str, str] | None:
    """``(host, port, host header, request target)`` of a plain ``http://`` URL, or ``None``
    if this client should not send it (see the module docstring)."""
    if not url.startswith("http://") or not url.isascii():
        return None
    slash = url.find("/", 7)
    if slash < 0:
        authority, target = url[7:], "/"
    else:
        authority, target = url[7:slash], url[slash:]
    hash_at = target.find("#")
    if hash_at >= 0:
        target = target[:hash_at]
    m = _AUTHORITY.fullmatch(authority)
    if m is None or _TARGET.fullmatch(target) is None:
        return None
    query_at = target.find("?")
    if "/." in (target if query_at < 0 else target[:query_at]):
        return None
    name, ipv6, port_text = m.groups()
    host = ipv6 or name
    port = 80 if port_text is None else int(port_text)
    if not 0 < port < 65536:
        return None
    if port == 80:
        authority = name  # as httpx: no default port in the host header
    return host.lower(), port, authority.lower(), target


class Response(httpx.Response):
    """An :class:`httpx.Response` built from a reply this module read; its ``request`` is
    made on first use (building an :class:`httpx.Request` costs more than the reply)."""

    def __init__(
        self,
        reply: _Reply,
        *,
        elapsed: float,
        request: tuple[str, str, Mapping[str, str], bytes | None],
    ) -> None:
        super().__init__(
            reply.status,
            headers=reply.headers,
            stream=httpx.ByteStream(reply.body),
            extensions={"http_version": reply.version, "reason_phrase": reply.reason},
        )
        if reply.encoded:
            self.read()  # content-encoding: httpx decodes it
        else:  # what read() leaves, without its decoder pipeline
            self._content = reply.body
            self.is_stream_consumed = True
            self.is_closed = True
        self._elapsed = datetime.timedelta(seconds=elapsed)
        self._lazy_request = request

    @property
    def request(self) -> httpx.Request:
        if self._request is None:
            method, url, headers, content = self._lazy_request
            self._request = httpx.Request(method, url, headers=headers, content=content)
        return self._request

    @request.setter
    def request(self, value: httpx.Request) -> None:
        self._request = value


class _Reply:
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


class _Connection(asyncio.Protocol):
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

    def __init__(self, loop: asyncio.AbstractEventLoop, max_head: int, max_body: int) -> None:
        self._loop = loop
        self._max_head = max_head
        self._max_body = max_body
        self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=max_head)
        self.transport: asyncio.WriteTransport | None = None
        self.fd = -1
        self.closed: asyncio.Future[None] = loop.create_future()
        self.lost = False
        self.aborted = False
        self.idle_since = 0.0
        self._waiter: asyncio.Future[_Reply] | None = None
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
            self._fail(_ABORTED, "the connection was closed by the client")
            return
        if exc is not None:
            detail = _os_message(exc)
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
        self._fail(_CLOSED, detail)

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
                self._fail(_LIMIT, self._head_too_long())
            else:
                self._fail(_PROTOCOL, f"RemoteProtocolError: {exc}")
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
                    self._fail(_LIMIT, self._body_too_long())
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
                self._fail(_LIMIT, self._head_too_long())
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
            self._fail(_LIMIT, self._body_too_long(length))
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
            waiter.set_result(_Reply(response, self._encoded, bytes(joined), reusable))

    def _fail(self, kind: int, message: str) -> None:
        self._cancel_timer()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(_Failed(kind, message, self._replied))

    # --- timers -----------------------------------------------------------------------

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_deadline(self) -> None:
        self._timer = None
        self._fail(_TIMEOUT, "timed out")
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
        self, request: h11.Request, content: bytes | None, deadline: float | None
    ) -> asyncio.Future[_Reply]:
        """Write the whole request at once; the future gets the reply or a :class:`_Failed`."""
        h = self._h11
        data = h.send(request)
        if content:
            data += h.send(h11.Data(data=content))
        h.send(h11.EndOfMessage())
        loop = self._loop
        waiter: asyncio.Future[_Reply] = loop.create_future()
        self._waiter = waiter
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


def _os_message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"[Errno {exc.errno}] {exc.strerror}"
    return type(exc).__name__


def _error(what: str, failure: _Failed, method: str) -> TransportError:
    """The public error for a request that failed after it was written."""
    if method in _IDEMPOTENT:
        return TransportError(f"{what}: {failure.message}")
    return OutcomeUnknown(f"{what}: {failure.message}{_SENT}")


class HTTP1Pool:
    """Keep-alive connections per ``(host, port)``, most recently used first; no limit on
    how many (a request finding none idle opens one). Idle ones close after
    ``idle_timeout`` seconds, all of them on :meth:`aclose`. One event loop per pool.

    ``timeout`` (seconds, ``None``: none) bounds each call from connect to the reply's last
    byte; ``max_head``/``max_body`` bound each reply's head and body (bytes).
    """

    def __init__(
        self,
        *,
        timeout: float | None,
        max_head: int = DEFAULT_MAX_HEAD,
        max_body: int = DEFAULT_MAX_BODY,
        connect_timeout: float = CONNECT_TIMEOUT,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        self._timeout = timeout
        self._max_head = max_head
        self._max_body = max_body
        self._connect_timeout = connect_timeout
        self._idle_timeout = idle_timeout
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._conns: set[_Connection] = set()
        self._sweeper: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._requests: dict[tuple[object, ...], tuple[str, int, h11.Request]] = {}

    @property
    def connection_count(self) -> int:
        """Open connections, idle or busy (for tests)."""
        return len(self._conns)

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        content: bytes | None,
        what: str = "HTTP request",
    ) -> Response | None:
        """Send one request and read the whole reply; ``None`` (and nothing sent) if this
        client does not do what the request needs: send it with httpx.

        Raises:
            OutcomeUnknown: a non-idempotent request was written and then failed.
            TransportError: any other failure (connect, timeout, limit, malformed reply).
            UnicodeEncodeError: a header is not ASCII (as with httpx).
        """
        # h11 validates every header of a new Request (about half of its cost per call); a
        # Request is immutable, so the same call made again reuses the one built before.
        cache_key = (method, url, len(content) if content else 0, *headers.items())
        cached = self._requests.get(cache_key)
        if cached is None:
            where = split_url(url)
            if where is None:
                return None
            host, port, host_header, target = where
            try:
                request = self._encode(method, target, host_header, headers, content)
            except _Unsupported:
                return None
            if len(self._requests) >= _REQUEST_CACHE:
                self._requests.clear()
            self._requests[cache_key] = (host, port, request)
        else:
            host, port, request = cached
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._rebind(loop)
        key = (host, port)
        started = loop.time()
        deadline = None if self._timeout is None else started + self._timeout
        retried = False
        while True:
            conn = self._checkout(key)
            reused = conn is not None
            if conn is None:
                conn = await self._connect(loop, key, deadline, what)
            try:
                reply = await conn.send(request, content, deadline)
            except _Failed as failure:
                self._drop(conn)
                if (
                    failure.kind == _CLOSED
                    and reused
                    and not failure.replied
                    and not retried
                    and method in _IDEMPOTENT
                    and not self._closed
                ):
                    retried = True  # the server closed it while idle (keep-alive race)
                    continue
                raise _error(what, failure, method) from None
            except BaseException:
                self._drop(conn)
                raise
            break
        if reply.reusable and not self._closed and not conn.lost:
            conn.idle_since = loop.time()
            idle = self._idle.get(key)
            if idle is None:
                self._idle[key] = [conn]
            else:
                idle.append(conn)
            if self._sweeper is None:
                self._sweeper = loop.call_later(self._idle_timeout / 2, self._sweep)
        else:
            self._drop(conn)
        return Response(
            reply, elapsed=loop.time() - started, request=(method, url, headers, content)
        )

    def _encode(
        self,
        method: str,
        target: str,
        host_header: str,
        headers: Mapping[str, str],
        content: bytes | None,
    ) -> h11.Request:
        fields = [("host", host_header)]
        for name, value in headers.items():
            if name.lower() in _RESERVED or _TOKEN.fullmatch(name) is None:
                raise _Unsupported(name)  # httpx writes or rejects it
            fields.append((name, value))
        if content:
            fields.append(("content-length", str(len(content))))
        elif method in _BODY_METHODS:
            fields.append(("content-length", "0"))
        try:
            return h11.Request(method=method, target=target, headers=fields)
        except h11.LocalProtocolError:
            raise _Unsupported(method) from None  # e.g. CR/LF in a value: httpx rejects it

    def _checkout(self, key: tuple[str, int]) -> _Connection | None:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if conn.usable():
                return conn
            self._drop(conn)  # seen closed before one byte was written to it
        return None

    async def _connect(
        self,
        loop: asyncio.AbstractEventLoop,
        key: tuple[str, int],
        deadline: float | None,
        what: str,
    ) -> _Connection:
        host, port = key
        max_head, max_body = self._max_head, self._max_body
        limit = loop.time() + self._connect_timeout
        if deadline is not None:
            limit = min(limit, deadline)
        try:
            async with asyncio.timeout_at(limit):
                _, protocol = await loop.create_connection(
                    lambda: _Connection(loop, max_head, max_body), host, port
                )
        except TimeoutError:
            raise TransportError(f"{what}: timed out") from None
        except OSError as exc:
            message = str(exc) or type(exc).__name__
            if "://" in message:  # never a URL (a token) in a message
                message = type(exc).__name__
            raise TransportError(f"{what}: ConnectError: {message}") from exc
        self._conns.add(protocol)
        return protocol

    def _drop(self, conn: _Connection) -> None:
        conn.abort()
        self._conns.discard(conn)

    def _sweep(self) -> None:
        self._sweeper = None
        loop = self._loop
        if loop is None or self._closed:
            return
        cutoff = loop.time() - self._idle_timeout
        left = False
        for key, idle in list(self._idle.items()):
            # Oldest first: a stack's bottom was released the longest time ago.
            n = 0
            while n < len(idle) and (idle[n].idle_since <= cutoff or idle[n].lost):
                n += 1
            for conn in idle[:n]:
                self._drop(conn)
            del idle[:n]
            if idle:
                left = True
            else:
                del self._idle[key]
        if left:
            self._sweeper = loop.call_later(self._idle_timeout / 2, self._sweep)

    def _rebind(self, loop: asyncio.AbstractEventLoop) -> None:
        # Connections belong to the loop that opened them: a pool used from a new loop
        # (a closed one's successor) starts over.
        old = list(self._conns)
        self._conns.clear()
        self._idle.clear()
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for conn in old:
            with contextlib.suppress(Exception):
                conn.abort()
        self._loop = loop

    async def aclose(self) -> None:
        """Close every connection (busy ones too: their requests fail) and wait until the
        sockets are closed."""
        self._closed = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        conns = list(self._conns)
        self._conns.clear()
        self._idle.clear()
        for conn in conns:
            conn.abort()
        pending = [c.closed for c in conns if not c.closed.done()]
        if pending:
            await asyncio.wait(pending, timeout=1.0)
