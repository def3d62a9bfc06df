"""The runner's schedules without an engine: the ActorTable driven by start/stop commands, on
a fake engine KV. What the engine is told (``EventActorSetAlarm``, ms since the epoch, through
the real codec), the calls kept in the KV across starts, and a due call retired in the very put
that writes the state it left."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from actorbind.runner import _envoy_v8 as v8
from actorbind.runner.actors import ActorTable
from actorbind.runner.host import EngineHost
from actorbind.runner.store import EngineKvStore
from actorbind.runner.tunnel import Tunnel
from actorbind.server import ActionContext, Actor, Registry, action
from actorbind.server.context import ConnContext
from actorbind.server.limits import Limits
from actorbind.server.runtime import ActorRuntime
from actorbind.server.storage import Storage
from tests.runner.test_store import FakeEngineKv
from tests.utils import until

ACTOR = "a" * 30
FAR = 4_000_000_000  # seconds since the epoch: years away


class Planner(Actor):
    name = "planner"
    state = {"ran": []}
    sleep_timeout = None

    @action
    async def plan(self, ctx: ActionContext, ts: float, x: str) -> str:
        return await ctx.schedule.at(ts, "run", x)

    @action
    async def cancel(self, ctx: ActionContext, schedule_id: str) -> bool:
        return await ctx.schedule.cancel(schedule_id)

    @action
    async def listed(self, ctx: ActionContext) -> list[Any]:
        return [c["timestamp"] for c in await ctx.schedule.list()]

    @action
    def run(self, ctx: ActionContext, x: str) -> None:
        ctx.state["ran"].append(x)


class StateWritesFail(FakeEngineKv):
    """Refuses the puts that carry a state header while ``failing`` (a lost write)."""

    failing = False
    refused = 0

    def _answer(self, actor_id: str, req: Any) -> v8.KvResponseData:
        if self.failing and isinstance(req, v8.KvPutRequest) and b"Ph" in req.keys:
            self.refused += 1
            return v8.KvErrorResponse("write lost")
        return super()._answer(actor_id, req)


class Runner:
    """One envoy's ActorTable; what it sends goes through the codec into ``sent``."""

    def __init__(self, kv: FakeEngineKv) -> None:
        self.kv = kv
        self.sent: list[v8.ToRivet] = []
        store = EngineKvStore(kv.client)
        self.host = EngineHost(Registry(Planner), Storage(":memory:"), Limits(), store=store)
        tunnel = Tunnel(self.host, self._find, self._send)
        self.actors = ActorTable(
            self.host, store, tunnel, self._send, namespace="default", pool="default"
        )
        self.actors.connected = True
        self.host.find = self.actors.runtime

    async def _find(self, actor_id: str) -> ActorRuntime | None:
        return await self.actors.runtime(actor_id)

    def _send(self, msg: v8.ToRivet) -> None:
        self.sent.append(v8.decode_ToRivet(v8.encode_ToRivet(msg)))

    def _acked(self, generation: int, index: int) -> bool:
        return any(
            isinstance(m, v8.ToRivetAckCommands)
            and v8.ActorCheckpoint(ACTOR, generation, index) in m.last_command_checkpoints
            for m in self.sent
        )

    def alarms(self, generation: int | None = None) -> list[int | None]:
        """The alarms told the engine, in order (of one generation)."""
        return [
            e.inner.alarm_ts
            for m in self.sent
            if isinstance(m, v8.ToRivetEvents)
            for e in m.value
            if isinstance(e.inner, v8.EventActorSetAlarm)
            and generation in (None, e.checkpoint.generation)
        ]

    async def start(self, generation: int) -> ActorRuntime:
        config = v8.ActorConfig("planner", "k", 0, None)
        start = v8.CommandStartActor(config, [], None)
        self.actors.handle([v8.CommandWrapper(v8.ActorCheckpoint(ACTOR, generation, 1), start)])
        await until(lambda: self._acked(generation, 1), "the start")
        return self.host.runtimes[ACTOR]

    async def stop(self, generation: int) -> None:
        stop = v8.CommandStopActor(v8.StopActorReason.SleepIntent)
        self.actors.handle([v8.CommandWrapper(v8.ActorCheckpoint(ACTOR, generation, 2), stop)])
        await until(lambda: self._acked(generation, 2), "the stop")

    async def close(self) -> None:
        for actor_id in list(self.host.runtimes):
            await self.actors.stop_local(actor_id, "actor.stopped")
        await self.host.shutdown()
        self.host.storage.close()


