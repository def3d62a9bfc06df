"""A chat message that arrives while the window loads the room is shown, and stays.

The room's ``getCount`` is held open (interleaved actions) while another user says something:
the window must show the message once its load completes. Hand-written loading lost it (it
appended the event, then cleared the list to fill it from the history fetched earlier).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel

from actorbind import create_client
from actorbind.server import ActionContext, Registry, action, run_in_thread
from actorbind_demo.actors import Room
from actorbind_demo.room_window import RoomWindow
from tests.utils import until

from .conftest import QtLoop

entered = threading.Event()
gate = threading.Event()


class GatedRoom(Room):
    """The demo's room, with a ``getCount`` that waits for the test."""

    name = "room"
    interleave = True

    @action
    async def getCount(self, ctx: ActionContext) -> int:
        entered.set()
        await asyncio.to_thread(gate.wait, 20)
        return int(ctx.state["count"])


@pytest.fixture
def gated_endpoint(tmp_path: Path) -> Iterator[str]:
    entered.clear()
    gate.clear()
    with run_in_thread(Registry(GatedRoom), data=str(tmp_path / "room.db")) as endpoint:
        yield endpoint
    gate.set()


def texts(model: QAbstractItemModel) -> list[str]:
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def test_a_message_during_the_load_is_not_lost(qloop: QtLoop, gated_endpoint: str) -> None:
    async def scenario() -> None:
        client = create_client(gated_endpoint)
        other = client.room.get_or_create(["lobby"]).connect(params={"user": "bob"})
        window = RoomWindow(client, room="lobby", user="alice")
        try:
            window.show()
            await until(entered.is_set, "the window is loading the room")
            await other.say("said during the load")
            await until(
                lambda: "bob: said during the load" in texts(window.chat_list.model()),
                "the message shown",
            )
            gate.set()
            await until(lambda: window.count_label.text() == "0", "the room loaded")
            await until(lambda: len(window.users) == 2, "presence loaded")
            assert texts(window.chat_list.model()) == ["bob: said during the load"]
        finally:
            gate.set()
            window.close()
            await other.dispose()
            await client.dispose()

    qloop.run(scenario())
