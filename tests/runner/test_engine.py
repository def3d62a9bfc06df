"""actorbind's client through a real rivet-engine 2.3.19 to Python actors (actorbind.runner)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from actorbind import ActorNotFound, create_client
from tests.conftest import ENCODINGS
from tests.runner.engine_flake import first_call
from tests.utils import SECOND, until_async

pytestmark = pytest.mark.engine


@pytest.fixture(params=ENCODINGS)
def encoding(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_actions_over_http(engine_endpoint: str, encoding: str, uid: str) -> None:
    async with create_client(engine_endpoint, encoding=encoding) as client:
        counter = client.counter.get_or_create(uid)
        await first_call(counter.resolve)
        assert await counter.increment(5) == 5
        assert await counter.increment(2) == 7
        assert await client.counter.get(uid).getCount() == 7
        assert await counter.getKey() == [uid]
        assert await counter.echo(1, "a", [None]) == [1, "a", [None]]


async def test_connection_action_and_events(engine_endpoint: str, encoding: str, uid: str) -> None:
    async with create_client(engine_endpoint, encoding=encoding) as client:
        handle = client.counter.get_or_create(uid)
        await first_call(handle.resolve)
        conn = handle.connect()
        got: asyncio.Queue[Any] = asyncio.Queue()
        conn.on("newCount", got.put_nowait)
        try:
            assert await conn.increment(3) == 3
            assert await asyncio.wait_for(got.get(), 30) == 3
            assert await conn.setCount(10) == 10
            assert await asyncio.wait_for(got.get(), 30) == 10
        finally:
            await conn.dispose()
        # The HTTP path sees what the connection did: one actor, one state.
        assert await client.counter.get(uid).getCount() == 10


async def test_input_reaches_create_state(engine_endpoint: str, uid: str) -> None:
    async with create_client(engine_endpoint) as client:
        handle = client.withInput.get_or_create(
            uid, create_with_input={"name": "alice", "startCount": 7}
        )
        await first_call(handle.resolve)
        assert await handle.getInput() == {"name": "alice", "startCount": 7}


async def test_destroyed_actor_is_gone_and_its_key_starts_fresh(
    engine_endpoint: str, uid: str
) -> None:
    async with create_client(engine_endpoint) as client:
        handle = client.counter.get_or_create(uid)
        await first_call(handle.resolve)
        assert await handle.increment(4) == 4
        actor_id = await handle.resolve()
        async with httpx.AsyncClient(timeout=30) as http:
            response = await http.delete(
                f"{engine_endpoint}/actors/{actor_id}", params={"namespace": "default"}
            )
            assert response.status_code == 200, response.text
        with pytest.raises(ActorNotFound):
            await client.counter.get(uid).getCount()
        # Same key again: a new actor, empty KV.
        again = client.counter.get_or_create(uid)
        assert await first_call(again.resolve) != actor_id
        assert await again.getCount() == 0


async def test_queue_message_handled_and_state_stored(engine_endpoint: str, uid: str) -> None:
    async with create_client(engine_endpoint) as client:
        queued = client.queued.get_or_create(uid)
        await first_call(queued.resolve)
        result = await queued.send("jobs", {"n": 2}, wait=True, timeout=30)
        assert result is not None and result.status == "completed"
        assert result.response == {"ok": True, "index": 0, "body": {"n": 2}}
        await queued.send("jobs", "later")
        received = [{"n": 2}, "later"]
        for _ in range(100):  # the fire-and-forget message lands on the actor's own time
            if await queued.received() == received:
                break
            await asyncio.sleep(0.05)
        assert await queued.received() == received


async def _engine_actor(endpoint: str, actor_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(
            f"{endpoint}/actors", params={"namespace": "default", "actor_ids": actor_id}
        )
        response.raise_for_status()
        actors: list[dict[str, Any]] = response.json()["actors"]
        return actors[0]


async def test_idle_actor_sleeps_through_the_engine_and_wakes_with_its_state(
    engine_endpoint: str, uid: str
) -> None:
    async with create_client(engine_endpoint) as client:
        sleepy = client.sleepy.get_or_create(uid)
        actor_id = await first_call(sleepy.resolve)
        before = await sleepy.getCounts()
        # sleep_timeout 0.5 s: the runner sends the sleep intent, the engine stops the actor.
        for _ in range(600):
            if (await _engine_actor(engine_endpoint, actor_id)).get("sleep_ts") is not None:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the engine never put the actor to sleep")
        after = await sleepy.getCounts()  # wakes it: a new generation, state from KV
        assert after["sleepCount"] == before["sleepCount"] + 1
        assert after["startCount"] == before["startCount"] + 1


async def test_schedule_wakes_the_sleeping_actor_through_the_engine_alarm(
    engine_endpoint: str, uid: str
) -> None:
    async with create_client(engine_endpoint) as client:
        sleepy = client.sleepy.get_or_create(uid)
        actor_id = await first_call(sleepy.resolve)
        due_ms = int(time.time() * 1000) + 2000
        assert await sleepy.scheduleAt(due_ms, "x1") is True
        assert await sleepy.triggerSleep() is True
        # Asleep (the runner holds no timer for it any more) ...
        await until_async(
            lambda: _engine_actor(engine_endpoint, actor_id),
            lambda actor: actor.get("sleep_ts") is not None,
            "the first sleep",
            timeout=30 * SECOND,
        )
        # ... then asleep again after the call's time: nobody called it, so the engine's
        # alarm started it, the call ran, and it went back to sleep.
        await until_async(
            lambda: _engine_actor(engine_endpoint, actor_id),
            lambda actor: (actor.get("sleep_ts") or 0) > due_ms,
            "a sleep after the alarm",
            timeout=60 * SECOND,
        )
        assert await sleepy.getAlarms() == ["x1"]
