"""The ``room`` actor behaves the same on the embedded server and on real RivetKit."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from actorbind import ActorConn, ActorError, create_client
from tests.utils import until

ENCODINGS = ("bare", "json")


def _key() -> list[str]:
    return [f"t-{uuid.uuid4().hex[:10]}"]


def _record(conn: ActorConn, *names: str) -> dict[str, list[list[Any]]]:
    seen: dict[str, list[list[Any]]] = {name: [] for name in names}
    for name in names:
        conn.on(name, lambda *args, n=name: seen[n].append(list(args)))
    return seen


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_count_message_and_history(room_endpoint: str, encoding: str) -> None:
    async with create_client(room_endpoint, encoding=encoding) as client:
        key = _key()
        alice = client.room.get_or_create(key, params={"user": "alice"}).connect()
        bob = client.room.get_or_create(key, params={"user": "bob"}).connect()
        seen = _record(bob, "count", "message")
        await alice.ready()
        await bob.ready()
        await until(lambda: bob.status.value == "connected", "bob connected")
        assert await alice.getCount() == 0
        assert await alice.increment(5) == 5
        assert await bob.increment(-2) == 3
        message = await alice.say("  hello  ")
        assert message["user"] == "alice" and message["text"] == "hello"
        assert isinstance(message["ts"], int | float) and message["ts"] > 1.6e12
        await until(lambda: len(seen["message"]) == 1 and len(seen["count"]) == 2, "events")
        assert seen["count"] == [[5, "alice"], [3, "bob"]]
        assert seen["message"] == [[message]]
        assert await bob.history() == [message]
        # A stateless HTTP call sees the same state (its connection has no user).
        handle = client.room.get_or_create(key)
        assert await handle.getCount() == 3
        assert (await handle.say("from http"))["user"] == "anonymous"


async def test_errors(room_endpoint: str) -> None:
    async with create_client(room_endpoint) as client:
        key = _key()
        conn = client.room.get_or_create(key, params={"user": "alice"}).connect()
        for bad in ("", "   ", None):
            with pytest.raises(ActorError) as info:
                await conn.say(bad)
            assert (info.value.group, info.value.code) == ("user", "empty_message")
        with pytest.raises(ActorError) as info:
            await conn.say("x" * 501)
        assert info.value.code == "message_too_long"
        with pytest.raises(ActorError) as info:
            await conn.increment("7")
        assert info.value.code == "bad_amount"
        with pytest.raises(ActorError) as info:
            await client.room.get_or_create(key).say("")
        assert info.value.code == "empty_message"
        assert await conn.history() == []
        assert await conn.getCount() == 0


async def test_history_keeps_the_last_200(room_endpoint: str) -> None:
    async with create_client(room_endpoint) as client:
        conn = client.room.get_or_create(_key(), params={"user": "carol"}).connect()
        for i in range(205):  # one by one: concurrent actions may run in any order
            await conn.say(f"m{i}")
        history = await conn.history()
        assert [m["text"] for m in history] == [f"m{i}" for i in range(5, 205)]


async def test_presence(room_endpoint: str) -> None:
    async with create_client(room_endpoint) as client:
        key = _key()
        alice = client.room.get_or_create(key, params={"user": "alice"}).connect()
        seen = _record(alice, "presence")
        await alice.ready()
        assert await alice.presence() == ["alice"]
        bob = client.room.get_or_create(key, params={"user": "bob"}).connect()
        nobody = client.room.get_or_create(key).connect()  # no user: not a person
        await bob.ready()
        await nobody.ready()
        await until(lambda: ["alice", "bob"] in [a[0] for a in seen["presence"]], "bob joined")
        # The HTTP call's own connection has no user: skipped.
        assert await client.room.get_or_create(key).presence() == ["alice", "bob"]
        assert await nobody.presence() == ["alice", "bob"]
        await bob.dispose()
        await until(lambda: seen["presence"][-1] == [["alice"]], "bob left")
        assert await alice.presence() == ["alice"]
