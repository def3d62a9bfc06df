"""Event delivery to listeners in one process, no network: CPU µs per event per path.

``python -m benchmarks.delivery [--events N] [--paths ...] [--profile]`` opens a real
:class:`~actorbind.ActorConn` whose socket is fed server frames in 64 KiB reads (as
``benchmarks.hot_path`` does, no I/O), then delivers ``tick`` events through each path:

- ``on``: ``conn.on("tick", cb)`` (the floor every other path adds to);
- ``rx``: ``actorbind.rx.events(conn, "tick")`` subscribed;
- ``rx-frame``: the same through ``latest_per_frame()``;
- ``live``: ``live_state(conn, "getCount", reducers={"tick": set})`` subscribed;
- ``qt-bind``: ``bind(events(conn, "tick"), slot, owner=label)`` (what ``use_actor`` +
  ``bind`` do, on the GUI thread);
- ``qt-value``: that live state as a ``LiveValue`` bound to a ``QLabel`` (offscreen);
- ``qt-list``: ``live_list(..., reducers={"tick": append()})`` in an ``ActorListModel`` shown
  in a ``QListView`` (offscreen), the list growing by ``N`` rows;
- ``qt-update``: the same model, each event an ``upsert`` of one of 100 rows.

Qt's posted work (the model's coalesced insert, the label's update) runs after every read,
as a loop turn would. Steady enough to compare commits; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import time
from collections.abc import Callable
from typing import Any

import httpx
from websockets.frames import BINARY, TEXT, Frame

from actorbind import create_client
from actorbind.protocol.codecs import codec_for
from actorbind.protocol.messages import ActionResponse, Event, Init
from actorbind.transport.websocket import Socket

from .hot_path import _open_protocol, _Transport


class _Closable(_Transport):
    """Closing it ends the socket at once (no server to answer the close frame)."""

    def __init__(self) -> None:
        super().__init__()
        self.sock: Socket | None = None

    def close(self) -> None:
        self.abort()

    def can_write_eof(self) -> bool:
        return False

    def abort(self) -> None:
        sock, self.sock = self.sock, None
        if sock is not None:
            asyncio.get_running_loop().call_soon(sock.connection_lost, None)


PATHS = ("on", "rx", "rx-frame", "live", "qt-bind", "qt-value", "qt-list", "qt-update")


def _frames(codec: Any, messages: list[Any]) -> bytes:
    out = []
    for message in messages:
        payload = codec.encode_to_client(message)
        if isinstance(payload, str):
            out.append(Frame(TEXT, payload.encode()).serialize(mask=False))
        else:
            out.append(Frame(BINARY, payload).serialize(mask=False))
    return b"".join(out)


def _reads(blob: bytes) -> list[bytes]:
    return [blob[i : i + 65536] for i in range(0, len(blob), 65536)]


class _Feed:
    """The socket the connection opened, and a way to hand it server bytes."""

    sock: Socket | None = None

    def feed(self, data: bytes, after: Callable[[], None]) -> None:
        sock = self.sock
        assert sock is not None
        for chunk in _reads(data):
            sock.data_received(chunk)
            while sock._drain_scheduled:
                sock._drain()
            after()


async def measure(encoding: str, path: str, events: int, profile: bool) -> float:
    codec = codec_for(encoding)
    feed = _Feed()

    async def open_websocket(*_a: Any, on_messages: Any, **_k: Any) -> Socket:
        sock = Socket(
            _open_protocol(), on_messages, ping_interval=None, ping_timeout=None, close_timeout=1
        )
        transport = _Closable()
        transport.sock = sock
        sock.connection_made(transport)
        feed.sock = sock
        return sock

    qt_app: Any = None
    keep: list[Any] = []
    after: Callable[[], None] = lambda: None  # noqa: E731
    if path.startswith("qt"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QApplication

        qt_app = QApplication.instance() or QApplication([])
        after = QCoreApplication.processEvents

    client = create_client(
        "http://127.0.0.1:9",
        encoding=encoding,
        disable_metadata_lookup=True,
        http_transport=httpx.MockTransport(lambda _r: httpx.Response(500)),
    )
    client._ctx.transport.open_websocket = open_websocket  # type: ignore[method-assign]
    conn = client.counter.get_or_create("k").connect()
    while feed.sock is None:
        await asyncio.sleep(0)
    feed.sock.start()
    feed.feed(_frames(codec, [Init("a1", "c1")]), after)
    await conn.ready(timeout=5)

    count = 0

    def on_tick(*_args: Any) -> None:
        nonlocal count
        count += 1

    item = path in ("qt-list", "qt-update")
    if path == "on":
        conn.on("tick", on_tick)
    elif path in ("rx", "rx-frame"):
        from actorbind.rx import events as rx_events
        from actorbind.rx import latest_per_frame

        stream = rx_events(conn, "tick")
        if path == "rx-frame":
            stream = stream.pipe(latest_per_frame())
        keep.append(stream.subscribe(on_tick))
    elif path == "qt-bind":
        from actorbind_qt import bind
        from PySide6.QtWidgets import QLabel

        from actorbind.rx import events as rx_events

        label = QLabel()
        keep += [label, bind(rx_events(conn, "tick"), on_tick, owner=label)]
    elif path in ("live", "qt-value"):
        from actorbind.rx import live_state

        live = live_state(conn, "getCount", reducers={"tick": lambda _old, new: new})
        feed.feed(_frames(codec, [ActionResponse(0, -1)]), after)
        if path == "live":
            keep.append(live.subscribe(on_tick))
        else:
            from actorbind_qt import LiveValue
            from PySide6.QtCore import QObject
            from PySide6.QtWidgets import QLabel

            owner = QObject()
            value = LiveValue(live, owner)
            label = QLabel()
            value.bind(label)
            value.valueChanged.connect(on_tick)
            keep += [owner, value, label, live]
    else:
        from actorbind_qt import ActorListModel
        from PySide6.QtCore import QObject
        from PySide6.QtWidgets import QListView

        from actorbind.rx import append, live_list, upsert

        reducer = append() if path == "qt-list" else upsert()
        rows = live_list(conn, "history", reducers={"tick": reducer}, key=lambda m: m["id"])
        first = [] if path == "qt-list" else [{"id": i, "n": 0} for i in range(100)]
        feed.feed(_frames(codec, [ActionResponse(0, first)]), after)
        owner = QObject()
        model = ActorListModel(rows, owner)
        view = QListView()
        view.setUniformItemSizes(True)  # as a long list should (benchmarks/qt_live.py)
        view.setModel(model)
        view.show()
        model.rowsInserted.connect(on_tick)
        model.dataChanged.connect(on_tick)
        keep += [owner, model, view, rows]

    batch = 1000
    blocks = events // batch

    def ticks(rep: int, block: int) -> list[Event]:
        if path == "qt-list":  # new keys: the list grows by every event
            base = (rep * blocks + block) * batch
            return [Event("tick", [{"id": base + i, "n": i}]) for i in range(batch)]
        if item:
            return [Event("tick", [{"id": i % 100, "n": rep * batch + i}]) for i in range(batch)]
        return [Event("tick", [i]) for i in range(batch)]

    # Encoded before timing (warm-up, profile, measure); one blob per block if they differ.
    per_block = path == "qt-list"
    reps = [
        [_frames(codec, ticks(rep, b)) for b in range(blocks if per_block else 1)]
        for rep in range(3)
    ]

    def run(rep: int) -> None:
        blobs = reps[rep]
        for b in range(blocks):
            feed.feed(blobs[b if per_block else 0], after)

    run(0)
    if profile:
        prof = cProfile.Profile()
        prof.enable()
        run(1)
        prof.disable()
        print(f"--- {encoding} {path}")
        pstats.Stats(prof).sort_stats("tottime").print_stats(18)
    c0 = time.process_time()
    run(2)
    cpu = time.process_time() - c0
    assert count > 0, f"{path}: nothing was delivered"
    await conn.dispose()
    await client.dispose()
    if qt_app is not None:
        for obj in keep:
            if hasattr(obj, "deleteLater"):
                obj.deleteLater()
        after()
    return cpu * 1e6 / (blocks * batch)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.delivery")
    p.add_argument("--events", type=int, default=50_000)
    p.add_argument("--encodings", default="json,cbor,bare")
    p.add_argument("--paths", default=",".join(PATHS))
    p.add_argument("--profile", action="store_true")
    a = p.parse_args(argv)
    for path in a.paths.split(","):
        for enc in a.encodings.split(","):
            us = asyncio.run(measure(enc, path, a.events, a.profile))
            print(f"{path:9} {enc}: {us:.2f} µs CPU per event")


if __name__ == "__main__":
    main()
