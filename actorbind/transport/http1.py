"""A small HTTP/1.1 keep-alive client on :class:`asyncio.Protocol`, for plain ``http://``.

Used by :class:`~actorbind.transport.Transport` for stateless actions and management calls:
httpx's connection pool costs several times the CPU of the request itself (a scan of every
connection per request, a ``getpeername`` per idle connection, two socket writes per request).
This client does one ``transport.write()`` per request and parses the reply in
``data_received``; the awaiting coroutine wakes once, when the whole reply is in.

Scope, deliberately small: no TLS, proxies, redirects, cookies, compression, ``Expect``,
pipelining or streaming. Anything outside it (``https://``, user info in the URL, characters
httpx would percent-encode, framing headers set by the caller) is for httpx:
:meth:`HTTP1Pool.request` returns ``None`` then, having sent nothing.

Failures raise httpx's exception types (``ConnectError``, ``ReadTimeout``,
``RemoteProtocolError``, ...) with messages that never hold the URL, so the caller maps them
exactly as it maps httpx's own (``map_transport_errors``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import re
import socket
from collections.abc import Mapping

import httpx

__all__ = ["HTTP1Pool", "Response", "split_url"]

CONNECT_TIMEOUT = 10.0
IDLE_TIMEOUT = 30.0
# A reused connection that ends with no reply byte within this many seconds of the request
# was closed by the server while idle (keep-alive race): the request is sent again, once.
STALE_WINDOW = 1.0
MAX_HEAD = 64 * 1024

# What httpx sends unchanged in a path or query; anything else it would percent-encode (or
# reject), so such URLs go through httpx. Dot segments ("/./", "/../") httpx would remove.
_TARGET = re.compile(r"/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*")
_AUTHORITY = re.compile(r"([A-Za-z0-9\-._~]+|\[([0-9A-Fa-f:.]+)\])(?::([0-9]{1,5}))?")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TOKEN_BYTES = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FRAMING = frozenset({b"content-length", b"transfer-encoding", b"connection", b"content-encoding"})
_NAMES: dict[bytes, bytes] = {}  # reply header names seen (valid ones) -> lower case
# Request headers this module writes itself; a caller setting one goes through httpx.
_RESERVED = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "expect", "upgrade", "te"}
)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

_NO_HEADERS = httpx.Headers()
_HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _TRAILERS, _UNTIL_EOF = range(6)


class Unsupported(Exception):
    """The request needs something this client does not do (internal)."""


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
        status: int,
        headers: httpx.Headers,
        content: bytes,
        *,
        encoded: bool,
        http_version: bytes,
        reason: bytes,
        elapsed: float,
        request: tuple[str, str, Mapping[str, str], bytes | None],
    ) -> None:
        super().__init__(
            status,
            headers=headers,
            stream=httpx.ByteStream(content),
            extensions={"http_version": http_version, "reason_phrase": reason},
        )
        if encoded:
            self.read()  # content-encoding: httpx decodes it
        else:  # what read() leaves, without its decoder pipeline
            self._content = content
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
    __slots__ = ("body", "encoded", "headers", "keep_alive", "reason", "status", "version")

    def __init__(
        self,
        status: int,
        reason: bytes,
        version: bytes,
        headers: httpx.Headers,
        encoded: bool,
        body: bytes,
        keep_alive: bool,
    ) -> None:
        self.status = status
        self.reason = reason
        self.version = version
        self.headers = headers
        self.encoded = encoded
        self.body = body
        self.keep_alive = keep_alive


class _Connection(asyncio.Protocol):
    """One TCP connection; at most one request in flight."""

    __slots__ = (
        "_body",
        "_buf",
        "_encoded",
        "_head_only",
        "_headers",
        "_keep_alive",
        "_last_rx",
        "_loop",
        "_need",
        "_read_timeout",
        "_reason",
        "_received",
        "_sent_at",
        "_state",
        "_status",
        "_timer",
        "_version",
        "_waiter",
        "aborted",
        "closed",
        "idle_since",
        "key",
        "lost",
        "stale",
        "transport",
        "uses",
    )

    def __init__(
        self, loop: asyncio.AbstractEventLoop, key: tuple[str, int], read_timeout: float | None
    ) -> None:
        self._loop = loop
        self.key = key
        self._read_timeout = read_timeout
        self.transport: asyncio.Transport | None = None
        self.closed: asyncio.Future[None] = loop.create_future()
        self.lost = False
        self.aborted = False
        self.stale = False
        self.uses = 0
        self.idle_since = 0.0
        self._waiter: asyncio.Future[_Reply] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._buf = bytearray()
        self._body: list[bytes] = []
        self._state = _HEAD
        self._need = 0
        self._received = False
        self._sent_at = 0.0
        self._last_rx = 0.0
        self._head_only = False
        self._status = 0
        self._reason = b""
        self._version = b""
        self._headers = _NO_HEADERS
        self._encoded = False
        self._keep_alive = True

    # --- asyncio.Protocol -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.closed.done():
            self.closed.set_result(None)
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self.aborted:
            self._fail(httpx.ReadError("the connection was closed by the client"))
            return
        if self._state == _UNTIL_EOF and exc is None:
            self._finish(b"".join(self._body), keep_alive=False)
            return
        if not self._received:
            # A reused connection that the server closed (EOF or reset) before any byte of
            # a reply, right after we wrote: it had closed it while idle (keep-alive race).
            self.stale = (
                self.uses > 1
                and (exc is None or isinstance(exc, ConnectionError))
                and self._loop.time() - self._sent_at < STALE_WINDOW
            )
            error: httpx.TransportError = (
                httpx.RemoteProtocolError("Server disconnected without sending a response.")
                if exc is None
                else httpx.ReadError(_os_message(exc))
            )
        elif exc is not None:
            error = httpx.ReadError(_os_message(exc))
        elif self._state == _LENGTH:
            got = sum(map(len, self._body))
            error = httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body "
                f"(received {got} bytes, expected {got + self._need})"
            )
        elif self._state == _HEAD:
            error = httpx.RemoteProtocolError("peer closed connection in the middle of a reply")
        else:
            error = httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body "
                "(incomplete chunked read)"
            )
        self._fail(error)

    def eof_received(self) -> bool:
        return False  # close our side too; connection_lost follows

    def data_received(self, data: bytes) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            # Bytes nobody asked for (or after a timeout): the connection is out of sync.
            self.abort()
            return
        self._received = True
        if self._read_timeout is not None:
            self._last_rx = self._loop.time()
        buf = self._buf
        buf += data
        try:
            self._parse(buf)
        except httpx.RemoteProtocolError as exc:
            self._fail(exc)
            self.abort()

    # --- parsing ----------------------------------------------------------------------

    def _parse(self, buf: bytearray) -> None:
        while True:
            state = self._state
            if state == _HEAD:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(buf) > MAX_HEAD:
                        raise httpx.RemoteProtocolError("the reply's header section is too long")
                    return
                head = bytes(buf[:end])
                del buf[: end + 4]
                if not self._parse_head(head):
                    continue  # an interim (1xx) reply: the real one follows
            elif state == _LENGTH:
                need = self._need
                if len(buf) < need:
                    if buf:
                        self._body.append(bytes(buf))
                        self._need = need - len(buf)
                        buf.clear()
                    return
                self._body.append(bytes(buf[:need]))
                del buf[:need]
                self._complete(buf)
                return
            elif state == _CHUNK_SIZE:
                end = buf.find(b"\r\n")
                if end < 0:
                    if len(buf) > 1024:
                        raise httpx.RemoteProtocolError("bad chunk size line")
                    return
                size_text = bytes(buf[:end]).split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise httpx.RemoteProtocolError("bad chunk size line") from None
                if size < 0 or not size_text.isalnum():
                    raise httpx.RemoteProtocolError("bad chunk size line")
                del buf[: end + 2]
                if size == 0:
                    self._state = _TRAILERS
                else:
                    self._state = _CHUNK_DATA
                    self._need = size
            elif state == _CHUNK_DATA:
                need = self._need
                if len(buf) < need + 2:
                    if len(buf) > need:
                        return
                    if buf:
                        self._body.append(bytes(buf))
                        self._need = need - len(buf)
                        buf.clear()
                    return
                if buf[need : need + 2] != b"\r\n":
                    raise httpx.RemoteProtocolError("a chunk does not end with CRLF")
                self._body.append(bytes(buf[:need]))
                del buf[: need + 2]
                self._state = _CHUNK_SIZE
            elif state == _TRAILERS:
                if buf[:2] == b"\r\n":
                    del buf[:2]
                else:
                    end = buf.find(b"\r\n\r\n")
                    if end < 0:
                        if len(buf) > MAX_HEAD:
                            raise httpx.RemoteProtocolError("the trailer section is too long")
                        return
                    del buf[: end + 4]
                self._complete(buf)
                return
            else:  # _UNTIL_EOF
                if buf:
                    self._body.append(bytes(buf))
                    buf.clear()
                return

    def _parse_head(self, head: bytes) -> bool:
        """Take in a reply's head; ``False`` for an interim (1xx) one, to be skipped."""
        lines = head.split(b"\r\n")
        version, _, rest = lines[0].partition(b" ")
        status_text, _, reason = rest.partition(b" ")
        if version not in (b"HTTP/1.1", b"HTTP/1.0") or len(status_text) != 3:
            raise httpx.RemoteProtocolError("malformed status line")
        try:
            status = int(status_text)
        except ValueError:
            raise httpx.RemoteProtocolError("malformed status line") from None
        if status < 100:
            raise httpx.RemoteProtocolError("malformed status line")
        # httpx.Headers' own layout, (name, lower-case name, value): made here, it is not
        # normalised again (httpx.Headers(headers) copies the list).
        fields: list[tuple[bytes, bytes, bytes]] = []
        length: bytes | None = None
        chunked = False
        encoded = False
        keep_alive = version == b"HTTP/1.1"
        names = _NAMES
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            lname = names.get(name)
            if lname is None or not colon:
                if not colon or _TOKEN_BYTES.fullmatch(name) is None:
                    raise httpx.RemoteProtocolError("malformed header line")
                lname = name.lower()
                if len(names) < 1024:
                    names[name] = lname
            value = value.strip(b" \t")
            fields.append((name, lname, value))
            if lname not in _FRAMING:
                continue
            if lname == b"content-length":
                if length is not None and length != value:
                    raise httpx.RemoteProtocolError("conflicting content-length headers")
                length = value
            elif lname == b"transfer-encoding":
                chunked = value.lower().rsplit(b",", 1)[-1].strip() == b"chunked"
                if not chunked:
                    raise httpx.RemoteProtocolError("unsupported transfer-encoding")
            elif lname == b"connection":
                if b"close" in value.lower():
                    keep_alive = False
            elif value and value.lower() != b"identity":  # content-encoding
                encoded = True
        if 100 <= status < 200:
            if status == 101:
                raise httpx.RemoteProtocolError("unexpected protocol switch")
            return False
        self._status = status
        self._reason = reason
        self._version = version
        headers = httpx.Headers.__new__(httpx.Headers)
        headers._list = fields
        headers._encoding = "ascii" if head.isascii() else None
        self._headers = headers
        self._encoded = encoded
        self._keep_alive = keep_alive
        if self._head_only or status in (204, 304):
            self._state = _LENGTH
            self._need = 0
        elif chunked:
            self._state = _CHUNK_SIZE
        elif length is not None:
            if not length.isdigit():
                raise httpx.RemoteProtocolError("bad content-length")
            self._state = _LENGTH
            self._need = int(length)
        else:
            self._state = _UNTIL_EOF
            self._keep_alive = False
        return True

    def _complete(self, rest: bytearray) -> None:
        body = self._body[0] if len(self._body) == 1 else b"".join(self._body)
        keep_alive = self._keep_alive
        if rest:
            keep_alive = False  # more than one reply: out of sync
        self._finish(body, keep_alive=keep_alive)
        if not keep_alive:
            self.abort()

    def _finish(self, body: bytes, *, keep_alive: bool) -> None:
        waiter = self._waiter
        self._cancel_timer()
        self._body = []
        if waiter is not None and not waiter.done():
            waiter.set_result(
                _Reply(
                    self._status,
                    self._reason,
                    self._version,
                    self._headers,
                    self._encoded,
                    body,
                    keep_alive,
                )
            )

    def _fail(self, error: BaseException) -> None:
        self._cancel_timer()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    # --- timers -----------------------------------------------------------------------

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_timer(self) -> None:
        self._timer = None
        timeout = self._read_timeout
        assert timeout is not None
        due = self._last_rx + timeout
        if self._loop.time() < due:  # bytes came in since: wait for the rest
            self._timer = self._loop.call_at(due, self._on_timer)
            return
        self._fail(httpx.ReadTimeout("timed out"))
        self.abort()

    # --- use --------------------------------------------------------------------------

    def usable(self) -> bool:
        transport = self.transport
        return not self.lost and transport is not None and not transport.is_closing()

    def send(self, data: bytes, head_only: bool) -> asyncio.Future[_Reply]:
        loop = self._loop
        waiter: asyncio.Future[_Reply] = loop.create_future()
        self._waiter = waiter
        self._state = _HEAD
        self._received = False
        self._head_only = head_only
        self._buf.clear()
        self._body = []
        self.uses += 1
        now = loop.time()
        self._sent_at = now
        if self._read_timeout is not None:
            self._last_rx = now
            self._timer = loop.call_at(now + self._read_timeout, self._on_timer)
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


