"""The seam: ``MockTransport`` replaces only the network. Limits, error mapping and the
sent/not-sent verdict are the client's own, above the seam, so they hold through the mock
exactly as through the HTTP/1.1 pool (tests/transport/test_http1.py, test_http_limits.py)."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from actorbind import Client, OutcomeUnknown, TransportError, create_client
from actorbind.transport import HTTPTransport, MockTransport, Request, RequestFailed, Transport
from actorbind.transport.http1 import HTTP1Pool
from actorbind.transport.httpx_transport import HttpxTransport

pytestmark = pytest.mark.usefixtures("loop_health")

BOUND = 30.0  # seconds: far above any deadline used here
TOKEN = "tok-SECRET-0b7e"
Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


@pytest.fixture
async def clients() -> AsyncIterator[Callable[..., Client]]:
    made: list[Client] = []

    def make(handler: Handler, **kw: object) -> Client:
        client = create_client(
            "http://gw.test",
            encoding="json",
            disable_metadata_lookup=True,
            http_transport=MockTransport(handler),
            **kw,  # type: ignore[arg-type]
        )
        made.append(client)
        return client

    yield make
    for client in made:
        await client.dispose()


def test_the_default_and_httpx_transports_are_the_seams_implementations() -> None:
    default = Transport(timeout=1.0)
    assert isinstance(default.http, HTTP1Pool)
    assert isinstance(default.http._fallback, HttpxTransport)
    user = Transport(timeout=1.0, http_transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert isinstance(user.http, HttpxTransport)
    mock = MockTransport(lambda r: httpx.Response(200))
    assert Transport(timeout=1.0, http_transport=mock).http is mock
    assert all(isinstance(t, HTTPTransport) for t in (default.http, user.http, mock))


async def test_sync_and_async_handlers_see_the_request(
    clients: Callable[..., Client],
) -> None:
    seen: list[httpx.Request] = []

    def sync(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"output": 1})

    async def asynchronous(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        await asyncio.sleep(0)
        return httpx.Response(200, json={"output": 2})

    assert await clients(sync).counter.get_for_id("a1").increment(5) == 1
    assert await clients(asynchronous).counter.get_for_id("a1").increment(5) == 2
    for request in seen:
        assert request.method == "POST"
        assert request.url.path == "/gateway/a1/action/increment"
        assert request.headers["x-rivet-encoding"] == "json"
        assert request.content == b'{"args":[5]}'


async def test_the_limits_hold_above_the_seam(clients: Callable[..., Client]) -> None:
    many = {f"x-h{i}": "v" * 100 for i in range(50)}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/big"):
            return httpx.Response(200, content=b" " * 2000)
        return httpx.Response(200, headers=many, content=b"{}")

    client = clients(handler, max_response_size=1000, max_response_head_size=4096)
    transport = client._ctx.transport
    with pytest.raises(TransportError) as info:
        await transport.request("GET", "http://gw.test/big", headers={}, what="get")
    assert str(info.value) == "get: the reply's body (2000 bytes) is over the limit of 1000 bytes"
    assert not isinstance(info.value, OutcomeUnknown)
    with pytest.raises(TransportError) as info:
        await transport.request("GET", "http://gw.test/head", headers={}, what="get")
    assert str(info.value) == "get: the reply's head is over the limit of 4096 bytes"
    with pytest.raises(OutcomeUnknown, match="over the limit of 4096 bytes; the request was sent"):
        await client.counter.get_for_id("a1").increment(1)


async def test_the_body_limit_holds_for_the_decoded_body(clients: Callable[..., Client]) -> None:
    bomb = gzip.compress(b" " * 100_000)  # ~100 bytes on the wire

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-encoding": "gzip"}, content=bomb)

    transport = clients(handler, max_response_size=1000)._ctx.transport
    with pytest.raises(TransportError, match=r"\(100000 bytes\) is over the limit of 1000 bytes"):
        await transport.request("GET", "http://gw.test/x", headers={}, what="get")


@pytest.mark.parametrize(
    ("failure", "unknown", "message"),
    [
        (httpx.ConnectError("refused"), False, "action 'increment': ConnectError: refused"),
        (ConnectionRefusedError(111, "Connection refused"), False, "Connection refused"),
        (RequestFailed("timed out", sent=False), False, "action 'increment': timed out"),
        (httpx.ReadError("reset"), True, "may have been sent and applied"),
        (ConnectionResetError(104, "Connection reset by peer"), True, "may have been sent"),
        (RequestFailed("cut", sent=True), True, "the request was sent, so it may have been"),
        (RequestFailed("who knows", sent=None), True, "may have been sent and applied"),
    ],
)
async def test_the_delivery_verdict_is_made_above_the_seam(
    clients: Callable[..., Client], failure: Exception, unknown: bool, message: str
) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise failure

    handle = clients(handler).counter.get_for_id("a1")
    with pytest.raises(TransportError) as info:
        await handle.increment(1)
    assert isinstance(info.value, OutcomeUnknown) is unknown
    assert message in str(info.value)
    assert info.value.__cause__ is failure
    # A GET is never "outcome unknown": it may be sent again.
    transport = handle._ctx.transport  # type: ignore[attr-defined]
    with pytest.raises(TransportError) as info:
        await transport.request("GET", "http://gw.test/x", headers={}, what="get")
    assert not isinstance(info.value, OutcomeUnknown)
    assert calls == ["POST", "GET"]  # nothing sent twice


async def test_a_handler_that_never_answers_times_out(clients: Callable[..., Client]) -> None:
    never = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        await never.wait()
        raise AssertionError("unreachable")

    client = clients(handler, timeout=0.2)
    async with asyncio.timeout(BOUND):
        with pytest.raises(OutcomeUnknown, match="timed out"):
            await client.counter.get_for_id("a1").increment(1)


async def test_the_request_carries_the_clients_bounds() -> None:
    seen: list[Request] = []

    class Recording(HTTPTransport):
        async def handle_request(self, request: Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, content=b"{}")

    client = create_client(
        f"http://ns:{TOKEN}@gw.test",
        encoding="json",
        http_transport=Recording(),
        timeout=7.0,
        max_response_size=1234,
        max_response_head_size=567,
        disable_metadata_lookup=True,
    )
    try:
        await client.counter.get_for_id("a1").increment(1)
    finally:
        await client.dispose()
    [request] = seen
    assert (request.timeout, request.max_body, request.max_head) == (7.0, 1234, 567)
    assert request.url == f"http://gw.test/gateway/a1@{TOKEN}/action/increment"
