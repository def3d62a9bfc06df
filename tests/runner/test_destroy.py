"""``ctx.destroy()`` under the runner, without an engine: the ActorTable asks the engine
(``EventActorIntent(Stop)``, once), and the stop command that answers runs ``on_destroy``,
drops the KV and reports a graceful ``Stopped(Ok)`` (which the engine takes as the actor's
end); a stop nobody asked for is no destroy. Once a generation stopped, the table keeps
nothing of it, and its replay cursors are bounded."""

from __future__ import annotations

from typing import Any

import pytest

from actorbind.runner import _envoy_v8 as v8
from actorbind.runner.actors import ActorTable
from actorbind.runner.host import EngineHost
from actorbind.runner.store import EngineKvStore
from actorbind.runner.tunnel import Tunnel
from actorbind.server import ActionContext, Actor, ActorContext, Registry, action
from actorbind.server.context import ConnContext
from actorbind.server.limits import Limits
from actorbind.server.runtime import ActorRuntime
from actorbind.server.storage import Storage
from tests.runner.test_store import FakeEngineKv
from tests.utils import until

ACTOR = "d" * 30
hooks: list[str] = []


class Doomed(Actor):
    name = "doomed"
    state = {"value": 0}
    sleep_timeout = None

    async def on_destroy(self, ctx: ActorContext) -> None:
        hooks.append(f"on_destroy {ctx.state['value']}")

    async def on_sleep(self, ctx: ActorContext) -> None:
        hooks.append("on_sleep")

    @action
    def set(self, ctx: ActionContext, x: int) -> int:
        ctx.state["value"] = x
        return x

    @action
    def destroySelf(self, ctx: ActionContext) -> bool:
        ctx.destroy()
        ctx.destroy()  # twice: still one intent
        return True


class Runner:
    def __init__(self) -> None:
        self.kv = FakeEngineKv()
        self.sent: list[v8.ToRivet] = []
        store = EngineKvStore(self.kv.client)
        self.host = EngineHost(Registry(Doomed), Storage(":memory:"), Limits(), store=store)
        tunnel = Tunnel(self.host, self.host_find, self._send)
        self.actors = ActorTable(
            self.host, store, tunnel, self._send, namespace="default", pool="default"
        )
        self.actors.connected = True
        self.host.find = self.actors.runtime
        self.host.sleep_intent = self.actors.sleep_intent
        self.host.destroy_intent = self.actors.destroy_intent

    async def host_find(self, actor_id: str) -> ActorRuntime | None:
        return await self.actors.runtime(actor_id)

    def _send(self, msg: v8.ToRivet) -> None:
        self.sent.append(v8.decode_ToRivet(v8.encode_ToRivet(msg)))

    def events(self) -> list[v8.Event]:
        return [e.inner for m in self.sent if isinstance(m, v8.ToRivetEvents) for e in m.value]

    def acked(self, index: int, actor_id: str = ACTOR) -> bool:
        return any(
            isinstance(m, v8.ToRivetAckCommands)
            and v8.ActorCheckpoint(actor_id, 1, index) in m.last_command_checkpoints
            for m in self.sent
        )

    async def command(self, index: int, inner: v8.Command, actor_id: str = ACTOR) -> None:
        self.actors.handle([v8.CommandWrapper(v8.ActorCheckpoint(actor_id, 1, index), inner)])
        await until(lambda: self.acked(index, actor_id), f"{actor_id} command {index}")

    async def start(self, actor_id: str = ACTOR) -> ActorRuntime:
        config = v8.ActorConfig("doomed", "k", 0, None)
        await self.command(1, v8.CommandStartActor(config, [], None), actor_id)
        return self.host.runtimes[actor_id]

    async def close(self) -> None:
        for actor_id in list(self.host.runtimes):
            await self.actors.stop_local(actor_id, "actor.stopped")
        await self.host.shutdown()
        self.host.storage.close()


@pytest.fixture
async def runner() -> Any:
    hooks.clear()
    runner = Runner()
    try:
        yield runner
    finally:
        await runner.close()


def _intents(runner: Runner) -> list[v8.ActorIntent]:
    return [e.intent for e in runner.events() if isinstance(e, v8.EventActorIntent)]


async def test_ctx_destroy_asks_the_engine_and_its_stop_destroys(runner: Runner) -> None:
    actor = await runner.start()
    conn = ConnContext("c", None, None)
    await actor.invoke(conn, "set", [5])
    assert await actor.invoke(conn, "destroySelf", []) is True
    await until(lambda: _intents(runner) != [], "the stop intent")
    assert _intents(runner) == [v8.ActorIntentStop()]
    assert hooks == []  # nothing happens here until the engine stops the actor
    assert ACTOR in runner.host.runtimes

    # The engine answers the intent with a stop (StopIntent, not Destroy).
    await runner.command(2, v8.CommandStopActor(v8.StopActorReason.StopIntent))
    assert hooks == ["on_destroy 5"]
    assert ACTOR not in runner.host.runtimes
    assert any(isinstance(r.data, v8.KvDropRequest) for r in runner.kv.requests)
    assert runner.kv.data[ACTOR] == {}
    stopped = v8.EventActorStateUpdate(v8.ActorStateStopped(v8.StopCode.Ok, None))
    assert runner.events()[-1] == stopped


async def test_a_stop_nobody_asked_for_is_no_destroy(runner: Runner) -> None:
    actor = await runner.start()
    await actor.invoke(ConnContext("c", None, None), "set", [7])
    await runner.command(2, v8.CommandStopActor(v8.StopActorReason.SleepIntent))
    assert hooks == ["on_sleep"]
    assert not any(isinstance(r.data, v8.KvDropRequest) for r in runner.kv.requests)


async def test_the_engines_destroy_runs_on_destroy(runner: Runner) -> None:
    await runner.start()
    await runner.command(2, v8.CommandStopActor(v8.StopActorReason.Destroy))
    assert hooks == ["on_destroy 0"]
    assert runner.kv.data[ACTOR] == {}


async def test_stopped_actors_leave_nothing_behind(runner: Runner) -> None:
    table = runner.actors
    table.seen_limit = 5
    for i in range(12):
        actor_id = f"{i:030d}"
        actor = await runner.start(actor_id)
        await actor.invoke(ConnContext("c", None, None), "destroySelf", [])
        key = (actor_id, 1)
        await until(lambda key=key: key in table._destroying, "the destroy intent")
        await runner.command(2, v8.CommandStopActor(v8.StopActorReason.StopIntent), actor_id)
    assert len(hooks) == 12  # each one was destroyed
    assert runner.host.runtimes == {}
    assert table._destroying == set()
    assert table._intents == set()
    assert table._next_event == {}
    await until(lambda: table._locks == {} and table._queued == {}, "the locks released")
    assert len(table._seen) == 5
