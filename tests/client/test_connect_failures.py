"""Failures while opening a connection: what is retried, what gives up, and dispose."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from actorbind import (
    ActorError,
    ConnDisposed,
    ConnectionOpenFailed,
    ConnStatus,
    InternalError,
    TransportError,
    Unauthorized,
)
from actorbind.protocol import Backoff, Retry, classify
from actorbind.protocol.messages import Error
from tests.client.conftest import wait_until
from tests.client.fake_server import FakeServer, Refuse, Session, free_port, tcp_drop_server

pytestmark = pytest.mark.usefixtures("loop_health")

MINUTE = Backoff(initial=60.0, maximum=60.0)  # a retry wait no test outlasts

CONNECTING, DISCONNECTED, CONNECTED, IDLE = (
    ConnStatus.CONNECTING,
    ConnStatus.DISCONNECTED,
    ConnStatus.CONNECTED,
    ConnStatus.IDLE,
)


def _track(conn: Any) -> tuple[list[ConnStatus], list[Exception]]:
    statuses: list[ConnStatus] = [conn.status]
    errors: list[Exception] = []
    conn.on_status_change(statuses.append)
    conn.on_error(errors.append)
    return statuses, errors


async def _assert_keeps_retrying(conn: Any, statuses: list[ConnStatus]) -> None:
    """Status cycles connecting/disconnected, ``ready()`` stays pending, then dispose ends it."""
    ready = asyncio.ensure_future(conn.ready())
    pending = asyncio.ensure_future(conn.echo("queued"))
    await wait_until(lambda: statuses.count(DISCONNECTED) >= 3)
    assert statuses[:4] == [CONNECTING, DISCONNECTED, CONNECTING, DISCONNECTED]
    assert CONNECTED not in statuses and IDLE not in statuses
    assert not ready.done() and not pending.done()
    await asyncio.wait_for(conn.dispose(), 5)
    assert statuses[-1] is IDLE
    with pytest.raises(ConnDisposed):
        await ready
    with pytest.raises(ConnDisposed):
        await pending


async def test_refused_connection_retries_until_disposed(make_client: Callable[..., Any]) -> None:
    client = make_client(f"http://127.0.0.1:{free_port()}", encoding="json")
    conn = client.counter.get_or_create("k").connect()
    statuses, errors = _track(conn)
    await _assert_keeps_retrying(conn, statuses)
    assert errors and all(isinstance(e, TransportError) for e in errors)


async def test_tcp_close_before_101_retries(make_client: Callable[..., Any]) -> None:
    async with tcp_drop_server() as (endpoint, count):
        client = make_client(endpoint, encoding="cbor")
        conn = client.counter.get_or_create("k").connect()
        statuses, errors = _track(conn)
        await _assert_keeps_retrying(conn, statuses)
        assert count[0] >= 2
        assert errors and all(isinstance(e, TransportError) for e in errors)


async def test_garbage_http_reply_retries(make_client: Callable[..., Any]) -> None:
    async with tcp_drop_server(b"HTTP/1.1 200 OK\r\nnonsense\r\n\r\n") as (endpoint, _):
        client = make_client(endpoint, encoding="bare")
        conn = client.counter.get_or_create("k").connect()
        statuses, errors = _track(conn)
        await _assert_keeps_retrying(conn, statuses)
        assert errors and all(isinstance(e, TransportError) for e in errors)


@pytest.mark.parametrize(
    "refusal",
    [
        pytest.param(Refuse(500, b"Internal Server Error"), id="500-text"),
        pytest.param(Refuse(502, b""), id="502-empty"),
        pytest.param(Refuse(500, b"{not json", "application/json"), id="500-bad-json"),
        pytest.param(Refuse(200, b"hello"), id="200-no-upgrade"),
        pytest.param(Refuse.json(503, "guard", "service_unavailable"), id="503-json-lifecycle"),
        pytest.param(Refuse.json(404, "actor", "not_found"), id="404-json-stale-actor"),
    ],
)
async def test_retryable_refusals_then_success(
    make_client: Callable[..., Any], encoding: str, refusal: Refuse
) -> None:
    """Transport-level refusals (and retryable JSON errors on a name+key handle) are retried;
    actions made meanwhile stay queued and succeed once connected."""
    async with FakeServer(encoding, refusal, refusal, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        statuses, errors = _track(conn)
        assert await conn.echo("queued") == ["queued"]
        assert server.handshakes == 3
        assert len(errors) == 2
        if refusal.content_type == "application/json" and refusal.body.startswith(b'{"'):
            assert all(isinstance(e, ActorError) and e.status == refusal.status for e in errors)
        else:
            assert all(isinstance(e, TransportError) for e in errors)
        assert statuses == [
            CONNECTING,
            DISCONNECTED,
            CONNECTING,
            DISCONNECTED,
            CONNECTING,
            CONNECTED,
        ]


@pytest.mark.parametrize(
    ("refusal", "expected"),
    [
        pytest.param(Refuse.json(500, "core", "internal_error"), InternalError, id="internal"),
        pytest.param(Refuse.json(403, "auth", "forbidden"), ActorError, id="forbidden"),
        pytest.param(Refuse.json(401, "user", "unauthorized"), Unauthorized, id="unauthorized"),
    ],
)
async def test_definite_json_refusal_gives_up(
    make_client: Callable[..., Any], encoding: str, refusal: Refuse, expected: type[Exception]
) -> None:
    """A JSON ``{group,code,message}`` refusal is an ``ActorError``; a non-retryable one makes
    the connection give up: connecting -> disconnected -> idle, no second handshake."""
    async with FakeServer(encoding, refusal, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        statuses, errors = _track(conn)
        pending = asyncio.ensure_future(conn.echo(1))
        with pytest.raises(expected) as info:
            await conn.ready()
        assert isinstance(info.value, ActorError)
        assert info.value.status == refusal.status
        with pytest.raises(expected):
            await pending
        assert statuses == [CONNECTING, DISCONNECTED, IDLE]
        assert errors == [info.value]
        await asyncio.sleep(0.05)
        assert server.handshakes == 1


async def test_not_found_on_id_handle_gives_up(make_client: Callable[..., Any]) -> None:
    """``actor.not_found`` is only "resolve again" for name+key handles."""
    async with FakeServer("json", Refuse.json(404, "actor", "not_found")) as server:
        client = make_client(server.endpoint, encoding="json")
        conn = client.get_for_id("counter", "actor-9").connect()
        with pytest.raises(ActorError) as info:
            await conn.ready()
        assert (info.value.group, info.value.code) == ("actor", "not_found")
        assert conn.status is IDLE
        assert server.handshakes == 1


async def test_socket_dropped_after_101_before_init_retries(
    make_client: Callable[..., Any], encoding: str
) -> None:
    async def drop(session: Session) -> None:
        session.abort()

    async with FakeServer(encoding, drop, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        _, errors = _track(conn)
        assert await conn.echo(1) == [1]
        assert len(server.sessions) == 2
        assert [type(e).__name__ for e in errors] == ["ConnectionLost"]


async def test_close_before_init_with_retryable_reason(
    make_client: Callable[..., Any], encoding: str
) -> None:
    """The gateway's ``1011 actor.not_found#ray`` before Init (rvt-method=get on a missing
    actor) is retried for a name+key handle, like upstream."""

    async def close(session: Session) -> None:
        await session.close(1011, "actor.not_found#ray1")

    async with FakeServer(encoding, close, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get("k").connect()
        errors: list[Exception] = []
        conn.on_error(errors.append)
        assert await conn.echo(1) == [1]
        assert len(errors) == 1 and isinstance(errors[0], ActorError)
        assert errors[0].ray_id == "ray1"


async def test_dispose_during_retry_wait_is_prompt(
    make_client: Callable[..., Any],
) -> None:
    """With a minute-long backoff, dispose() must not wait it out, and leaves no task (the
    ``make_client`` fixture checks that no actorbind task survives)."""
    client = make_client(f"http://127.0.0.1:{free_port()}", encoding="bare", backoff=MINUTE)
    conn = client.counter.get_or_create("k").connect()
    statuses, _ = _track(conn)
    await wait_until(lambda: DISCONNECTED in statuses)
    ready = asyncio.ensure_future(conn.ready())
    await asyncio.wait_for(conn.dispose(), 5)
    assert conn.status is IDLE
    with pytest.raises(ConnDisposed):
        await ready
    await conn.dispose()  # twice is fine
    with pytest.raises(ConnDisposed):
        await conn.echo(1)


async def test_client_dispose_during_retry_wait(
    make_client: Callable[..., Any],
) -> None:
    client = make_client(f"http://127.0.0.1:{free_port()}", encoding="json", backoff=MINUTE)
    conns = [client.counter.get_or_create(str(i)).connect() for i in range(3)]
    await wait_until(lambda: all(c.status is DISCONNECTED for c in conns))
    await asyncio.wait_for(client.dispose(), 5)
    assert all(c.status is IDLE and c.disposed for c in conns)
    assert client.connections == frozenset()


async def test_unauthorized_connection_error_then_close(
    make_client: Callable[..., Any], encoding: str
) -> None:
    """``Error{actionId:null}`` then ``1011 user.unauthorized`` (onBeforeConnect threw):
    connecting -> disconnected -> idle, ready() and pending actions raise Unauthorized,
    on_error got it exactly once, and no reconnect."""

    async def reject(session: Session) -> None:
        await session.send(
            Error("user", "unauthorized", "invalid auth token", {"got": "bad"}, None)
        )
        await session.close(1011, "user.unauthorized")

    async with FakeServer(encoding, reject, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect({"authToken": "bad"})
        statuses, errors = _track(conn)
        pending = [asyncio.ensure_future(conn.echo(i)) for i in range(2)]
        with pytest.raises(Unauthorized) as info:
            await conn.ready()
        assert info.value.metadata == {"got": "bad"}
        for task in pending:
            with pytest.raises(Unauthorized):
                await task
        assert statuses == [CONNECTING, DISCONNECTED, IDLE]
        assert errors == [info.value]
        await asyncio.sleep(0.05)
        assert server.handshakes == 1
        assert conn.status is IDLE
        # Later calls on a connection that gave up: the action stays queued until reconnect()
        # (it is not disposed), so it neither raises ConnDisposed nor hangs after reconnect.
        later = asyncio.ensure_future(conn.echo("later"))
        conn.reconnect()
        assert await later == ["later"]
        assert server.handshakes == 2


async def test_bad_request_refusal_gives_up_with_its_own_error(
    make_client: Callable[..., Any],
) -> None:
    """A non-retryable refusal is raised as sent, not wrapped as connection_open_failed."""
    async with FakeServer("json", Refuse.json(400, "actor", "invalid_request")) as server:
        client = make_client(server.endpoint, encoding="json")
        conn = client.counter.get_or_create("k").connect()
        with pytest.raises(ActorError) as info:
            await conn.ready()
        assert (info.value.group, info.value.code) == ("actor", "invalid_request")
        assert not isinstance(info.value, ConnectionOpenFailed)


async def test_the_client_retry_policy_decides_reconnects(make_client: Callable[..., Any]) -> None:
    """``create_client(retry=...)`` reaches the connection: a policy that calls transport
    failures fatal makes a refused connection give up at once instead of retrying."""

    def no_network_retry(error: BaseException) -> Retry:
        return Retry.FATAL if isinstance(error, TransportError) else classify(error)

    client = make_client(f"http://127.0.0.1:{free_port()}", retry=no_network_retry)
    conn = client.counter.get_or_create("k").connect()
    statuses, _ = _track(conn)
    pending = asyncio.ensure_future(conn.echo(1))
    with pytest.raises(TransportError):
        await conn.ready()
    with pytest.raises(ActorError) as info:
        await pending
    assert (info.value.group, info.value.code) == ("client", "connection_open_failed")
    assert statuses == [CONNECTING, DISCONNECTED, IDLE]
