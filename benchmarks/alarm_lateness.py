"""How late a schedule runs when the engine's alarm has to wake the sleeping actor.

A standalone engine (the tests' settings) and actorbind.runner hosting one actor that, ``--n``
times, schedules a call ``--delay`` seconds ahead and goes to sleep at once (``ctx.sleep()``).
Nobody calls it until the call ran: the engine's alarm starts it. Prints, per round, when the
instance that ran the call started (ms after the due time; negative: the engine woke it early
and the runner's own timer waited) and how late the call ran::

    flock /work/.heavy.lock .venv/bin/python -m benchmarks.alarm_lateness --n 8
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from typing import Any

from actorbind import create_client
from actorbind.runner import serve_engine
from actorbind.server import ActionContext, Actor, ActorContext, Registry, action
from actorbind.testing.engine import RivetEngine


class Late(Actor):
    name = "late"
    state: Any = {"runs": [], "woke": 0.0}
    sleep_timeout = 0.3

    def on_wake(self, ctx: ActorContext) -> None:
        ctx.state["woke"] = time.time() * 1000

    @action
    async def plan(self, ctx: ActionContext, due_ms: int) -> bool:
        await ctx.schedule.at(due_ms / 1000, "fire", due_ms)
        ctx.sleep()
        return True

    @action
    def fire(self, ctx: ActionContext, due_ms: int) -> None:
        now = time.time() * 1000
        ctx.state["runs"].append([ctx.state["woke"] - due_ms, now - due_ms])

    @action
    def runs(self, ctx: ActionContext) -> list[list[float]]:
        return list(ctx.state["runs"])


async def main(args: argparse.Namespace) -> None:
    with RivetEngine(pegboard={"envoy_lost_threshold": 4000}) as engine:
        async with (
            serve_engine(Registry(Late), endpoint=engine.endpoint, pool="late"),
            create_client(engine.endpoint, runner="late") as client,
        ):
            actor = client.late.get_or_create(uuid.uuid4().hex)
            for _ in range(3):  # the engine's first-create timeout (tests/runner/engine_flake.py)
                try:
                    await actor.resolve()
                    break
                except Exception as exc:
                    print("first create failed, again:", type(exc).__name__)
            for i in range(args.n):
                await actor.plan(int(time.time() * 1000 + args.delay * 1000))
                # Wait for this round's run without waking the actor (a call would wake it).
                deadline = time.monotonic() + args.delay + 30
                while time.monotonic() < deadline:
                    await asyncio.sleep(args.delay + 1)
                    if len(await actor.runs()) > i:
                        break
            runs = await actor.runs()
    woke = [r[0] for r in runs]
    late = [r[1] for r in runs]
    print(f"rounds {len(runs)} of {args.n}, delay {args.delay} s")
    print("instance started, ms after due:", [round(w) for w in woke])
    print("call ran, ms after due:", [round(x) for x in late])
    if late:
        print(f"late: median {statistics.median(late):.0f} ms, max {max(late):.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--delay", type=float, default=1.5)
    asyncio.run(main(parser.parse_args()))
