"""The raw floor: a plain ``websockets`` client doing the same decode work as actorbind.

``python -m benchmarks.raw_bench --endpoint E --encoding bare --scenario fanin|ws`` prints
``BENCH_RESULT {...}`` with the metric names of ``py_bench``. No connection layer: the actor's
route comes from actorbind (HTTP, outside the measured part), then websockets' asyncio client
sends actorbind-encoded requests and every message is decoded with actorbind's codec
(``decode_to_client``), which is the least any client of this protocol does per message.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from actorbind import create_client
from actorbind.protocol.codecs import codec_for
from actorbind.protocol.messages import (
    ActionRequest,
    ActionResponse,
    Event,
    Init,
    SubscriptionRequest,
)
from actorbind.protocol.urls import to_websocket_url

from .common import cpu_seconds, emit, percentile


class Raw:
    """One raw socket to a counter actor; replies counted, events counted."""

    def __init__(self, ws: ClientConnection, encoding: str) -> None:
        self.ws = ws
        self.codec = codec_for(encoding)
        self.next_id = 0

    async def send(self, name: str, args: list[Any]) -> None:
        action_id = self.next_id
        self.next_id += 1
        await self.ws.send(self.codec.encode_to_server(ActionRequest(action_id, name, args)))

    async def recv(self) -> Any:
        return self.codec.decode_to_client(await self.ws.recv())


async def open_raw(endpoint: str, encoding: str, scenario: str) -> tuple[Any, Raw]:
    client = create_client(endpoint, encoding=encoding)
    h = client.counter.get_or_create(f"bench-raw-{scenario}-{uuid.uuid4().hex[:10]}")
    route = await h._target.connect_route(False)  # the same URL the actorbind client opens
    ws = await connect(
        to_websocket_url(route.url),
        subprotocols=["rivet", f"rivet_encoding.{encoding}", *route.subprotocols],  # type: ignore[list-item]
        compression=None,
        max_size=None,
        ping_interval=None,
    )
    raw = Raw(ws, encoding)
    msg = await raw.recv()
    assert isinstance(msg, Init), msg
    return client, raw


async def bench_ws(raw: Raw, a: argparse.Namespace) -> list[dict[str, float]]:
    async def sequential(n: int) -> tuple[list[float], float]:
        lat = []
        c0 = cpu_seconds()
        for _ in range(n):
            t0 = time.perf_counter_ns()
            await raw.send("increment", [1])
            msg = await raw.recv()
            assert isinstance(msg, ActionResponse)
            lat.append((time.perf_counter_ns() - t0) / 1000.0)
        return lat, (cpu_seconds() - c0) * 1e6 / n

    async def pipelined(total: int, window: int) -> tuple[float, float]:
        c0 = cpu_seconds()
        t0 = time.perf_counter()
        sent = 0
        for _ in range(min(window, total)):
            await raw.send("increment", [1])
            sent += 1
        for _ in range(total):
            msg = await raw.recv()
            assert isinstance(msg, ActionResponse)
            if sent < total:
                await raw.send("increment", [1])
                sent += 1
        elapsed = time.perf_counter() - t0
        return total / elapsed, (cpu_seconds() - c0) * 1e6 / total

    await sequential(a.warmup)
    reps = []
    for _ in range(a.reps):
        lat, cpu_seq = await sequential(a.seq)
        tput, cpu = await pipelined(a.tput, 100)
        reps.append(
            {
                "rtt_p50_us": percentile(lat, 50),
                "rtt_p99_us": percentile(lat, 99),
                "seq_cpu_us_per_call": cpu_seq,
                "tput_per_s": tput,
                "cpu_us_per_call": cpu,
            }
        )
    return reps


async def bench_fanin(raw: Raw, a: argparse.Namespace) -> list[dict[str, float]]:
    await raw.ws.send(raw.codec.encode_to_server(SubscriptionRequest("tick", True)))

    async def flood(n: int) -> tuple[float, float, int]:
        c0 = cpu_seconds()
        t0 = time.perf_counter()
        await raw.send("flood", [n])
        got = 0
        replied = False
        try:
            async with asyncio.timeout(a.timeout):
                while got < n or not replied:
                    msg = await raw.recv()
                    if type(msg) is Event:
                        got += msg.name == "tick"
                    elif isinstance(msg, ActionResponse):
                        replied = True
        except TimeoutError:
            pass  # reported as events_lost
        return time.perf_counter() - t0, cpu_seconds() - c0, got

    await flood(min(1000, a.events))  # warm-up
    reps = []
    for _ in range(a.reps):
        elapsed, cpu, got = await flood(a.events)
        reps.append(
            {
                "events_per_s": got / elapsed,
                "cpu_us_per_event": cpu * 1e6 / max(got, 1),
                "events_lost": float(a.events - got),
            }
        )
    return reps


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.raw_bench")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--encoding", default="bare", choices=("json", "cbor", "bare"))
    p.add_argument("--scenario", required=True, choices=("ws", "fanin"))
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--seq", type=int, default=500)
    p.add_argument("--tput", type=int, default=3000)
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--timeout", type=float, default=120.0)
    return p.parse_known_args(argv)[0]  # the runner passes py_bench's options too


async def run(a: argparse.Namespace) -> dict[str, Any]:
    client, raw = await open_raw(a.endpoint, a.encoding, a.scenario)
    try:
        reps = await (bench_ws if a.scenario == "ws" else bench_fanin)(raw, a)
    finally:
        await raw.ws.close()
        await client.dispose()
    return {"client": "raw", "scenario": a.scenario, "encoding": a.encoding, "reps": reps}


def main(argv: list[str] | None = None) -> None:
    emit(asyncio.run(run(parse_args(argv))))


if __name__ == "__main__":
    main()
