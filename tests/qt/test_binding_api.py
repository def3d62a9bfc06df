"""The binding's surface: actions, events (Rx, slots, signals), handle, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from actorbind_qt import bind, default_store, use_actor
from PySide6.QtWidgets import QLabel, QWidget

from actorbind import ActorError, Client, ConnStatus, InvalidState
from actorbind.rx import ActorStore
from tests.utils import until

from .conftest import QtLoop


def test_actions_and_events(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        window = make_widget()
        label = QLabel(window)
        binding = use_actor(label, "counter", [uid], client=client, store=store, events=["multi"])
        with pytest.raises(InvalidState):
            await binding.action("increment", 1)  # not shown yet
        assert await binding.handle.increment(10) == 10  # HTTP works any time

        slot_args: list[tuple[object, ...]] = []
        rx_args: list[list[object]] = []
        signals: list[tuple[str, list[object]]] = []
        binding.on_event("multi", lambda *args: slot_args.append(args))
        bind(binding.events("newCount"), rx_args.append, owner=label)
        bind(binding.events("newCount"), lambda a: label.setText(str(a[0])), owner=label)
        binding.eventReceived.connect(lambda name, args: signals.append((name, args)))
        window.show()
        await until(lambda: binding.connected, "connected")
        assert await binding.action("increment", 5) == 15
        assert await binding.action("multiEvent") is True
        await until(lambda: bool(rx_args) and bool(slot_args) and bool(signals), "events")
        assert rx_args == [[15]] and label.text() == "15"
        assert slot_args == [(1, "two", {"three": 3})]
        assert signals == [("multi", [1, "two", {"three": 3}])]
        with pytest.raises(ActorError) as info:
            await binding.action("noSuchAction")
        assert info.value.group == "actor"

    qloop.run(scenario())


def test_events_follow_a_new_connection(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        widget = make_widget()
        binding = use_actor(widget, "counter", [uid], client=client, store=store)
        got: list[int] = []
        bind(binding.events("newCount"), lambda a: got.append(a[0]), owner=widget)
        widget.show()
        await until(lambda: binding.connected, "connected")
        await binding.action("increment", 1)
        await until(lambda: got == [1], "first")
        binding.enabled = False
        binding.enabled = True
        await until(lambda: binding.connected, "connected again")
        await binding.action("increment", 1)
        await until(lambda: got == [1, 2], "event on the new connection")

    qloop.run(scenario())


def test_status_replays_and_errors_stream(
    qloop: QtLoop, client: Client, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        widget = make_widget()
        binding = use_actor(widget, "counter", [uid], client=client)  # the default store
        assert binding.store is default_store(client)
        widget.show()
        await until(lambda: binding.connected, "connected")
        replayed: list[ConnStatus] = []
        binding.status.subscribe(replayed.append)
        assert replayed == [ConnStatus.CONNECTED]

        bad = make_widget()
        guarded = use_actor(bad, "guarded", [uid], client=client, params={"authToken": "x"})
        errors: list[Exception] = []
        guarded.errors.subscribe(errors.append)
        bad.show()
        await until(lambda: bool(errors), "error")
        assert isinstance(errors[0], ActorError) and guarded.last_error is errors[0]
        await asyncio.sleep(0)

    qloop.run(scenario())
