"""The runner's ActorTable keeps nothing per actor once a generation has stopped, and its
replay cursors are bounded: a long-lived runner hosting many actors does not grow."""

from __future__ import annotations

from typing import Any

import pytest

from actorbind.runner import _envoy_v8 as v8
from actorbind.server.context import ConnContext
from tests.runner.test_destroy import Runner, hooks
from tests.utils import until


@pytest.fixture
async def runner() -> Any:
    hooks.clear()
    runner = Runner()
    try:
        yield runner
    finally:
        await runner.close()


def _acked(runner: Runner, actor_id: str, index: int) -> bool:
    cp = v8.ActorCheckpoint(actor_id, 1, index)
    return any(
        isinstance(m, v8.ToRivetAckCommands) and cp in m.last_command_checkpoints
        for m in runner.sent
    )


async def _command(runner: Runner, actor_id: str, index: int, inner: v8.Command) -> None:
    runner.actors.handle([v8.CommandWrapper(v8.ActorCheckpoint(actor_id, 1, index), inner)])
    await until(lambda: _acked(runner, actor_id, index), f"{actor_id} command {index}")


async def test_stopped_actors_leave_nothing_behind(runner: Runner) -> None:
    table = runner.actors
    table.seen_limit = 5
    config = v8.ActorConfig("doomed", "k", 0, None)
    for i in range(12):
        actor_id = f"{i:030d}"
        await _command(runner, actor_id, 1, v8.CommandStartActor(config, [], None))
        actor = runner.host.runtimes[actor_id]
        await actor.invoke(ConnContext("c", None, None), "destroySelf", [])
        key = (actor_id, 1)
        await until(lambda key=key: key in table._destroying, "the destroy intent")
        await _command(runner, actor_id, 2, v8.CommandStopActor(v8.StopActorReason.StopIntent))
    assert len(hooks) == 12  # each one was destroyed
    assert runner.host.runtimes == {}
    assert table._destroying == set()
    assert table._intents == set()
    assert table._next_event == {}
    await until(lambda: table._locks == {} and table._queued == {}, "the locks released")
    assert len(table._seen) == 5
