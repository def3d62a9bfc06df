"""Values produced on worker threads reach slots on the GUI thread."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable

import pytest
import shiboken6
from actorbind_qt import bind, use_actor
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from reactivex.subject import Subject

from actorbind import Client
from actorbind.rx import ActorStore, action
from tests.utils import until

from .conftest import QtLoop


def _on_gui_thread() -> bool:
    app = QApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def test_worker_thread_values_reach_the_slot_on_the_gui_thread(
    qloop: QtLoop, make_widget: Callable[..., QWidget]
) -> None:
    async def scenario() -> None:
        label = make_widget(QLabel)
        assert isinstance(label, QLabel)
        source: Subject[int] = Subject()
        got: list[tuple[int, bool]] = []
        done = asyncio.Event()
        bind(
            source,
            lambda v: (got.append((v, _on_gui_thread())), label.setText(str(v))),
            owner=label,
            on_completed=done.set,
        )

        def worker() -> None:
            for i in range(100):
                source.on_next(i)
            source.on_completed()

        thread = threading.Thread(target=worker)
        thread.start()
        await asyncio.to_thread(thread.join)
        await done.wait()
        assert [v for v, _ in got] == list(range(100))  # in order
        assert all(on_gui for _, on_gui in got)
        assert label.text() == "99"

    qloop.run(scenario())


def test_bind_stops_when_the_owner_is_destroyed(
    qloop: QtLoop, make_widget: Callable[..., QWidget]
) -> None:
    async def scenario() -> None:
        label = make_widget(QLabel)
        assert isinstance(label, QLabel)
        source: Subject[str] = Subject()
        bind(source, label.setText, owner=label)
        source.on_next("a")
        assert label.text() == "a"
        shiboken6.delete(label)
        assert source.observers == []  # unsubscribed
        # A late value from a worker thread calls nothing (no "already deleted").
        thread = threading.Thread(target=lambda: source.on_next("late"))
        thread.start()
        await asyncio.to_thread(thread.join)
        await asyncio.sleep(0.05)

    qloop.run(scenario())


def test_actor_events_and_worker_thread_calls_reach_the_gui_thread(
    qloop: QtLoop,
    client: Client,
    store: ActorStore,
    make_widget: Callable[..., QWidget],
    uid: str,
) -> None:
    async def scenario() -> None:
        widget = make_widget()
        binding = use_actor(widget, "counter", [uid], client=client, store=store)
        events: list[tuple[list[object], bool]] = []
        results: list[tuple[object, bool]] = []
        signals: list[tuple[str, list[object], bool]] = []
        bind(
            binding.events("newCount"), lambda a: events.append((a, _on_gui_thread())), owner=widget
        )
        binding.listen("newCount")
        binding.eventReceived.connect(lambda n, a: signals.append((n, a, _on_gui_thread())))
        widget.show()
        await until(lambda: binding.connected, "connected")
        conn = binding.connection
        assert conn is not None

        # An action subscribed on a worker thread runs on the loop (GUI thread), and so
        # does its result.
        def worker() -> None:
            action(conn, "increment", 5).subscribe(lambda v: results.append((v, _on_gui_thread())))

        thread = threading.Thread(target=worker)
        thread.start()
        await asyncio.to_thread(thread.join)
        await until(lambda: bool(results) and bool(events) and bool(signals), "delivered")
        assert results == [(5, True)]
        assert events[0] == ([5], True)
        assert signals[0] == ("newCount", [5], True)

    qloop.run(scenario())


def test_a_raising_slot_on_the_gui_thread_is_reported_and_the_binding_goes_on(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = QLabel()
    source: Subject[int] = Subject()
    got: list[int] = []
    reported: list[BaseException | None] = []
    monkeypatch.setattr(sys, "excepthook", lambda _t, value, _tb: reported.append(value))

    def slot(value: int) -> None:
        if value == 1:
            raise ValueError("bad value")
        got.append(value)

    bind(source, slot, owner=owner)
    for i in range(4):
        source.on_next(i)  # on the owner's thread: delivered at once, in order
    assert got == [0, 2, 3] and source.observers != []
    assert len(reported) == 1 and isinstance(reported[0], ValueError)
    shiboken6.delete(owner)
