"""The keep-alive HTTP/1.1 client (``actorbind.transport.http1``) against a scripted asyncio
server on real loopback sockets: reuse, framing, stale connections, errors, timeouts,
concurrency."""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from actorbind import OutcomeUnknown, TransportError
from actorbind.transport import MockTransport, Request, Transport
from actorbind.transport.http1 import (
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_HEAD,
    HTTP1Pool,
    Response,
    split_url,
)
from tests.utils import SECOND, actorbind_tasks, until

pytestmark = pytest.mark.usefixtures("loop_health")

TOKEN = "tok-SECRET-5d1a"


@dataclass
class Req:
    conn: int  # 1-based connection number, in accept order
    index: int  # 0-based request number on that connection
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


Respond = Callable[[Req, asyncio.StreamWriter], Awaitable[bool]]


async def send(
    pool: HTTP1Pool, method: str, url: str, *, headers: dict[str, str], content: bytes | None
) -> Response | None:
    """The pool's own send (``None``: not for it), with the client's default bounds."""
    return await pool.send(
        Request(method, url, headers, content, 5.0, DEFAULT_MAX_HEAD, DEFAULT_MAX_BODY)
    )


def pool_of(transport: Transport) -> HTTP1Pool:
    assert isinstance(transport.http, HTTP1Pool)
    return transport.http


def reply(
    body: bytes = b"ok",
    status: int = 200,
    headers: dict[str, str] | None = None,
    version: str = "HTTP/1.1",
) -> bytes:
    hdrs = {"content-type": "text/plain", "content-length": str(len(body))}
    hdrs |= {k.lower(): v for k, v in (headers or {}).items()}
    head = f"{version} {status} Whatever\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items())
    return head.encode() + b"\r\n" + body


def chunked(parts: list[bytes], extra_headers: str = "", trailers: str = "") -> bytes:
    out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" + extra_headers.encode() + b"\r\n"
    for part in parts:
        out += f"{len(part):X};ext=1\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n" + trailers.encode() + b"\r\n"


@dataclass
class Server:
    respond: Respond
    requests: list[Req] = field(default_factory=list)
    accepted: int = 0
    finished: int = 0
    handlers: set[asyncio.Task[Any]] = field(default_factory=set)
    server: asyncio.Server | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        self.accepted += 1
        conn, index = self.accepted, 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = lines[0].split(" ")
                assert version == "HTTP/1.1"
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        assert name.lower() not in headers, f"duplicate {name}"
                        headers[name.lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                req = Req(conn, index, method, target, headers, body)
                self.requests.append(req)
                index += 1
                if not await self.respond(req, writer):
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except asyncio.CancelledError:
            pass  # stop(): end quietly (a cancelled handler task is reported by asyncio)
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, asyncio.CancelledError):
                pass
            self.finished += 1
            self.handlers.discard(task)

    async def all_closed(self, timeout: float = 10 * SECOND) -> bool:
        """Whether every connection the client opened has been closed by it (or us)."""
        deadline = time.monotonic() + timeout
        while self.finished < self.accepted and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return self.finished == self.accepted

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for task in list(self.handlers):
            task.cancel()
        if self.handlers:
            await asyncio.wait(list(self.handlers), timeout=2)
        await self.server.wait_closed()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Respond], Awaitable[Server]]]:
    servers: list[Server] = []

    async def make(respond: Respond) -> Server:
        server = Server(respond)
        await server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        await server.stop()


@pytest.fixture
async def transport() -> AsyncIterator[Transport]:
    t = Transport(timeout=5.0)
    yield t
    await t.aclose()


def echo_json(req: Req) -> bytes:
    info = {"method": req.method, "target": req.target, "n": req.index, "len": len(req.body)}
    return reply(json.dumps(info).encode(), headers={"Content-Type": "application/json"})


async def answer_echo(req: Req, w: asyncio.StreamWriter) -> bool:
    w.write(echo_json(req))
    return True


async def post(t: Transport, url: str, body: bytes = b"x", **kw: Any) -> httpx.Response:
    return await t.request(
        "POST", url, headers={"content-type": "application/octet-stream"}, content=body,
        what="action 'x'", **kw,
    )  # fmt: skip


# --- the basics -------------------------------------------------------------------------


