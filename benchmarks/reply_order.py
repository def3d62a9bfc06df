"""Does a server write an action's reply after events of state it did not read?

``live_state`` drops the events that arrive before its load's reply, on the premise that
they are already in the snapshot. This probe measures that premise on a server: one
connection subscribes to ``newCount`` and reads ``getCount`` again and again (the reply
handled at its place in the socket's order, ``ActorConn.action_in_order``) while another
connection increments with 8 calls in flight. A reply counts as out of order when an event of
a *higher* count arrived before it: that event's change is not in the snapshot.

    python -m benchmarks.reply_order --server embedded|rivetkit [--reads 300]

Not a test: the figure is a rate, and a rate is no pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

from actorbind import create_client


async def probe(endpoint: str, reads: int, encoding: str) -> tuple[int, int]:
    """Return (replies, replies preceded by an event of a later state)."""
    uid = uuid.uuid4().hex[:10]
    async with create_client(endpoint, encoding=encoding) as client:  # type: ignore[arg-type]
        reader = client.counter.get_or_create(["reply-order", uid]).connect()
        writer = client.counter.get_or_create(["reply-order", uid]).connect()
        seen: list[int] = []
        reader.on("newCount", seen.append)
        await asyncio.wait_for(asyncio.gather(reader.ready(), writer.ready()), 30)
        stop = asyncio.Event()

        async def write() -> None:
            while not stop.is_set():
                await asyncio.gather(*(writer.increment(1) for _ in range(8)))

        task = asyncio.create_task(write())
        late = 0
        loop = asyncio.get_running_loop()
        try:
            for _ in range(reads):
                done: asyncio.Future[tuple[Any, list[int]]] = loop.create_future()
                reader.action_in_order(
                    "getCount", [], lambda out, err, f=done: f.set_result((out, list(seen)))
                )
                value, before = await asyncio.wait_for(done, 30)
                late += any(event > value for event in before)
                seen.clear()
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
        return reads, late


@contextlib.contextmanager
def server(kind: str) -> Iterator[str]:
    if kind == "rivetkit":
        from tests.support.rivetkit_server import RivetKitServer

        with RivetKitServer() as rk:
            yield rk.endpoint
    else:
        from actorbind.server import run_in_thread
        from tests.support.actors import registry

        with run_in_thread(registry) as endpoint:
            yield endpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=["embedded", "rivetkit"], default="embedded")
    parser.add_argument("--encoding", choices=["json", "cbor", "bare"], default="bare")
    parser.add_argument("--reads", type=int, default=300)
    args = parser.parse_args()
    with server(args.server) as endpoint:
        replies, late = asyncio.run(probe(endpoint, args.reads, args.encoding))
    print(
        f"{args.server} {args.encoding}: {late} of {replies} replies came after an event "
        "of a later state"
    )


if __name__ == "__main__":
    main()
