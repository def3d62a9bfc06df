"""The demo app, offscreen: two windows on one room, against both servers.

Everything is read from what the widgets display (label text, list items, the status pill).
``ACTORBIND_WRITE_SCREENSHOT=1`` writes the side-by-side picture to ``docs/img/demo.png``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from actorbind.testing import RivetKitEngine
from actorbind_demo import backend as backends
from actorbind_demo.app import Demo, DemoOptions, start_demo
from actorbind_demo.room_window import RoomWindow
from actorbind_demo.screenshot import save_side_by_side
from tests.utils import until

from .conftest import QtLoop

DOCS_PNG = Path(__file__).resolve().parents[2] / "docs" / "img" / "demo.png"


def items(widget: QAbstractItemView) -> list[str]:
    model = widget.model()
    return [str(model.index(i, 0).data()) for i in range(model.rowCount())]


def last_item(widget: QAbstractItemView) -> str | None:
    shown = items(widget)
    return shown[-1] if shown else None


def screenshot_path(tmp_path: Path) -> Path:
    if os.environ.get("ACTORBIND_WRITE_SCREENSHOT") == "1":
        return DOCS_PNG
    return tmp_path / "demo.png"


async def exercise(demo: Demo, qtbot: QtBot, shot: Path | None = None) -> None:
    """Two windows: an action in one shows up in the other; errors are displayed."""
    alice, bob = demo.windows
    assert (alice.user, bob.user) == ("alice", "bob")
    await until(
        lambda: "Connected" in alice.status_pill.text() and "Connected" in bob.status_pill.text(),
        "both windows connected",
    )
    assert alice.status_pill.state == bob.status_pill.state == "connected"
    await until(
        lambda: (
            items(alice.presence_list) == ["alice (you)", "bob"]
            and items(bob.presence_list) == ["alice", "bob (you)"]
        ),
        "both users present in both windows",
    )
    await until(lambda: alice.count_label.text() == bob.count_label.text() == "0", "count 0")

    # bob says hello; alice sees it, and her chat flashes.
    bob.message_input.setText("Morning! Standup in five?")
    qtbot.mouseClick(bob.send_button, Qt.MouseButton.LeftButton)
    await until(lambda: last_item(alice.chat_list) == "bob: Morning! Standup in five?", "chat")
    await until(lambda: bob.message_input.text() == "", "bob's input cleared")
    assert alice.chat_card.flashes >= 1
    await until(lambda: not alice.chat_card.glowing and not alice.presence_card.glowing, "fade")

    # alice clicks +10 then +1: bob's counter follows at once, and flashes.
    flashes = bob.counter_card.flashes
    qtbot.mouseClick(alice.increment10_button, Qt.MouseButton.LeftButton)
    await until(lambda: bob.count_label.text() == "10", "bob sees 10")
    qtbot.mouseClick(alice.increment_button, Qt.MouseButton.LeftButton)
    await until(lambda: bob.count_label.text() == "11", "bob sees 11")
    assert bob.counter_card.flashes >= flashes + 1
    assert bob.count_note.text() == "+1 by alice"
    await until(lambda: alice.count_label.text() == "11", "alice sees 11")
    assert alice.counter_card.flashes == 0  # her own change does not flash

    alice.message_input.setText("On my way. The counter says 11 coffees today")
    qtbot.keyClick(alice.message_input, Qt.Key.Key_Return)
    await until(
        lambda: last_item(bob.chat_list) == "alice: On my way. The counter says 11 coffees today",
        "bob sees alice's message",
    )
    await until(lambda: items(alice.chat_list) == items(bob.chat_list), "the same chat")

    # An empty message: the actor's UserError is shown in the window, not swallowed.
    assert not alice.error_banner.isVisible()
    alice.message_input.setText("   ")
    qtbot.mouseClick(alice.send_button, Qt.MouseButton.LeftButton)
    await until(lambda: alice.error_banner.isVisible(), "the error banner")
    assert "user.empty_message" in alice.error_banner.text()
    assert "cannot be empty" in alice.error_banner.text()
    assert not bob.error_banner.isVisible()

    if shot is not None:
        await until(lambda: bob.chat_card.glowing, "bob's chat glowing")  # still fading
        save_side_by_side([alice, bob], shot)
        assert shot.stat().st_size > 10_000

    # Closing bob's window disposes its connection: alice sees him leave.
    bob.close()
    await until(lambda: items(alice.presence_list) == ["alice (you)"], "bob left")
    await until(lambda: len(demo.client.connections) == 1, "bob's socket closed")
    assert alice.status_pill.state == "connected"


async def close_and_check(demo: Demo, qloop: QtLoop) -> None:
    windows = list(demo.windows)
    await demo.aclose()
    assert not demo.client.connections
    assert all(not shiboken6.isValid(w) for w in windows)
    await asyncio.sleep(0)
    assert qloop.tasks() == set(), qloop.tasks()


def _no_tracebacks(capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err, err
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_two_windows_embedded(
    qloop: QtLoop,
    qtbot: QtBot,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = tmp_path / "data" / "room.db"
    shot = screenshot_path(tmp_path)

    async def scenario() -> None:
        demo = start_demo(DemoOptions(windows=2, data=data))
        try:
            assert "embedded" in demo.backend.label
            await exercise(demo, qtbot, shot)
        finally:
            await close_and_check(demo, qloop)

        # The room lives in the actor's state: a new run on the same file has it all.
        again = start_demo(DemoOptions(windows=1, user="carol", data=data))
        try:
            (carol,) = again.windows
            await until(lambda: carol.count_label.text() == "11", "the count survived")
            await until(lambda: len(items(carol.chat_list)) == 2, "the history survived")
            assert last_item(carol.chat_list) == (
                "alice: On my way. The counter says 11 coffees today"
            )
            assert items(carol.presence_list) == ["carol (you)"]
        finally:
            await close_and_check(again, qloop)

    qloop.run(scenario())
    assert data.is_file()
    assert shot.is_file()
    _no_tracebacks(capfd, caplog)


@pytest.mark.rivetkit
def test_two_windows_rivetkit(
    qloop: QtLoop,
    qtbot: QtBot,
    tmp_path: Path,
    room_rivetkit: RivetKitEngine,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        backend = backends.remote(room_rivetkit.endpoint)
        demo = start_demo(DemoOptions(windows=2, room="rivetkit-room"), backend)
        try:
            await exercise(demo, qtbot, tmp_path / "demo-rivetkit.png")
        finally:
            await close_and_check(demo, qloop)

    qloop.run(scenario())
    _no_tracebacks(capfd, caplog)


def test_connection_trouble_is_shown(qloop: QtLoop, unused_tcp_port: int) -> None:
    """Nothing listens: the pill says so and the last error is on screen."""

    async def scenario() -> None:
        backend = backends.remote(f"http://127.0.0.1:{unused_tcp_port}")
        demo = start_demo(DemoOptions(windows=1), backend)
        try:
            (window,) = demo.windows
            await until(lambda: window.last_error_label.text() != "", "the last error")
            assert window.status_pill.state in {"connecting", "reconnecting", "offline"}
            assert "Connected" not in window.status_pill.text()
            assert not window.send_button.isEnabled()
        finally:
            await close_and_check(demo, qloop)

    qloop.run(scenario())


def test_window_is_a_room_window(qloop: QtLoop, tmp_path: Path) -> None:
    async def scenario() -> None:
        demo = start_demo(DemoOptions(windows=3, user="zoe", room="r", data=tmp_path / "x.db"))
        try:
            assert [w.user for w in demo.windows] == ["zoe", "alice", "bob"]
            assert all(isinstance(w, RoomWindow) and w.room == "r" for w in demo.windows)
            assert all("zoe" in w.windowTitle() or w.user in w.windowTitle() for w in demo.windows)
            await until(lambda: all(w.state == "connected" for w in demo.windows), "connected")
        finally:
            await close_and_check(demo, qloop)

    qloop.run(scenario())


def test_reconnecting_is_shown(qloop: QtLoop, tmp_path: Path, unused_tcp_port: int) -> None:
    """The server goes away: "Reconnecting…" with the last error; back: connected, reloaded."""
    data = tmp_path / "room.db"

    async def scenario() -> None:
        first = backends.embedded(data, port=unused_tcp_port)
        demo = start_demo(DemoOptions(windows=1), first)
        second: backends.Backend | None = None
        try:
            (window,) = demo.windows
            await until(lambda: window.state == "connected", "connected")
            window.increment(3)
            await until(lambda: window.count_label.text() == "3", "count 3")
            first.close()
            await until(lambda: "Reconnecting" in window.status_pill.text(), "reconnecting")
            await until(lambda: window.last_error_label.text() != "", "the last error shown")
            assert not window.increment_button.isEnabled()
            second = backends.embedded(data, port=unused_tcp_port)
            await until(lambda: window.state == "connected", "connected again", timeout=30)
            assert window.last_error_label.text() == ""
            await until(lambda: window.count_label.text() == "3", "reloaded")
            assert window.increment_button.isEnabled()
        finally:
            await close_and_check(demo, qloop)
            if second is not None:
                second.close()

    qloop.run(scenario())
