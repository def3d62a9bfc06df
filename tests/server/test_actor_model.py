"""The actor model on the embedded server alone: options and what is (not) persisted."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import httpx

from actorbind.server import ActionContext, Actor, Registry, action, serve


class Plain(Actor):
    @action
    def ping(self, ctx: ActionContext) -> str:
        return "pong"


class WithState(Actor):
    state = {"n": 0}


class FromCreate(Actor):
    def create_state(self, ctx: Any, input: Any) -> Any:
        return 1


class Child(WithState):
    pass


class ReadModifyWrite(Actor):
    """An async read-await-write: serial actors never lose an update."""

    state = {"n": 0}

    @action
    async def bump(self, ctx: ActionContext) -> int:
        n = ctx.state["n"]
        await asyncio.sleep(0)
        ctx.state["n"] = n + 1
        return int(ctx.state["n"])


def test_stateless_is_declared_by_absence() -> None:
    assert Plain.__stateless__
    assert not WithState.__stateless__
    assert not FromCreate.__stateless__
    assert not Child.__stateless__
    assert Plain.interleave is False  # serial unless asked


def _url(endpoint: str, name: str, action: str) -> str:
    return (
        f"{endpoint}/gateway/{name}/action/{action}?rvt-namespace=default&rvt-method=getOrCreate"
        "&rvt-runner=default&rvt-key=k"
    )


async def test_stateless_actor_stores_no_state(tmp_path: Path) -> None:
    data = tmp_path / "actors.db"
    registry = Registry(Plain, ReadModifyWrite)
    async with serve(registry, data=data) as endpoint, httpx.AsyncClient() as http:
        r = await http.post(_url(endpoint, "plain", "ping"), content=b'{"args":[]}')
        assert r.json() == {"output": "pong"}
        r = await http.post(_url(endpoint, "readModifyWrite", "bump"), content=b'{"args":[]}')
        assert r.json() == {"output": 1}
    # closing(): a connection's own `with` only commits; Python 3.13 warns about the unclosed one.
    with contextlib.closing(sqlite3.connect(data)) as db:
        rows = dict(db.execute("SELECT name, state IS NOT NULL FROM actors").fetchall())
    assert rows == {"plain": 0, "readModifyWrite": 1}


async def test_serial_by_default() -> None:
    registry = Registry(ReadModifyWrite)
    async with serve(registry) as endpoint, httpx.AsyncClient(timeout=30) as http:

        async def bump_all(name: str) -> list[int]:
            url = _url(endpoint, name, "bump")
            replies = await asyncio.gather(
                *(http.post(url, content=b'{"args":[]}') for _ in range(20))
            )
            return sorted(r.json()["output"] for r in replies)

        assert await bump_all("readModifyWrite") == list(range(1, 21))


class Meddler(Actor):
    """on_state_change may not change the state: the change is undone."""

    state = {"n": 0, "seen": 0}
    vars = {"calls": 0}

    def on_state_change(self, ctx: Any, state: Any) -> None:
        ctx.vars["calls"] += 1
        state["seen"] += 1

    @action
    def set(self, ctx: ActionContext, n: int) -> Any:
        ctx.state["n"] = n
        return None

    @action
    def get(self, ctx: ActionContext) -> Any:
        return [ctx.state, ctx.vars]


async def test_on_state_change_cannot_change_state() -> None:
    async with serve(Registry(Meddler)) as endpoint, httpx.AsyncClient() as http:
        for n in (1, 2):
            r = await http.post(_url(endpoint, "meddler", "set"), content=f'{{"args":[{n}]}}')
            assert r.status_code == 200
        r = await http.post(_url(endpoint, "meddler", "get"), content=b'{"args":[]}')
        assert r.json() == {"output": [{"n": 2, "seen": 0}, {"calls": 2}]}
    assert Meddler.vars == {"calls": 0}  # vars are copied per start


class Worker(Actor):
    """Pulls with ctx.queue; a completable message never completed comes back."""

    state = {}
    queues = ("jobs",)

    @action
    async def takeWithoutCompleting(self, ctx: ActionContext) -> Any:
        message = await ctx.queue.next(["jobs"], timeout=5, completable=True)
        return None if message is None else message.body

    @action
    async def drain(self, ctx: ActionContext, n: int) -> list[Any]:
        bodies = []
        async for message in ctx.queue.iter(["jobs"]):
            bodies.append(message.body)
            if len(bodies) == n:
                break
        return bodies


async def test_uncompleted_message_is_delivered_again(tmp_path: Path) -> None:
    data = tmp_path / "actors.db"
    queue_url = (
        "{ep}/gateway/worker/queue/jobs?rvt-namespace=default&rvt-method=getOrCreate"
        "&rvt-runner=default&rvt-key=k"
    )
    async with serve(Registry(Worker), data=data) as endpoint, httpx.AsyncClient() as http:
        for body in ("a", "b"):
            r = await http.post(queue_url.format(ep=endpoint), json={"body": body})
            assert r.json() == {"status": "completed"}
        r = await http.post(_url(endpoint, "worker", "takeWithoutCompleting"), content=b"{}")
        assert r.json() == {"output": "a"}
    async with serve(Registry(Worker), data=data) as endpoint, httpx.AsyncClient() as http:
        r = await http.post(_url(endpoint, "worker", "drain"), content=b'{"args":[2]}')
        assert r.json() == {"output": ["a", "b"]}


class Napper(Actor):
    state = {}
    sleep_timeout = 3600.0  # never on its own during the test

    def __init__(self) -> None:
        self.release = asyncio.Event()

    @action
    def hold(self, ctx: ActionContext) -> None:
        ctx.keep_awake(self.release.wait())


async def test_keep_awake_defers_sleep() -> None:
    from actorbind.server.host import ActorHost
    from actorbind.server.limits import Limits
    from actorbind.server.storage import Storage

    storage = Storage(":memory:")
    host = ActorHost(Registry(Napper), storage, Limits())
    try:
        record, _ = host.get_or_create("default", "napper", ("k",))
        runtime = await host.wake(record)
        conn = _conn()
        await runtime.locked(lambda: runtime.run_action(conn, "hold", []))
        assert runtime.activity.busy == 1  # the keep-awake task
        sleeping = asyncio.ensure_future(host.sleep(record.actor_id))
        await asyncio.sleep(0)
        assert not sleeping.done() and not host.is_asleep(record.actor_id)
        napper = runtime.instance
        assert isinstance(napper, Napper)
        napper.release.set()
        await asyncio.wait_for(sleeping, 10)
        assert host.is_asleep(record.actor_id)
        woken = await host.wake(record)
        assert woken is not runtime and not host.is_asleep(record.actor_id)
    finally:
        await host.shutdown()
        storage.close()


async def test_keep_awake_counts_from_the_call() -> None:
    """A sleep asked for right after ``keep_awake`` waits for it: the work counts at once, not
    when its task first runs (Python 3.13 ran the task later and the actor slept)."""
    from actorbind.server.host import ActorHost
    from actorbind.server.limits import Limits
    from actorbind.server.storage import Storage

    storage = Storage(":memory:")
    host = ActorHost(Registry(Napper), storage, Limits())
    try:
        record, _ = host.get_or_create("default", "napper", ("k2",))
        runtime = await host.wake(record)
        release = asyncio.Event()
        runtime.keep_awake(release.wait())
        assert runtime.activity.busy == 1  # no await since the call
        release.set()
        await asyncio.wait_for(runtime.activity.idle(), 10)
        assert runtime.activity.busy == 0
    finally:
        await host.shutdown()
        storage.close()


def _conn() -> Any:
    from actorbind.server import ConnContext

    return ConnContext("test", None, None)


class Alarmed(Actor):
    state = {"fired": []}

    @action
    async def later(self, ctx: ActionContext, seconds: float) -> str:
        return await ctx.schedule.after(seconds, "fire", "x")

    @action
    def fire(self, ctx: ActionContext, x: str) -> None:
        ctx.state["fired"].append(x)

    @action
    def fired(self, ctx: ActionContext) -> list[str]:
        return list(ctx.state["fired"])

    @action
    def noClient(self, ctx: ActionContext) -> Any:
        return ctx.client()


async def test_schedules_survive_a_restart_and_client_needs_a_factory(tmp_path: Path) -> None:
    data = tmp_path / "actors.db"
    async with serve(Registry(Alarmed), data=data) as endpoint, httpx.AsyncClient() as http:
        r = await http.post(_url(endpoint, "alarmed", "later"), content=b'{"args":[2.0]}')
        assert isinstance(r.json()["output"], str)
        # Without serve(client=...), ctx.client() fails (masked for the caller, logged).
        r = await http.post(_url(endpoint, "alarmed", "noClient"), content=b"{}")
        assert r.status_code == 500
    # The server stopped before the alarm was due: the next run loads and fires it.
    async with serve(Registry(Alarmed), data=data) as endpoint, httpx.AsyncClient() as http:
        deadline = asyncio.get_running_loop().time() + 20
        while True:
            r = await http.post(_url(endpoint, "alarmed", "fired"), content=b"{}")
            if r.json() == {"output": ["x"]}:
                break
            assert asyncio.get_running_loop().time() < deadline, r.json()
            await asyncio.sleep(0.05)
    with contextlib.closing(sqlite3.connect(data)) as db:
        assert db.execute("SELECT COUNT(*) FROM schedules").fetchone() == (0,)
