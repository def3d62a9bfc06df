"""A keep-alive HTTP/1.1 client for plain ``http://``: h11 driven from an :class:`asyncio.Protocol`
(one connection: :mod:`.http1_conn`).

An :class:`~actorbind.transport.interface.HTTPTransport`: the default one of
:class:`~actorbind.transport.Transport`, for stateless actions and management calls.
h11 (httpcore's HTTP/1.1 engine) does the framing both ways; this module does the I/O: one
``transport.write()`` per request, replies parsed in ``data_received``, and the awaiting
coroutine woken once, when the whole reply is in (httpx's pool costs several times the CPU).

Delivery: a request is sent again (once, on a fresh connection) only when not one byte of it
was written, i.e. a pooled connection was seen closed before use, or, for ``GET``/``HEAD``
only, a reused connection died before the first reply byte. Any other failure after the write
is a :class:`~actorbind.transport.interface.RequestFailed` with ``sent=True`` (above the seam,
for a non-idempotent request: :class:`~actorbind.OutcomeUnknown`, it may have been applied).

Bounds (the request's): every reply's head (``max_head``) and body (``max_body``) are limited,
and one deadline (``timeout``) covers connect, write, head and body of a call, however slowly
bytes arrive.

Scope, deliberately small: no TLS, proxies, redirects, cookies, ``Expect``, pipelining or
streaming. Anything outside it (``https://``, user info in the URL, characters httpx would
percent-encode, framing headers set by the caller, header values h11 refuses) goes to the
pool's ``fallback`` (httpx), nothing having been sent. Error messages never hold the URL (it
may carry a token).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import re
from collections.abc import Mapping

import h11
import httpx

from .http1_conn import CLOSED, Connection, Failed, Reply
from .interface import HTTPTransport, Request, RequestFailed

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


class _Unsupported(Exception):
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
        reply: Reply,
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


class HTTP1Pool(HTTPTransport):
    """Keep-alive connections per ``(host, port)``, most recently used first; no limit on
    how many (a request finding none idle opens one). Idle ones close after
    ``idle_timeout`` seconds, all of them on :meth:`aclose`. One event loop per pool.

    A request this pool does not do goes to ``fallback`` (closed with the pool); without
    one it fails, unsent.
    """

    def __init__(
        self,
        *,
        fallback: HTTPTransport | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        self._fallback = fallback
        self._connect_timeout = connect_timeout
        self._idle_timeout = idle_timeout
        # Keyed by the head limit too: h11 bounds a connection's buffered head with it.
        self._idle: dict[tuple[str, int, int], list[Connection]] = {}
        self._conns: set[Connection] = set()
        self._sweeper: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Bumped by aclose(): a request begun before it never pools its connection.
        self._epoch = 0
        self._requests: dict[tuple[object, ...], tuple[str, int, h11.Request]] = {}

    @property
    def connection_count(self) -> int:
        """Open connections, idle or busy (for tests)."""
        return len(self._conns)

    async def handle_request(self, request: Request) -> httpx.Response:
        response = await self.send(request)
        if response is not None:
            return response
        if self._fallback is None:
            raise RequestFailed("the HTTP/1.1 pool does not send this request", sent=False)
        return await self._fallback.handle_request(request)

    async def send(self, req: Request) -> Response | None:
        """Send one request and read the whole reply; ``None`` (and nothing sent) if this
        pool does not do what the request needs.

        Raises:
            RequestFailed: connect, timeout, limit, malformed reply (``sent`` says whether
                the request was written).
            UnicodeEncodeError: a header is not ASCII (as with httpx).
        """
        method, url, headers, content = req.method, req.url, req.headers, req.content
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
        key = (host, port, req.max_head)
        epoch = self._epoch
        started = loop.time()
        deadline = None if req.timeout is None else started + req.timeout
        retried = False
        while True:
            conn = self._checkout(key)
            reused = conn is not None
            if conn is None:
                conn = await self._connect(loop, key, deadline)
            try:
                reply = await conn.send(request, content, deadline, req.max_body)
            except Failed as failure:
                self._drop(conn)
                if (
                    failure.kind == CLOSED
                    and reused
                    and not failure.replied
                    and not retried
                    and method in _IDEMPOTENT
                    and epoch == self._epoch
                ):
                    retried = True  # the server closed it while idle (keep-alive race)
                    continue
                raise RequestFailed(failure.message, sent=True) from None
            except BaseException:
                self._drop(conn)
                raise
            break
        if reply.reusable and epoch == self._epoch and not conn.lost:
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

    def _checkout(self, key: tuple[str, int, int]) -> Connection | None:
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
        key: tuple[str, int, int],
        deadline: float | None,
    ) -> Connection:
        host, port, max_head = key
        limit = loop.time() + self._connect_timeout
        if deadline is not None:
            limit = min(limit, deadline)
        try:
            async with asyncio.timeout_at(limit):
                _, protocol = await loop.create_connection(
                    lambda: Connection(loop, max_head), host, port
                )
        except TimeoutError:
            raise RequestFailed("timed out", sent=False) from None
        except OSError as exc:
            message = str(exc) or type(exc).__name__
            if "://" in message:  # never a URL (a token) in a message
                message = type(exc).__name__
            raise RequestFailed(f"ConnectError: {message}", sent=False) from exc
        self._conns.add(protocol)
        return protocol

    def _drop(self, conn: Connection) -> None:
        conn.abort()
        self._conns.discard(conn)

    def _sweep(self) -> None:
        self._sweeper = None
        loop = self._loop
        if loop is None:
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
        sockets are closed; later requests open new ones."""
        self._epoch += 1
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
        if self._fallback is not None:
            await self._fallback.aclose()
