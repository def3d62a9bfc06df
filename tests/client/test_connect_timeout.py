"""A connection that cannot be established is bounded and visible: ``ready(timeout)``,
``connect_timeout`` for queued calls, the WebSocket open timeout, and the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest

import actorbind
from actorbind import ConnectTimeout, ConnStatus, TransportError, create_client
from actorbind.client.config import DEFAULT_CONNECT_TIMEOUT
from tests.client.conftest import wait_until
from tests.client.fake_server import FakeServer, Refuse, free_port, silent_server

pytestmark = pytest.mark.usefixtures("loop_health")

TOKEN = "tok-S3CRET-7f"
PARAM = "param-S3CRET-9q"


def test_defaults_are_bounded() -> None:
    client = create_client("http://127.0.0.1:1")
    assert client.config.connect_timeout == DEFAULT_CONNECT_TIMEOUT <= 30
    # The socket open waits as long as an HTTP reply (the gateway holds both while it places
    # the actor for up to 15 s): not the 10 s that failed slow cold starts.
    assert client._ctx.transport.open_timeout == client.config.timeout == 90.0
    assert create_client("http://127.0.0.1:1", timeout=None)._ctx.transport.open_timeout is None
    with pytest.raises(ValueError, match="connect_timeout"):
        create_client("http://127.0.0.1:1", connect_timeout=0)


async def test_ready_timeout_names_the_endpoint_and_the_last_cause(
    make_client: Callable[..., Any],
) -> None:
    port = free_port()
    client = make_client(f"http://ns:{TOKEN}@127.0.0.1:{port}", encoding="json")
    conn = client.counter.get_or_create("k").connect(params={"authToken": PARAM})
    errors: list[Exception] = []
    conn.on_error(errors.append)
    await wait_until(lambda: bool(errors))  # the cause is known before the bound is hit
    with pytest.raises(ConnectTimeout) as info:
        await conn.ready(timeout=0.05)
    error = info.value
    assert isinstance(error, TimeoutError) and isinstance(error, TransportError)
    text = str(error)
    assert f"http://127.0.0.1:{port}" in text and "'counter'" in text
    assert "last error: TransportError: connect: " in text
    assert TOKEN not in text and PARAM not in text and TOKEN not in repr(error)
    assert error.__cause__ is error.last_error and isinstance(error.last_error, TransportError)
    assert error.endpoint == f"http://127.0.0.1:{port}" and error.timeout == 0.05
    # The connection keeps trying after a timeout.
    assert not conn.disposed and conn.status is not ConnStatus.IDLE


async def test_ready_without_timeout_uses_connect_timeout(make_client: Callable[..., Any]) -> None:
    client = make_client(f"http://127.0.0.1:{free_port()}", connect_timeout=0.05)
    conn = client.counter.get_or_create("k").connect()
    with pytest.raises(ConnectTimeout, match=r"within 0\.05 s"):
        await asyncio.wait_for(conn.ready(), 10)


async def test_queued_actions_fail_after_connect_timeout(make_client: Callable[..., Any]) -> None:
    client = make_client(f"http://127.0.0.1:{free_port()}", connect_timeout=0.05)
    conn = client.counter.get_or_create("k").connect()
    calls = [asyncio.ensure_future(conn.increment(i)) for i in range(3)]
    done, _ = await asyncio.wait(calls, timeout=10)
    assert len(done) == 3
    for call in calls:
        with pytest.raises(ConnectTimeout, match="last error: TransportError"):
            call.result()
    assert conn._proto.pending_actions == 0
    assert not conn.disposed  # still trying; a later call waits (and times out) again
    with pytest.raises(ConnectTimeout):
        await asyncio.wait_for(conn.increment(9), 10)


async def test_queued_action_sent_in_time_is_not_failed(
    make_client: Callable[..., Any], encoding: str
) -> None:
    async def late(session: Any) -> None:
        await session.init()
        request = await session.recv_action()
        from actorbind.protocol.messages import ActionResponse

        await session.send(ActionResponse(request.id, 42))

    async with FakeServer(encoding, Refuse(503), late) as server:
        client = make_client(server.endpoint, encoding=encoding, connect_timeout=5)
        conn = client.counter.get_or_create("k").connect()
        assert await asyncio.wait_for(conn.increment(1), 10) == 42


async def test_a_hung_gateway_fails_the_open_after_the_client_timeout(
    make_client: Callable[..., Any],
) -> None:
    async with silent_server() as endpoint:
        client = make_client(endpoint, timeout=0.1)
        conn = client.counter.get_or_create("k").connect()
        errors: list[Exception] = []
        conn.on_error(errors.append)
        await wait_until(lambda: bool(errors))
        assert isinstance(errors[0], TransportError) and "timed out" in str(errors[0])
        await conn.dispose()


async def test_timeout_before_any_attempt_finished_says_so(
    make_client: Callable[..., Any],
) -> None:
    async with silent_server() as endpoint:
        client = make_client(endpoint, timeout=None)
        conn = client.counter.get_or_create("k").connect()
        with pytest.raises(ConnectTimeout, match="none yet") as info:
            await conn.ready(timeout=0.05)
        assert info.value.last_error is None
        await conn.dispose()


def test_the_package_logger_is_silent_by_default() -> None:
    handlers = logging.getLogger("actorbind").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)
    assert actorbind.__name__ == "actorbind"


async def test_attempts_failures_backoff_and_status_are_logged_without_secrets(
    make_client: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: httpx and websockets too
    port = free_port()
    client = make_client(f"http://ns:{TOKEN}@127.0.0.1:{port}", encoding="cbor")
    conn = client.counter.get_or_create(["room", "1"]).connect(params={"authToken": PARAM})
    await wait_until(lambda: "attempt 2 failed" in caplog.text)
    await conn.dispose()
    ours = [r for r in caplog.records if r.name.startswith("actorbind")]
    text = "\n".join(r.getMessage() for r in ours)
    endpoint = f"http://127.0.0.1:{port}"
    assert f"actor 'counter' ['room', '1']: connecting to {endpoint} (attempt 1)" in text
    assert f"attempt 1 failed ({endpoint}): TransportError" in text
    assert "retrying in " in text
    assert "status connecting -> disconnected" in text
    assert "status disconnected -> connecting" in text
    everything = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert TOKEN not in everything and PARAM not in everything


async def test_giving_up_and_connecting_are_logged(
    make_client: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="actorbind")

    async def serve(session: Any) -> None:
        await session.init("actor-7")

    async with FakeServer("json", serve) as server:
        client = make_client(server.endpoint, encoding="json")
        async with client.counter.get_or_create("k").connect() as conn:
            await asyncio.wait_for(conn.ready(), 10)
        assert "actor 'counter' ['k']: connected (actor id actor-7)" in caplog.text
    async with FakeServer("json", Refuse.json(403, "user", "unauthorized")) as server:
        client = make_client(server.endpoint, encoding="json")
        conn = client.counter.get_or_create("k").connect()
        with pytest.raises(actorbind.Unauthorized):
            await asyncio.wait_for(conn.ready(), 10)
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert any("gave up connecting: Unauthorized" in r.getMessage() for r in warnings)
        await conn.dispose()
