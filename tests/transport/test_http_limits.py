"""Hostile HTTP replies against the whole client: every call ends by its deadline or a size
limit with an actorbind error, memory stays bounded, and no decoder error escapes raw.

A scripted gateway on 127.0.0.1 answers each request with ``reply(method, target, writer)``.
Every test bounds itself (``asyncio.timeout``): on a client without these bounds the call
would hang or grow, and the bound turns that into a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import cbor2
import pytest

from actorbind import (
    ActorBindError,
    Client,
    MalformedMessage,
    OutcomeUnknown,
    TransportError,
    create_client,
)
from actorbind.protocol.codecs import codec_for

pytestmark = pytest.mark.usefixtures("loop_health")

Reply = Callable[[str, str, asyncio.StreamWriter], Awaitable[None]]
BOUND = 30.0  # seconds: far above any deadline used here
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
DEEP_CBOR = b"\x81" * 100_000 + b"\x01"


def head(status: int = 200, length: int | None = None, **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status} X"]
    if length is not None:
        lines.append(f"content-length: {length}")
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def whole(body: bytes, status: int = 200, content_type: str = "application/json") -> bytes:
    return head(status, len(body), content_type=content_type) + body


class Gateway:
    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.requests: list[tuple[str, str]] = []
        self.sent = 0  # body bytes a hostile reply managed to write
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[Any]] = set()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            while True:
                data = await reader.readuntil(b"\r\n\r\n")
                method, target, _ = data.split(b"\r\n", 1)[0].decode().split(" ")
                length = 0
                for line in data.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                self.requests.append((method, target))
                await self.reply(method, target, writer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()
            self.tasks.discard(task)

    async def drip(self, writer: asyncio.StreamWriter, piece: bytes, forever: bool = True) -> None:
        """Write ``piece`` again and again until the client goes away."""
        while forever:
            writer.write(piece)
            await writer.drain()  # raises once the client has closed the connection
            self.sent += len(piece)
            await asyncio.sleep(0.005 if len(piece) < 100 else 0)


@pytest.fixture
async def gateway() -> AsyncIterator[Callable[[Reply], Awaitable[Gateway]]]:
    gateways: list[Gateway] = []

    async def make(reply: Reply) -> Gateway:
        gw = Gateway(reply)
        gw.server = await asyncio.start_server(gw.handle, "127.0.0.1", 0)
        gateways.append(gw)
        return gw

    yield make
    for gw in gateways:
        assert gw.server is not None
        gw.server.close()
        for task in list(gw.tasks):
            task.cancel()
        if gw.tasks:
            await asyncio.wait(list(gw.tasks), timeout=5)
        await gw.server.wait_closed()


@pytest.fixture
async def clients() -> AsyncIterator[Callable[..., Client]]:
    made: list[Client] = []

    def make(url: str, **kw: Any) -> Client:
        kw.setdefault("disable_metadata_lookup", True)
        kw.setdefault("encoding", "json")
        client = create_client(url, **kw)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.dispose()


# --- deadline ---------------------------------------------------------------------------


@pytest.mark.parametrize("lookup", [False, True], ids=["action", "metadata"])
async def test_a_head_dripped_byte_by_byte_fails_at_the_deadline(
    gateway: Callable[[Reply], Awaitable[Gateway]], clients: Callable[..., Client], lookup: bool
) -> None:
    async def reply(method: str, target: str, w: asyncio.StreamWriter) -> None:
        w.write(b"HTTP/1.1 200 OK\r\n")
        await gw.drip(w, b"x")  # a header line that never ends, one byte per tick

    gw = await gateway(reply)
    client = clients(gw.url, timeout=0.3, disable_metadata_lookup=not lookup)
    async with asyncio.timeout(BOUND):
        with pytest.raises(TransportError, match="timed out") as info:
            await client.counter.get_or_create(["k"]).increment(1)
    assert isinstance(info.value, OutcomeUnknown) is not lookup  # a POST: may have applied
    assert len(gw.requests) == 1


async def test_a_body_dripped_byte_by_byte_fails_at_the_deadline(
    gateway: Callable[[Reply], Awaitable[Gateway]], clients: Callable[..., Client]
) -> None:
    async def reply(method: str, target: str, w: asyncio.StreamWriter) -> None:
        w.write(head(length=10**9, content_type="application/json"))
        await gw.drip(w, b" ")

    gw = await gateway(reply)
    client = clients(gw.url, timeout=0.3, max_response_size=2 * 10**9)
    async with asyncio.timeout(BOUND):
        with pytest.raises(OutcomeUnknown, match="timed out"):
            await client.counter.get_or_create(["k"]).increment(1)


# --- size limits ------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [None, 100_000])
async def test_an_endless_chunked_body_fails_at_the_body_limit(
    gateway: Callable[[Reply], Awaitable[Gateway]], clients: Callable[..., Client], limit: int
) -> None:
    async def reply(method: str, target: str, w: asyncio.StreamWriter) -> None:
        w.write(head(transfer_encoding="chunked", content_type="application/json"))
        await gw.drip(w, b"10000\r\n" + b" " * 0x10000 + b"\r\n")

    gw = await gateway(reply)
    kw = {} if limit is None else {"max_response_size": limit}
    client = clients(gw.url, **kw)
    expected = 4 * 1024 * 1024 if limit is None else limit
    async with asyncio.timeout(BOUND):
        with pytest.raises(OutcomeUnknown) as info:
            await client.counter.get_or_create(["k"]).increment(1)
    assert f"the reply's body is over the limit of {expected} bytes" in str(info.value)


async def test_a_50_mb_metadata_is_refused_at_its_head(
    gateway: Callable[[Reply], Awaitable[Gateway]], clients: Callable[..., Client]
) -> None:
    size = 50 * 1024 * 1024

    async def reply(method: str, target: str, w: asyncio.StreamWriter) -> None:
        assert target.startswith("/metadata")
        w.write(head(length=size, content_type="application/json"))
        piece = b" " * (1024 * 1024)
        for _ in range(size // len(piece)):
            w.write(piece)
            await w.drain()
            gw.sent += len(piece)

    gw = await gateway(reply)
    client = clients(gw.url, disable_metadata_lookup=False)
    async with asyncio.timeout(BOUND):
        with pytest.raises(TransportError) as info:
            await client.counter.get_or_create(["k"]).increment(1)
    assert str(info.value) == (
        f"metadata lookup: the reply's body ({size} bytes) is over the limit of 4194304 bytes"
    )
    assert gw.sent < size  # the client stopped reading: the rest was never sent


@pytest.mark.parametrize("limit", [None, 4096])
async def test_a_huge_head_fails_at_the_head_limit(
    gateway: Callable[[Reply], Awaitable[Gateway]], clients: Callable[..., Client], limit: int
) -> None:
    async def reply(method: str, target: str, w: asyncio.StreamWriter) -> None:
        many = "".join(f"x-h{i}: {'v' * 1000}\r\n" for i in range(100))  # ~100 KB, one write
        w.write(f"HTTP/1.1 200 OK\r\n{many}content-length: 2\r\n\r\n{{}}".encode())

    gw = await gateway(reply)
    kw = {} if limit is None else {"max_response_head_size": limit}
    client = clients(gw.url, disable_metadata_lookup=False, **kw)
    expected = 65536 if limit is None else limit
    async with asyncio.timeout(BOUND):
        with pytest.raises(TransportError) as info:
            await client.counter.get_or_create(["k"]).increment(1)
    assert str(info.value) == (
        f"metadata lookup: the reply's head is over the limit of {expected} bytes"
    )


async def test_limits_must_be_positive() -> None:
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="max_response_size"):
            create_client("http://127.0.0.1:1", max_response_size=bad)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="max_response_head_size"):
            create_client("http://127.0.0.1:1", max_response_head_size=bad)  # type: ignore[arg-type]


# --- decoding ---------------------------------------------------------------------------


def _action_reply(encoding: str, body: bytes, status: int = 200) -> Reply:
    async def reply(method: str, target: str, w: asyncio.StreamWriter) -> None:
        if target.startswith("/metadata"):
            w.write(whole(b"{}"))
        else:
            w.write(whole(body, status, codec_for(encoding).content_type))

    return reply


@pytest.mark.parametrize(
    ("encoding", "body", "status"),
    [
        pytest.param("json", DEEP_JSON, 200, id="json-deep-reply"),
        pytest.param("json", DEEP_JSON, 500, id="json-deep-error"),
        pytest.param("json", b'{"output":' + DEEP_JSON + b"}", 200, id="json-deep-output"),
        pytest.param("cbor", DEEP_CBOR, 200, id="cbor-deep-reply"),
        pytest.param("cbor", b"\xff\xfe\xfd", 200, id="cbor-garbage-reply"),
        pytest.param("cbor", DEEP_CBOR, 400, id="cbor-deep-error"),
        pytest.param("cbor", cbor2.dumps({"output": 1})[:-1], 200, id="cbor-truncated"),
        pytest.param("bare", b"\x04\x00" + DEEP_CBOR, 200, id="bare-deep-reply"),
    ],
)
async def test_undecodable_action_replies_are_actorbind_errors(
    gateway: Callable[[Reply], Awaitable[Gateway]],
    clients: Callable[..., Client],
    encoding: str,
    body: bytes,
    status: int,
) -> None:
    gw = await gateway(_action_reply(encoding, body, status))
    client = clients(gw.url, encoding=encoding)
    async with asyncio.timeout(BOUND):
        with pytest.raises(ActorBindError) as info:
            await client.counter.get_or_create(["k"]).increment(1)
    if status == 200:
        assert isinstance(info.value, MalformedMessage)
    else:  # an error body nobody can read: the status is all there is
        assert str(info.value) == (
            f"unexpected HTTP {status} reply ({len(body)} bytes of "
            f"{codec_for(encoding).content_type})"
        )


@pytest.mark.parametrize(
    "body",
    [DEEP_JSON, b'{"clientEndpoint":' + DEEP_JSON + b"}", b"\xff\xfe", b"{" * 50],
    ids=["deep", "deep-field", "binary", "truncated"],
)
async def test_undecodable_metadata_is_malformed_message(
    gateway: Callable[[Reply], Awaitable[Gateway]], clients: Callable[..., Client], body: bytes
) -> None:
    async def reply(method: str, target: str, w: asyncio.StreamWriter) -> None:
        w.write(whole(body))

    gw = await gateway(reply)
    client = clients(gw.url, disable_metadata_lookup=False)
    async with asyncio.timeout(BOUND):
        with pytest.raises(MalformedMessage, match="metadata lookup: the reply is not JSON"):
            await client.counter.get_or_create(["k"]).increment(1)


async def test_deep_json_from_the_management_api_is_malformed_message(
    gateway: Callable[[Reply], Awaitable[Gateway]], clients: Callable[..., Client]
) -> None:
    async def reply(method: str, target: str, w: asyncio.StreamWriter) -> None:
        w.write(whole(DEEP_JSON if target.startswith("/actors") else json.dumps({}).encode()))

    gw = await gateway(reply)
    client = clients(gw.url)
    async with asyncio.timeout(BOUND):
        with pytest.raises(MalformedMessage):
            await client.counter.get(["k"]).resolve()
        with pytest.raises(MalformedMessage):
            await client.counter.create(["k2"])


# --- the httpx path (https://, custom transports) ----------------------------------------


async def test_the_httpx_path_has_the_same_limits_and_delivery_rule() -> None:
    import httpx

    calls: list[str] = []

    async def endless() -> AsyncIterator[bytes]:
        while True:
            yield b" " * 100
            await asyncio.sleep(0)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if request.url.path.endswith("/big"):
            return httpx.Response(200, content=b" " * 2000)
        if request.url.path.endswith("/endless"):  # streamed: read through the limit
            return httpx.Response(200, content=endless())
        raise httpx.ReadError("the connection was reset")

    client = create_client(
        "http://gw.test",
        encoding="json",
        disable_metadata_lookup=True,
        http_transport=httpx.MockTransport(handler),
        max_response_size=1000,
    )
    try:
        transport = client._ctx.transport
        with pytest.raises(TransportError, match="over the limit of 1000 bytes"):
            await transport.request("GET", "http://gw.test/big", headers={}, what="get")
        async with asyncio.timeout(BOUND):
            with pytest.raises(TransportError, match="over the limit of 1000 bytes"):
                await transport.request("GET", "http://gw.test/endless", headers={}, what="get")
        with pytest.raises(OutcomeUnknown, match="may have been sent and applied"):
            await client.counter.get_or_create(["k"]).increment(1)
        with pytest.raises(TransportError) as info:
            await transport.request("GET", "http://gw.test/x", headers={}, what="get")
        assert not isinstance(info.value, OutcomeUnknown)
    finally:
        await client.dispose()
    assert calls == ["GET", "GET", "POST", "GET"]  # nothing sent twice