async def call(runtime: ActorRuntime, name: str, *args: Any) -> Any:
    return await runtime.invoke(ConnContext("c", None, None), name, list(args))


@pytest.fixture
async def runner() -> Any:
    runner = Runner(StateWritesFail())
    try:
        yield runner
    finally:
        await runner.close()


def test_set_alarm_on_the_wire() -> None:
    golden = Path(__file__).with_name("golden_frames.jsonl").read_text().splitlines()
    frame = next(
        json.loads(line) for line in golden if "EventActorSetAlarm" in json.loads(line)["kind"]
    )
    checkpoint = v8.ActorCheckpoint(frame["msg"]["ToRivetEvents"][0]["checkpoint"]["actorId"], 1, 1)
    cleared = v8.ToRivetEvents([v8.EventWrapper(checkpoint, v8.EventActorSetAlarm(None))])
    assert v8.encode_ToRivet(cleared).hex() == frame["hex"]  # RivetKit's "no alarm"
    ts_ms = 4_000_000_020_250
    at = v8.ToRivetEvents([v8.EventWrapper(checkpoint, v8.EventActorSetAlarm(ts_ms))])
    # Event tag 2, optional present, then the i64 in little-endian.
    assert v8.encode_ToRivet(at).endswith(b"\x02\x01" + ts_ms.to_bytes(8, "little", signed=True))


async def test_the_engine_alarm_follows_the_earliest_call(runner: Runner) -> None:
    actor = await runner.start(1)
    assert runner.alarms() == [None]  # every start sets it: the engine's may be stale
    await call(actor, "plan", FAR + 20.25, "later")
    assert runner.alarms() == [None, 4_000_000_020_250]
    await call(actor, "plan", FAR + 30, "latest")
    assert runner.alarms() == [None, 4_000_000_020_250]  # the earliest did not change
    sooner = await call(actor, "plan", FAR + 10.5, "sooner")
    assert runner.alarms()[-1] == 4_000_000_010_500
    assert await call(actor, "cancel", sooner) is True
    assert await call(actor, "cancel", sooner) is False
    assert runner.alarms()[-1] == 4_000_000_020_250
    await runner.stop(1)

    # Another process: the calls come from the KV and the alarm is set again.
    other = Runner(runner.kv)
    try:
        again = await other.start(2)
        assert other.alarms(2) == [4_000_000_020_250]
        assert await call(again, "listed") == [FAR + 20.25, FAR + 30]
    finally:
        await other.close()


async def test_a_due_call_runs_once_retired_in_the_put_of_its_state(runner: Runner) -> None:
    actor = await runner.start(1)
    schedule_id = await call(actor, "plan", time.time() - 1, "now")
    await until(lambda: actor.instance.state["ran"] == ["now"], "the due call")
    await until(lambda: runner.alarms()[-1:] == [None], "the alarm cleared")
    key = b"Pa" + schedule_id.encode()
    put = next(
        r.data
        for r in runner.kv.requests
        if isinstance(r.data, v8.KvPutRequest) and b"Ph" in r.data.keys and key in r.data.keys
    )
    assert put.values[put.keys.index(key)] == b"\xf6"  # retired in the state's own put
    await until(lambda: key not in runner.kv.data[ACTOR], "the retired call deleted")
    await runner.stop(1)
    again = await runner.start(2)
    assert again.instance.state["ran"] == ["now"]
    assert await call(again, "listed") == []  # nothing left to run twice
    assert runner.alarms(2) == [None]


async def test_a_call_whose_state_was_not_written_runs_at_the_next_start(
    runner: Runner,
) -> None:
    kv = runner.kv
    assert isinstance(kv, StateWritesFail)
    actor = await runner.start(1)
    kv.failing = True
    await call(actor, "plan", time.time() - 1, "retry")
    await until(lambda: kv.refused == 1, "the lost write")
    assert actor.instance.state["ran"] == []  # rolled back: not acknowledged
    kv.failing = False
    await runner.stop(1)
    again = await runner.start(2)
    await until(lambda: again.instance.state["ran"] == ["retry"], "the call at the next start")
    assert await call(again, "listed") == []
