"""WebSocket opens go through the seam too (``WebSocketTransport``): the open timeout and
keepalive are the client's, and what a transport raises is mapped above it, for actor
connections and raw sockets alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.datastructures import Headers
from websockets.exceptions import InvalidStatus
from websockets.http11 import Response

from actorbind import ActorError, Client, TransportError, create_client
from actorbind.transport import SocketRequest, Transport, WebSocketTransport
from actorbind.transport.websocket import MessageHandler, Socket
from actorbind.transport.ws_transport import WebSocketsTransport

pytestmark = pytest.mark.usefixtures("loop_health")

BOUND = 30.0  # seconds: far above any wait here
TOKEN = "tok-SECRET-3c9d"


class Refusing(WebSocketTransport):
    """Records each open and fails it with ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.opened: list[tuple[str, SocketRequest]] = []
        self.called = asyncio.Event()

    async def open_socket(self, request: SocketRequest, on_messages: MessageHandler) -> Socket:
        self.opened.append(("socket", request))
        self.called.set()
        raise self.error

    async def open_connection(self, request: SocketRequest) -> ClientConnection:
        self.opened.append(("connection", request))
        self.called.set()
        raise self.error


def refused(status: int, body: bytes) -> InvalidStatus:
    return InvalidStatus(Response(status, "No", Headers(), body))


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    made = create_client(
        f"http://ns:{TOKEN}@127.0.0.1:1",
        encoding="json",
        timeout=12.0,
        disable_metadata_lookup=True,
    )
    yield made
    await made.dispose()


def test_production_opens_over_the_network() -> None:
    assert isinstance(Transport(timeout=1.0).websockets, WebSocketsTransport)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (refused(403, b'{"group":"auth","code":"forbidden","message":"no"}'), "forbidden"),
        (refused(503, b""), "raw websocket: the server refused the websocket (HTTP 503)"),
        (ConnectionRefusedError(111, "Connection refused"), "raw websocket: Connection refused"),
        (TimeoutError(), "raw websocket: timed out"),
    ],
)
async def test_a_raw_socket_opens_through_the_seam(
    client: Client, error: Exception, expected: str
) -> None:
    seam = Refusing(error)
    client._ctx.transport.websockets = seam
    with pytest.raises((ActorError, TransportError)) as info:
        await client.counter.get_for_id("a1").websocket("/x")
    if isinstance(info.value, ActorError):
        assert info.value.code == expected
    else:
        assert str(info.value) == expected
    assert info.value.__cause__ is error
    [(kind, request)] = seam.opened
    assert kind == "connection"
    assert request.url == f"ws://127.0.0.1:1/gateway/a1@{TOKEN}/websocket/x"
    assert request.subprotocols[:2] == ["rivet", "rivet_encoding.bare"]
    assert (request.open_timeout, request.ping_interval, request.ping_timeout) == (12.0, 20, 20)
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)


async def test_an_actor_connection_opens_through_the_seam(client: Client) -> None:
    seam = Refusing(refused(403, b'{"group":"auth","code":"forbidden","message":"no"}'))
    client._ctx.transport.websockets = seam
    conn = client.counter.get_for_id("a1", params={"authToken": "p"}).connect()
    errors: list[Exception] = []
    conn.on_error(errors.append)
    try:
        async with asyncio.timeout(BOUND):
            await seam.called.wait()
            with pytest.raises(ActorError) as info:
                await conn.ready()
    finally:
        await conn.dispose()
    assert info.value.code == "forbidden"
    kind, request = seam.opened[0]
    assert kind == "socket"
    assert request.url.startswith("ws://127.0.0.1:1/gateway/a1")
    assert any(p.startswith("rivet_conn_params.") for p in request.subprotocols)
    assert request.max_size == client.config.max_incoming_message_size
