"""Failover and drain with runner *processes* (``python -m actorbind.runner``) on one engine:
SIGKILL one, and a new one (new envoy key) serves the same actor with its state from the KV."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from actorbind import create_client
from tests.runner.engine_flake import first_call
from tests.utils import SECOND, until_async

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]


class RunnerProcess:
    """``python -m actorbind.runner tests.support.actors:registry`` on ``pool``."""

    def __init__(self, endpoint: str, pool: str, log: Path) -> None:
        self.log = log
        env = {**os.environ, "PYTHONPATH": str(ROOT), "RIVET_ENDPOINT": endpoint}
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "actorbind.runner",
                    "tests.support.actors:registry",
                    "--pool",
                    pool,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=ROOT,
            )
        deadline = time.monotonic() + 60
        while "actorbind runner connected" not in self.output():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"runner did not connect:\n{self.output()}")
            time.sleep(0.05)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        finally:
            self.kill()


@pytest.fixture
def runners(rivet_engine: Any, tmp_path: Path, uid: str) -> Iterator[Any]:
    started: list[RunnerProcess] = []

    def start() -> RunnerProcess:
        runner = RunnerProcess(
            rivet_engine.endpoint, f"fo-{uid}", tmp_path / f"runner{len(started)}.log"
        )
        started.append(runner)
        return runner

    try:
        yield start
    finally:
        for runner in started:
            runner.kill()


async def test_state_survives_a_killed_runner(rivet_engine: Any, runners: Any, uid: str) -> None:
    first = runners()
    async with create_client(rivet_engine.endpoint, runner=f"fo-{uid}") as client:
        counter = client.counter.get_or_create(uid)
        actor_id = await first_call(counter.resolve)
        assert await counter.increment(8) == 8
        first.kill()  # SIGKILL: no drain, no goodbye
        runners()
        # Same actor id, a new process, the state from the engine's KV.
        assert await client.counter.get_for_id(actor_id).increment(1) == 9


async def test_sigterm_drains_and_the_next_runner_takes_over(
    rivet_engine: Any, runners: Any, uid: str
) -> None:
    first = runners()
    async with create_client(rivet_engine.endpoint, runner=f"fo-{uid}") as client:
        counter = client.counter.get_or_create(uid)
        await first_call(counter.resolve)
        assert await counter.increment(3) == 3
        second = runners()
        assert first.terminate() == 0
        assert await counter.increment(1) == 4
        assert second.proc.poll() is None


async def test_schedule_survives_a_killed_runner_and_runs_once_on_the_next(
    rivet_engine: Any, runners: Any, uid: str
) -> None:
    first = runners()
    async with create_client(rivet_engine.endpoint, runner=f"fo-{uid}") as client:
        sleepy = client.sleepy.get_or_create(uid)
        actor_id = await first_call(sleepy.resolve)
        assert await sleepy.scheduleAfter(1000, "late") is True
        first.kill()  # SIGKILL: the call is only in the engine's KV now
        runners()
        # The new process starts the actor (the engine's alarm, or this request) and runs the
        # call from the KV; the list shows each run, so a second run would show twice.
        again = client.sleepy.get_for_id(actor_id)
        alarms = await until_async(
            again.getAlarms, lambda got: got != [], "the call on the new runner", 60 * SECOND
        )
        assert alarms == ["late"]
