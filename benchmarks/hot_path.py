"""The client-bound fan-in hot path in one process, no network: CPU µs per event.

``python -m benchmarks.hot_path [--events N] [--profile]`` feeds server frames (``tick(i)``
events, 64 KiB reads) to the actor-connection socket (``transport.websocket.Socket``) and the
connection protocol (``ConnectionProtocol.receive_all``), then hands each event to a
callback, for json, cbor and bare. Without a server sharing the CPU it is steady enough to
compare commits; it leaves out the loop's and the kernel's share (epoll, recv), which
``python -m benchmarks`` measures. ``--profile`` prints cProfile's top functions instead.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from typing import Any

from websockets.client import ClientProtocol
from websockets.frames import BINARY, TEXT, Frame
from websockets.server import ServerProtocol
from websockets.uri import parse_uri

from actorbind.protocol.codecs import codec_for
from actorbind.protocol.connection import ConnectionProtocol, EventArrived
from actorbind.protocol.messages import Event
from actorbind.transport.websocket import Socket


class _Transport(asyncio.Transport):
    def write(self, data: Any) -> None:
        pass

    def is_closing(self) -> bool:
        return False

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _open_protocol() -> ClientProtocol:
    protocol = ClientProtocol(parse_uri("ws://127.0.0.1:1/"), max_size=65536)
    request = protocol.connect()
    protocol.send_request(request)
    server = ServerProtocol()
    for chunk in protocol.data_to_send():
        server.receive_data(chunk)
    server.send_response(server.accept(server.events_received()[0]))  # type: ignore[arg-type]
    for chunk in server.data_to_send():
        protocol.receive_data(chunk)
    protocol.events_received()
    return protocol


async def measure(encoding: str, events: int, profile: bool) -> float:
    codec = codec_for(encoding)
    conn = ConnectionProtocol(codec)
    conn.socket_opened()
    count = 0

    def on_tick(_i: Any) -> None:
        nonlocal count
        count += 1

    def on_messages(frames: list[bytes | str]) -> None:
        conn.receive_all(frames)
        for event in conn.events_received():
            if type(event) is EventArrived:
                on_tick(*event.args)

    sock = Socket(
        _open_protocol(), on_messages, ping_interval=None, ping_timeout=None, close_timeout=1
    )
    sock.connection_made(_Transport())
    sock.start()
    frames = []
    for i in range(1000):
        payload = codec.encode_to_client(Event("tick", [i]))
        if isinstance(payload, str):
            frames.append(Frame(TEXT, payload.encode()).serialize(mask=False))
        else:
            frames.append(Frame(BINARY, payload).serialize(mask=False))
    blob = b"".join(frames)
    reads = [blob[i : i + 65536] for i in range(0, len(blob), 65536)]

    def run() -> None:
        for _ in range(events // 1000):
            for chunk in reads:
                sock.data_received(chunk)
                while sock._drain_scheduled:
                    sock._drain()

    run()  # warm-up
    if profile:
        prof = cProfile.Profile()
        prof.enable()
        run()
        prof.disable()
        print(f"--- {encoding}")
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
    c0 = time.process_time()
    run()
    cpu = time.process_time() - c0
    assert count == (3 if profile else 2) * (events // 1000) * 1000
    return cpu * 1e6 / (events // 1000 * 1000)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.hot_path")
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--encodings", default="json,cbor,bare")
    p.add_argument("--profile", action="store_true")
    a = p.parse_args(argv)
    for enc in a.encodings.split(","):
        us = asyncio.run(measure(enc, a.events, a.profile))
        print(f"{enc}: {us:.2f} µs CPU per event (socket + protocol + dispatch, no I/O)")


if __name__ == "__main__":
    main()