async def test_keep_alive_one_connection_for_sequential_requests(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    server = await serve(answer_echo)
    for i in range(20):
        r = await transport.request(
            "POST",
            f"{server.url}/gateway/a@{TOKEN}/action/inc?rvt-token={TOKEN}&x=%2F",
            headers={"x-rivet-encoding": "json", "user-agent": "ab/1"},
            content=b"[1]",
            what="action 'inc'",
        )
        assert isinstance(r, httpx.Response)
        assert r.status_code == 200
        assert r.json() == {
            "method": "POST",
            "target": f"/gateway/a@{TOKEN}/action/inc?rvt-token={TOKEN}&x=%2F",
            "n": i,
            "len": 3,
        }
        assert r.headers.get("CONTENT-TYPE") == "application/json"
        assert "content-length" in r.headers and "x-nope" not in r.headers
        assert r.headers.get("x-nope", "d") == "d"
    assert server.accepted == 1
    req = server.requests[0]
    assert req.headers["host"] == f"127.0.0.1:{server.port}"
    assert req.headers["content-length"] == "3"
    assert req.headers["x-rivet-encoding"] == "json"
    assert req.body == b"[1]"


async def test_response_is_a_usable_httpx_response(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        w.write(reply(b"nope", status=404))
        return True

    server = await serve(answer)
    r = await transport.request("GET", f"{server.url}/x?a=1", headers={}, what="raw request")
    assert (r.status_code, r.content, r.text, r.http_version) == (404, b"nope", "nope", "HTTP/1.1")
    assert r.reason_phrase == "Whatever"
    assert r.request.method == "GET" and str(r.url) == f"{server.url}/x?a=1"
    assert r.elapsed.total_seconds() >= 0
    with pytest.raises(httpx.HTTPStatusError):
        r.raise_for_status()
    # GET without a body has no content-length; POST without one says 0 (as httpx)
    assert "content-length" not in server.requests[0].headers
    await transport.request("POST", server.url, headers={}, what="x")
    assert server.requests[1].headers["content-length"] == "0"
    assert server.requests[1].target == "/"


async def test_chunked_bodies_in_pieces_then_reuse(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    parts = [b"hello ", b"chunked " * 100, b"world"]

    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        data = chunked(parts, "Content-Type: text/plain\r\n", trailers="X-Trailer: 1\r\n")
        if req.index == 0:  # byte by byte: every parser state split everywhere
            for i in range(len(data)):
                w.write(data[i : i + 1])
                await w.drain()
                if i % 50 == 0:
                    await asyncio.sleep(0)
        else:
            w.write(data)
        return True

    server = await serve(answer)
    for _ in range(3):
        r = await post(transport, server.url)
        assert r.content == b"".join(parts)
    assert server.accepted == 1


async def test_connection_close_and_http10(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        if req.target == "/close":
            w.write(reply(b"bye", headers={"Connection": "close"}))
            return False
        # HTTP/1.0, no length: the body runs to the end of the connection
        w.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil eof")
        await w.drain()
        await asyncio.sleep(0.05)
        w.write(b" and more")
        return False

    server = await serve(answer)
    for _ in range(2):
        assert (await post(transport, server.url + "/close")).content == b"bye"
    assert (await post(transport, server.url + "/10")).content == b"until eof and more"
    assert server.accepted == 3
    assert await server.all_closed()
    assert pool_of(transport).connection_count == 0


async def test_head_and_204_have_no_body(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        if req.method == "HEAD":
            w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n")
        else:
            w.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        return True

    server = await serve(answer)
    r = await transport.request("HEAD", server.url, headers={}, what="x")
    assert (r.status_code, r.content) == (200, b"")
    r = await transport.request("DELETE", server.url, headers={}, what="x")
    assert (r.status_code, r.content) == (204, b"")
    r = await transport.request("HEAD", server.url, headers={}, what="x")
    assert server.accepted == 1


async def test_interim_1xx_reply_is_skipped(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        w.write(b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + reply(b"final"))
        return True

    server = await serve(answer)
    assert (await post(transport, server.url)).content == b"final"


async def test_content_encoding_is_decoded_as_by_httpx(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        w.write(reply(gzip.compress(b"squeezed"), headers={"Content-Encoding": "gzip"}))
        return True

    server = await serve(answer)
    r = await post(transport, server.url)
    assert r.content == b"squeezed" and r.headers["content-encoding"] == "gzip"
    assert "accept-encoding" not in server.requests[0].headers  # we do not ask for it


async def test_large_bodies(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    big = bytes(range(256)) * 4096  # 1 MiB

    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        assert req.body == big
        if req.target == "/chunked":
            w.write(chunked([req.body[i : i + 65536] for i in range(0, len(big), 65536)]))
        else:
            w.write(reply(req.body[::-1]))
        return True

    server = await serve(answer)
    assert (await post(transport, server.url, big)).content == big[::-1]
    assert (await post(transport, server.url + "/chunked", big)).content == big
    assert server.accepted == 1


# --- failures ---------------------------------------------------------------------------


async def get(t: Transport, url: str) -> httpx.Response:
    return await t.request("GET", url, headers={}, what="get actor")


async def test_silent_reused_connection_resends_a_get_once(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        if req.index == 1:  # the server "closed it while idle": no reply at all
            return False
        w.write(echo_json(req))
        return True

    server = await serve(answer)
    await get(transport, server.url + "/1")
    r = await get(transport, server.url + "/2")
    assert r.json()["target"] == "/2"
    assert [(q.conn, q.index, q.target) for q in server.requests] == [
        (1, 0, "/1"),
        (1, 1, "/2"),
        (2, 0, "/2"),
    ]


async def test_silent_reused_connection_never_resends_a_post(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        if req.index == 1:  # read (and applied?) then the connection dies without a reply
            return False
        w.write(echo_json(req))
        return True

    server = await serve(answer)
    await post(transport, server.url + "/1")
    with pytest.raises(OutcomeUnknown) as info:
        await post(transport, server.url + f"/2?rvt-token={TOKEN}")
    assert str(info.value) == (
        "action 'x': the server closed the connection without a reply; the request was sent, "
        "so it may have been applied (it is not sent again)"
    )
    assert [(q.conn, q.index) for q in server.requests] == [(1, 0), (1, 1)]
    # the pool still works, on a fresh connection
    assert (await post(transport, server.url + "/3")).json()["target"] == "/3"


async def test_get_resend_happens_only_once(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        if req.target == "/boom":
            return False  # also on the fresh connection
        w.write(echo_json(req))
        return True

    server = await serve(answer)
    await get(transport, server.url)
    with pytest.raises(TransportError) as info:
        await get(transport, server.url + "/boom")
    assert not isinstance(info.value, OutcomeUnknown)
    assert str(info.value) == "get actor: the server closed the connection without a reply"
    assert [q.target for q in server.requests] == ["/", "/boom", "/boom"]


async def test_server_closing_a_fresh_connection_is_not_retried(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        return False

    server = await serve(answer)
    with pytest.raises(OutcomeUnknown):
        await post(transport, server.url)
    with pytest.raises(TransportError, match="without a reply"):
        await get(transport, server.url)
    assert len(server.requests) == 2


async def test_idle_connection_closed_by_server_is_not_reused(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        w.write(echo_json(req))
        return False  # replies, then closes (without saying connection: close)

    server = await serve(answer)
    for _ in range(3):
        await post(transport, server.url)
        await asyncio.sleep(0.05)  # the FIN arrives while the connection is idle
    assert [q.index for q in server.requests] == [0, 0, 0]


@pytest.mark.parametrize("reuse", [False, True])
async def test_server_closing_mid_reply_is_an_error_without_retry(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport, reuse: bool
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        if req.target == "/warm":
            w.write(reply())
            return True
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        return False

    server = await serve(answer)
    if reuse:
        await post(transport, server.url + "/warm")
    with pytest.raises(TransportError) as info:
        await post(transport, server.url + f"/cut?rvt-token={TOKEN}")
    assert str(info.value) == (
        "action 'x': the server closed the connection in the middle of the reply (peer closed "
        "connection without sending complete message body (received 10 bytes, expected 100)); "
        "the request was sent, so it may have been applied (it is not sent again)"
    )
    assert [q.target for q in server.requests][-1].startswith("/cut")
    assert len([q for q in server.requests if q.target.startswith("/cut")]) == 1


async def test_server_closing_mid_chunked_reply(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        w.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
        return False

    server = await serve(answer)
    with pytest.raises(OutcomeUnknown, match="in the middle of the reply"):
        await post(transport, server.url)


@pytest.mark.parametrize(
    "garbage",
    [
        b"SPDY/9 200 OK\r\n\r\n",
        b"HTTP/1.1 2x0 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type : x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n folded\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
    ],
)
async def test_malformed_replies(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport, garbage: bytes
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        w.write(garbage)
        return True

    server = await serve(answer)
    with pytest.raises(TransportError, match="RemoteProtocolError"):
        await post(transport, server.url)
    assert await server.all_closed()


async def test_the_timeout_bounds_the_whole_call_not_each_read(
    serve: Callable[[Respond], Awaitable[Server]],
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        # never idle for long, never done: one byte of body per tick, forever
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
        while True:
            await w.drain()
            await asyncio.sleep(0.01)
            w.write(b"x")

    server = await serve(answer)
    t = Transport(timeout=0.3)
    try:
        async with asyncio.timeout(30):  # the old per-read timeout never fired here
            with pytest.raises(OutcomeUnknown) as info:
                await post(t, server.url)
            assert str(info.value).startswith("action 'x': timed out; the request was sent")
            with pytest.raises(TransportError) as error:
                await t.request("GET", server.url, headers={}, what="metadata lookup")
            assert str(error.value) == "metadata lookup: timed out"
        assert pool_of(t).connection_count == 0  # not reused
    finally:
        await t.aclose()


async def test_connect_errors_keep_secrets_out(transport: Transport) -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    with pytest.raises(TransportError) as info:
        await post(transport, f"http://127.0.0.1:{port}/gateway/a@{TOKEN}/x?rvt-token={TOKEN}")
    assert str(info.value).startswith("action 'x': ConnectError: ")
    assert TOKEN not in str(info.value) and "://" not in str(info.value)


async def test_cancelled_request_drops_its_connection(
    serve: Callable[[Respond], Awaitable[Server]], transport: Transport
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        if req.target == "/slow":
            await asyncio.sleep(0.3)
        w.write(echo_json(req))
        return True

    server = await serve(answer)
    await post(transport, server.url)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(post(transport, server.url + "/slow"), 0.05)
    r = await post(transport, server.url + "/after")  # not the half-used connection
    assert r.json()["target"] == "/after"
    assert server.accepted == 2


# --- pool -------------------------------------------------------------------------------


async def test_many_concurrent_requests_then_aclose_leaves_nothing(
    serve: Callable[[Respond], Awaitable[Server]],
) -> None:
    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(0.01)
        w.write(echo_json(req))
        return True

    server = await serve(answer)
    t = Transport(timeout=10.0)
    results = await asyncio.gather(*(post(t, f"{server.url}/{i}") for i in range(200)))
    assert sorted(r.json()["target"] for r in results) == sorted(f"/{i}" for i in range(200))
    opened = server.accepted
    assert 1 < opened <= 200
    # a second wave reuses the idle connections
    await asyncio.gather(*(post(t, f"{server.url}/{i}") for i in range(opened)))
    assert server.accepted == opened
    assert pool_of(t).connection_count == opened
    await t.aclose()
    assert pool_of(t).connection_count == 0
    assert await server.all_closed()
    assert actorbind_tasks() == []
    gc.collect()


async def test_aclose_fails_busy_requests_and_the_transport_stays_usable(
    serve: Callable[[Respond], Awaitable[Server]],
) -> None:
    release = asyncio.Event()

    async def answer(req: Req, w: asyncio.StreamWriter) -> bool:
        if req.target == "/hang":
            await asyncio.wait_for(release.wait(), 10 * SECOND)  # answers only after aclose
        w.write(echo_json(req))
        return True

    server = await serve(answer)
    t = Transport(timeout=10.0)
    await post(t, server.url)
    busy = asyncio.ensure_future(post(t, server.url + "/hang"))
    await until(lambda: any(q.target == "/hang" for q in server.requests), "/hang received")
    await t.aclose()
    release.set()
    with pytest.raises(TransportError, match="closed by the client"):
        await busy
    assert len([q for q in server.requests if q.target == "/hang"]) == 1  # no retry
    assert (await post(t, server.url + "/again")).json()["target"] == "/again"
    await t.aclose()
    assert await server.all_closed()


async def test_idle_connections_expire(serve: Callable[[Respond], Awaitable[Server]]) -> None:
    server = await serve(answer_echo)
    pool = HTTP1Pool(idle_timeout=0.2)
    try:
        for _ in range(2):
            r = await send(pool, "GET", server.url, headers={}, content=None)
            assert r is not None and r.status_code == 200
        assert pool.connection_count == 1
        assert await server.all_closed()
        assert pool.connection_count == 0
        r = await send(pool, "GET", server.url, headers={}, content=None)
        assert r is not None and server.accepted == 2
    finally:
        await pool.aclose()
    assert await server.all_closed()


# --- what goes to httpx -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://a.test/x",
        "http://user:pw@a.test/x",
        "http://a.test/a b",
        "http://a.test/caf\u00e9",
        "http://a.test/x?a=<b>",
        "http://a.test/a/../b",
        "http://a.test:99999/",
        "http://a.test:x/",
        "http://a.test?q=1",
        "http:///x",
    ],
)
def test_urls_left_to_httpx(url: str) -> None:
    assert split_url(url) is None


def test_split_url() -> None:
    assert split_url("http://A.test") == ("a.test", 80, "a.test", "/")
    assert split_url("http://a.test:80/x#frag") == ("a.test", 80, "a.test", "/x")
    assert split_url("http://[::1]:8080/g/a@t/x?rvt-token=t&k=%5B%5D") == (
        "::1",
        8080,
        "[::1]:8080",
        "/g/a@t/x?rvt-token=t&k=%5B%5D",
    )


async def test_requests_it_does_not_do_go_to_httpx(
    serve: Callable[[Respond], Awaitable[Server]],
) -> None:
    server = await serve(answer_echo)
    pool = HTTP1Pool()
    try:
        for headers in ({"Content-Length": "3"}, {"connection": "close"}, {"x-a": "1\r\nx: 2"}):
            assert await send(pool, "POST", server.url, headers=headers, content=b"abc") is None
        assert await send(pool, "GET", "https://a.test/", headers={}, content=None) is None
        with pytest.raises(UnicodeEncodeError):  # as httpx
            await send(pool, "GET", server.url, headers={"x-a": "caf\u00e9"}, content=None)
        assert server.accepted == 0
    finally:
        await pool.aclose()


async def test_what_the_pool_does_not_do_goes_to_its_fallback(
    serve: Callable[[Respond], Awaitable[Server]],
) -> None:
    server = await serve(answer_echo)
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=b"fallback")

    t = Transport(timeout=5.0, http_transport=HTTP1Pool(fallback=MockTransport(handler)))
    try:
        assert (await post(t, "https://a.test/x")).content == b"fallback"
        assert (await post(t, server.url)).json()["target"] == "/"  # plain http: the pool's
        assert seen == ["https://a.test/x"] and server.accepted == 1
    finally:
        await t.aclose()
    with pytest.raises(TransportError, match="does not send this request"):
        await post(Transport(timeout=5.0, http_transport=HTTP1Pool()), "https://a.test/x")


async def test_custom_httpx_transport_always_wins() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"mock")

    t = Transport(timeout=5.0, http_transport=httpx.MockTransport(handler))
    try:
        r = await post(t, "http://a.test/x")
        assert r.content == b"mock" and len(seen) == 1
    finally:
        await t.aclose()


async def test_validated_requests_are_reused_and_the_cache_is_bounded(
    serve: Callable[[Respond], Awaitable[Server]],
) -> None:
    server = await serve(answer_echo)
    pool = HTTP1Pool()
    try:
        for i in range(300):
            for params in ("a", "b"):  # same target, other header: another request
                r = await send(
                    pool,
                    "POST",
                    f"{server.url}/{i}",
                    headers={"x-rivet-conn-params": params},
                    content=str(i).encode(),
                )
                assert r is not None and r.json() == {
                    "method": "POST", "target": f"/{i}", "n": 2 * i + (params == "b"),
                    "len": len(str(i)),
                }  # fmt: skip
                assert server.requests[-1].headers["x-rivet-conn-params"] == params
        assert 0 < len(pool._requests) <= 256
        # a header value h11 refuses is never cached, and goes to httpx each time
        for _ in range(2):
            bad = {"x-a": "1\r\nx: 2"}
            assert await send(pool, "GET", server.url, headers=bad, content=None) is None
    finally:
        await pool.aclose()


def test_the_pool_runs_on_uvloop() -> None:
    uvloop = pytest.importorskip("uvloop")

    async def main() -> list[int]:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    await reader.readuntil(b"\r\n\r\n")
                    writer.write(reply(b"uv"))
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        pool = HTTP1Pool()
        try:
            statuses = []
            for _ in range(3):  # reuse goes through the readability check on uvloop's socket
                r = await send(pool, "GET", url, headers={}, content=None)
                assert r is not None and r.content == b"uv"
                statuses.append(r.status_code)
            assert pool.connection_count == 1
            return statuses
        finally:
            await pool.aclose()
            server.close()
            await server.wait_closed()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(main()) == [200, 200, 200]
