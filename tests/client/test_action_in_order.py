"""``ActorConn.action_in_order``: an action's outcome at its place in the socket's order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from actorbind import ActorError, ConnDisposed, ConnectionLost
from actorbind.protocol.messages import ActionResponse, Error, Event
from tests.client.conftest import wait_until
from tests.client.fake_server import FakeServer, Session


async def test_events_before_the_reply_are_dispatched_first_later_ones_after(
    make_client: Callable[..., Any], encoding: str
) -> None:
    async def script(session: Session) -> None:
        await session.init()
        msg = await session.recv_action()
        # Written back to back: they usually arrive in one read, which is where awaiting
        # the reply could not tell "before" from "after".
        await asyncio.gather(
            session.send(Event("tick", [1])),
            session.send(ActionResponse(msg.id, "snapshot")),
            session.send(Event("tick", [2])),
        )
        await session.serve_actions()

    async with FakeServer(encoding, script) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        seen: list[int] = []
        conn.on("tick", seen.append)
        await conn.ready()
        outcome: asyncio.Future[tuple[Any, list[int]]] = asyncio.get_running_loop().create_future()
        conn.action_in_order("load", [], lambda out, err: outcome.set_result((out, list(seen))))
        output, seen_at_reply = await asyncio.wait_for(outcome, 5)
        assert output == "snapshot" and seen_at_reply == [1]
        await wait_until(lambda: seen == [1, 2])


async def test_errors_reach_the_callback(make_client: Callable[..., Any], encoding: str) -> None:
    async def script(session: Session) -> None:
        await session.init()
        msg = await session.recv_action()
        await session.send(Error("user", "custom", "no", None, msg.id))
        await session.recv_action()
        session.abort()

    async with FakeServer(encoding, script, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        await conn.ready()
        results: list[tuple[Any, Exception | None]] = []
        conn.action_in_order("a", [1], lambda out, err: results.append((out, err)))
        await wait_until(lambda: len(results) == 1)
        assert results[0][0] is None and isinstance(results[0][1], ActorError)
        conn.action_in_order("b", [], lambda out, err: results.append((out, err)))
        await wait_until(lambda: len(results) == 2)
        assert isinstance(results[1][1], ConnectionLost)
        await conn.ready()
        conn.action_in_order("hang", [], lambda out, err: results.append((out, err)))
        await conn.dispose()
        assert isinstance(results[2][1], ConnDisposed)
        with pytest.raises(ConnDisposed):
            conn.action_in_order("late", [], lambda out, err: None)