class HTTP1Pool:
    """Keep-alive connections per ``(host, port)``, most recently used first; no limit on
    how many (a request finding none idle opens one). Idle ones close after
    ``idle_timeout`` seconds, all of them on :meth:`aclose`. One event loop per pool."""

    def __init__(
        self,
        *,
        read_timeout: float | None,
        connect_timeout: float = CONNECT_TIMEOUT,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._idle_timeout = idle_timeout
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._conns: set[_Connection] = set()
        self._sweeper: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._reserved: dict[str, bool] = {}

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
    ) -> Response | None:
        """Send one request and read the whole reply; ``None`` (and nothing sent) if this
        client does not do what the request needs: send it with httpx.

        Raises:
            httpx.TransportError: connecting, writing or reading failed.
            UnicodeEncodeError: a header is not ASCII (as with httpx).
        """
        where = split_url(url)
        if where is None:
            return None
        host, port, host_header, target = where
        try:
            data = self._encode(method, target, host_header, headers, content)
        except Unsupported:
            return None
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._rebind(loop)
        key = (host, port)
        started = loop.time()
        conn = self._checkout(key)
        if conn is None:
            conn = await self._connect(loop, key)
        try:
            try:
                reply = await conn.send(data, method == "HEAD")
            except httpx.TransportError:
                if not conn.stale or self._closed:
                    raise
                self._discard(conn)
                conn = await self._connect(loop, key)
                reply = await conn.send(data, method == "HEAD")
        except BaseException:
            conn.abort()
            self._discard(conn)
            raise
        if reply.keep_alive and not self._closed and conn.usable():
            conn.idle_since = loop.time()
            idle = self._idle.get(key)
            if idle is None:
                self._idle[key] = [conn]
            else:
                idle.append(conn)
            if self._sweeper is None:
                self._sweeper = loop.call_later(self._idle_timeout / 2, self._sweep)
        else:
            conn.abort()
            self._discard(conn)
        return Response(
            reply.status,
            reply.headers,
            reply.body,
            encoded=reply.encoded,
            http_version=reply.version,
            reason=reply.reason,
            elapsed=loop.time() - started,
            request=(method, url, headers, content),
        )

    def _encode(
        self,
        method: str,
        target: str,
        host_header: str,
        headers: Mapping[str, str],
        content: bytes | None,
    ) -> bytes:
        reserved = self._reserved
        lines = [f"{method} {target} HTTP/1.1\r\nhost: {host_header}\r\n"]
        for name, value in headers.items():
            bad = reserved.get(name)
            if bad is None:
                bad = name.lower() in _RESERVED or _TOKEN.fullmatch(name) is None
                if len(reserved) < 1024:
                    reserved[name] = bad
            if bad or "\r" in value or "\n" in value or "\0" in value:
                raise Unsupported(name)  # httpx writes or rejects it
            lines.append(f"{name}: {value}\r\n")
        if content:
            lines.append(f"content-length: {len(content)}\r\n\r\n")
            return "".join(lines).encode("ascii") + content
        if method in _BODY_METHODS:
            lines.append("content-length: 0\r\n")
        lines.append("\r\n")
        return "".join(lines).encode("ascii")

    def _checkout(self, key: tuple[str, int]) -> _Connection | None:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if conn.usable():
                return conn
            self._discard(conn)
        return None

    async def _connect(self, loop: asyncio.AbstractEventLoop, key: tuple[str, int]) -> _Connection:
        host, port = key
        read_timeout = self._read_timeout
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, protocol = await loop.create_connection(
                    lambda: _Connection(loop, key, read_timeout), host, port
                )
        except TimeoutError:
            raise httpx.ConnectTimeout("timed out") from None
        except OSError as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        self._conns.add(protocol)
        return protocol

    def _discard(self, conn: _Connection) -> None:
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
            while n < len(idle) and (idle[n].idle_since <= cutoff or not idle[n].usable()):
                n += 1
            for conn in idle[:n]:
                conn.abort()
                self._discard(conn)
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
