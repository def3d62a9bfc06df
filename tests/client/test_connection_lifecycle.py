"""An established connection: drops, close reasons, dispose and misbehaving callbacks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest

from actorbind import (
    ActorError,
    ConnDisposed,
    ConnectionLost,
    ConnStatus,
    Unauthorized,
)
from actorbind.protocol.messages import ActionRequest, Event, SubscriptionRequest
from tests.client.conftest import wait_until
from tests.client.fake_server import FakeServer, Session

pytestmark = pytest.mark.usefixtures("loop_health")


def _gated(gate: asyncio.Event) -> Callable[[Session], Any]:
    async def script(session: Session) -> None:
        await gate.wait()
        await session.serve()

    return script


@pytest.mark.parametrize("provider", ["sync", "async"])
async def test_dropped_socket_reconnects_and_replays(
    make_client: Callable[..., Any], encoding: str, provider: str
) -> None:
    """The server aborts TCP (no close frame): in-flight actions fail with ConnectionLost,
    actions made while down stay queued and succeed after the reconnect, subscriptions are
    re-sent after the new Init (before the queued actions), get_params runs per attempt."""
    gate = asyncio.Event()

    async def drop_after_action(session: Session) -> None:
        await session.init()
        await session.recv_action()
        session.abort()

    calls = 0

    def get_params_sync() -> Any:
        nonlocal calls
        calls += 1
        return {"attempt": calls}

    async def get_params_async() -> Any:
        return get_params_sync()

    get_params = get_params_sync if provider == "sync" else get_params_async
    async with FakeServer(encoding, drop_after_action, _gated(gate)) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect(get_params=get_params)
        opened: list[str | None] = []
        closed: list[bool] = []
        conn.on_open(lambda: opened.append(conn.connection_id))
        conn.on_close(lambda: closed.append(True))
        conn.on("b", lambda *a: None)
        conn.on("a", lambda *a: None)
        await conn.ready()
        with pytest.raises(ConnectionLost) as info:
            await conn.action("hang")
        assert info.value.code == 1006
        assert closed == [True]
        # Down (or reconnecting, waiting for Init): these stay queued.
        assert conn.status is not ConnStatus.CONNECTED
        queued = [asyncio.ensure_future(conn.echo(i)) for i in range(3)]
        await server.wait_sessions(2)
        assert conn.status is ConnStatus.CONNECTING
        assert not any(t.done() for t in queued)
        gate.set()
        assert await asyncio.gather(*queued) == [[0], [1], [2]]
        first, second = server.sessions
        assert first.received == [
            SubscriptionRequest("a", True),
            SubscriptionRequest("b", True),
            ActionRequest(0, "hang", []),
        ]
        # Ids keep counting across sockets, like upstream.
        assert second.received == [
            SubscriptionRequest("a", True),
            SubscriptionRequest("b", True),
            ActionRequest(1, "echo", [0]),
            ActionRequest(2, "echo", [1]),
            ActionRequest(3, "echo", [2]),
        ]
        assert (first.params, second.params) == ({"attempt": 1}, {"attempt": 2})
        assert calls == 2
        assert opened == ["conn-0", "conn-1"]


async def test_many_in_flight_all_fail_on_drop(
    make_client: Callable[..., Any], encoding: str
) -> None:
    async def drop_after_three(session: Session) -> None:
        await session.init()
        for _ in range(3):
            await session.recv_action()
        session.abort()

    async with FakeServer(encoding, drop_after_three, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        await conn.ready()
        results = await asyncio.gather(
            *(conn.action("hang") for _ in range(3)), return_exceptions=True
        )
        assert all(isinstance(r, ConnectionLost) for r in results)
        assert await conn.echo("after") == ["after"]
        assert len(server.sessions) == 2


@pytest.mark.parametrize(
    ("code", "reason", "group_code", "ray_id"),
    [
        (1011, "guard.actor_runner_failed#t1s80abc", ("guard", "actor_runner_failed"), "t1s80abc"),
        (1011, "actor.stopped", ("actor", "stopped"), None),
        (1011, "message.outgoing_too_long", ("message", "outgoing_too_long"), None),
        (1000, "ws.eviction#ray-2", ("ws", "eviction"), "ray-2"),
    ],
)
async def test_close_reason_parsed_into_actor_error(
    make_client: Callable[..., Any],
    encoding: str,
    code: int,
    reason: str,
    group_code: tuple[str, str],
    ray_id: str | None,
) -> None:
    async def close_after_action(session: Session) -> None:
        await session.init()
        await session.recv_action()
        await session.close(code, reason)

    async with FakeServer(encoding, close_after_action, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        errors: list[Exception] = []
        conn.on_error(errors.append)
        await conn.ready()
        with pytest.raises(ActorError) as info:
            await conn.action("hang")
        assert (info.value.group, info.value.code) == group_code
        assert info.value.ray_id == ray_id
        assert errors == [info.value]
        # A drop of an established connection always reconnects.
        assert await conn.echo(1) == [1]
        assert len(server.sessions) == 2


async def test_unauthorized_close_after_connected_reconnects(
    make_client: Callable[..., Any], encoding: str
) -> None:
    async def close(session: Session) -> None:
        await session.init()
        await session.recv_action()
        await session.close(1011, "user.unauthorized")

    async with FakeServer(encoding, close, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        await conn.ready()
        with pytest.raises(Unauthorized):
            await conn.action("hang")
        assert await conn.echo(1) == [1]


@pytest.mark.parametrize(
    ("code", "reason"),
    [(1001, "going away now"), (1000, ""), (1011, "a.b.c"), (1011, "#ray"), (4000, "nodot")],
)
async def test_unparseable_close_reason_is_connection_lost(
    make_client: Callable[..., Any], encoding: str, code: int, reason: str
) -> None:
    async def close_after_action(session: Session) -> None:
        await session.init()
        await session.recv_action()
        await session.close(code, reason)

    async with FakeServer(encoding, close_after_action, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        await conn.ready()
        with pytest.raises(ConnectionLost) as info:
            await conn.action("hang")
        assert (info.value.code, info.value.reason) == (code, reason)
        assert str(code) in str(info.value)
        assert await conn.echo(1) == [1]
        assert len(server.sessions) == 2


async def test_dispose(make_client: Callable[..., Any], encoding: str) -> None:
    """Close 1000 "Disposed" reaches the server; pending and later calls raise ConnDisposed;
    nothing is sent after dispose (not even an unsubscribe); events() iterators end."""

    async def serve_and_emit(session: Session) -> None:
        await session.init()
        while True:
            msg = await session.recv()
            if isinstance(msg, SubscriptionRequest) and msg.event_name == "tick":
                await session.send(Event("tick", [1]))
            elif isinstance(msg, ActionRequest):
                await session.answer(msg)

    async with FakeServer(encoding, serve_and_emit) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        statuses: list[ConnStatus] = []
        closed: list[bool] = []
        conn.on_status_change(statuses.append)
        conn.on_close(lambda: closed.append(True))
        seen: list[list[Any]] = []

        async def consume() -> None:
            async for args in conn.events("tick"):
                seen.append(args)

        consumer = asyncio.ensure_future(consume())
        off = conn.on("other", lambda *a: None)
        await conn.ready()
        await wait_until(lambda: bool(seen))
        pending = asyncio.ensure_future(conn.action("hang"))
        session = server.sessions[0]
        await wait_until(lambda: len(session.actions()) == 1)
        frames_before = len(session.received)

        await conn.dispose()
        assert conn.status is ConnStatus.IDLE and conn.disposed
        assert statuses[-1] is ConnStatus.IDLE
        assert closed == [True]
        with pytest.raises(ConnDisposed):
            await pending
        with pytest.raises(ConnDisposed):
            await conn.echo(1)
        with pytest.raises(ConnDisposed):
            conn.on("late", lambda *a: None)
        off()  # removing the last listener after dispose sends nothing
        await asyncio.wait_for(consumer, 5)  # the events() iterator ended
        assert seen == [[1]]
        await wait_until(lambda: session.client_close is not None)
        assert session.client_close == (1000, "Disposed")
        assert len(session.received) == frames_before
        assert not any(isinstance(m, SubscriptionRequest) for m in session.received[frames_before:])
        assert client.connections == frozenset()
        await conn.dispose()  # idempotent


async def test_dispose_after_101_before_init(
    make_client: Callable[..., Any], encoding: str
) -> None:
    gate = asyncio.Event()

    async def open_but_no_init(session: Session) -> None:
        await session.send(Event("pre", [0]))  # proves the socket is open on the client
        await gate.wait()

    async with FakeServer(encoding, open_but_no_init) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        pre: list[Any] = []
        conn.on("pre", lambda *a: pre.append(a))
        ready = asyncio.ensure_future(conn.ready())
        queued = asyncio.ensure_future(conn.echo(1))
        await wait_until(lambda: bool(pre))
        assert conn.status is ConnStatus.CONNECTING
        await conn.dispose()
        gate.set()
        with pytest.raises(ConnDisposed):
            await ready
        with pytest.raises(ConnDisposed):
            await queued
        session = server.sessions[0]
        await wait_until(lambda: session.client_close is not None)
        assert session.client_close == (1000, "Disposed")
        assert session.received == []  # no subscription, no queued action


async def test_dispose_during_handshake(make_client: Callable[..., Any], encoding: str) -> None:
    """Disposed while the 101 is still on its way: the half-open socket is dropped."""
    gate = asyncio.Event()
    async with FakeServer(encoding, _gated(gate)) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        queued = asyncio.ensure_future(conn.echo(1))
        await server.wait_sessions(1)
        await conn.dispose()
        gate.set()
        with pytest.raises(ConnDisposed):
            await queued
        session = server.sessions[0]
        await wait_until(lambda: session.ws.state.name == "CLOSED")
        assert session.actions() == []


async def test_client_dispose_closes_every_connection(
    make_client: Callable[..., Any], encoding: str
) -> None:
    async with FakeServer(encoding) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conns = [client.counter.get_or_create(str(i)).connect() for i in range(3)]
        await asyncio.gather(*(c.ready() for c in conns))
        await client.dispose()
        assert all(c.disposed for c in conns)
        await wait_until(lambda: all(s.client_close is not None for s in server.sessions))
        assert {s.client_close for s in server.sessions} == {(1000, "Disposed")}


class Boom(Exception):
    pass


def _raise(*args: Any) -> None:
    raise Boom("sync callback")


async def _araise(*args: Any) -> None:
    await asyncio.sleep(0)
    raise Boom("async callback")


@pytest.mark.parametrize("callback", [_raise, _araise], ids=["sync", "async"])
async def test_raising_callbacks_are_logged_not_fatal(
    make_client: Callable[..., Any],
    encoding: str,
    callback: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def script(session: Session) -> None:
        await session.init()
        msg = await session.recv_action()
        await session.send(Event("ev", [1, 2]))
        await session.answer(msg)
        await session.recv_action()
        session.abort()  # fires on_close, on_error, status changes

    caplog.set_level(logging.DEBUG, logger="actorbind")
    async with FakeServer(encoding, script, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        good: list[Any] = []
        for register in (conn.on_status_change, conn.on_error, conn.on_open, conn.on_close):
            register(callback)
        conn.on("ev", callback)
        conn.once("ev", callback)
        conn.on("ev", lambda *a: good.append(a))
        await conn.ready()
        conn.on_open(callback)  # registered while connected: runs soon, must be guarded too
        assert await conn.echo(1) == [1]
        assert good == [(1, 2)]
        with pytest.raises(ConnectionLost):
            await conn.action("hang")
        assert await conn.echo(2) == [2]
        assert len(server.sessions) == 2
        await wait_until(lambda: any(r.levelno >= logging.ERROR for r in caplog.records))
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures, "raising callbacks must be logged"
    assert all(r.name.startswith("actorbind") for r in failures)
    assert all(r.exc_info and r.exc_info[0] is Boom for r in failures)


async def test_get_params_failure_is_retried(
    make_client: Callable[..., Any], encoding: str
) -> None:
    """A raising ``get_params`` is ``client.get_params_failed`` (retryable, like upstream);
    the error names the exception type only, never its text."""
    calls = 0

    async def get_params() -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("vault says secret-xyz")
        return {"attempt": calls}

    async with FakeServer(encoding) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect(get_params=get_params)
        errors: list[Exception] = []
        conn.on_error(errors.append)
        assert await conn.echo(1) == [1]
        assert len(errors) == 1 and isinstance(errors[0], ActorError)
        assert (errors[0].group, errors[0].code) == ("client", "get_params_failed")
        assert "secret-xyz" not in str(errors[0])
        assert [s.params for s in server.sessions] == [{"attempt": 2}]
