"""``python -m actorbind_demo --qml``: the same room as QML windows, on the same models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtQuick import QQuickItem

from actorbind_demo.app import DemoOptions, start_demo
from actorbind_demo.qml_window import QmlRoomWindow
from tests.utils import until

from .conftest import QtLoop


def _text(window: QmlRoomWindow, name: str) -> str:
    found = window.root().findChild(QObject, name)
    assert found is not None, name
    return str(found.property("text"))


def _rows(window: QmlRoomWindow) -> int:
    view = window.root().findChild(QObject, "chatView")
    assert view is not None
    return int(view.property("count"))


def _delegates(window: QmlRoomWindow) -> list[str]:
    """The texts the chat's delegates show."""
    view = window.root().findChild(QQuickItem, "chatView")
    assert isinstance(view, QQuickItem)
    out: list[str] = []
    stack = list(view.childItems())
    while stack:
        item = stack.pop()
        text = item.property("text")
        if isinstance(text, str) and text:
            out.append(text)
        stack.extend(item.childItems())
    return out


def test_two_qml_windows_share_the_room(qloop: QtLoop, tmp_path: Path, qtlog: Any) -> None:
    async def scenario() -> None:
        demo = start_demo(DemoOptions(windows=2, data=tmp_path / "room.db", qml=True))
        try:
            alice, bob = demo.windows
            assert isinstance(alice, QmlRoomWindow) and isinstance(bob, QmlRoomWindow)
            await until(lambda: _text(alice, "statusText") == "connected", "alice connected")
            await until(lambda: _text(bob, "countText") == "0", "bob's count loaded")
            alice.room_actions.increment(3)
            await until(lambda: _text(bob, "countText") == "3", "bob sees alice's +3")
            bob.room_actions.say("hello from QML")
            await until(lambda: _rows(alice) == 1, "alice's QML chat shows it")
            assert alice.models.chat.get(0)["text"] == "hello from QML"
            await until(lambda: "bob: hello from QML" in _delegates(alice), "the delegate")
            bob.room_actions.say("   ")
            await until(lambda: "empty_message" in _text(bob, "errorText"), "the error shown")
        finally:
            await demo.aclose()

    qloop.run(scenario())
    problems = [r.message for r in qtlog.records if "qml" in r.message.lower()]
    assert problems == []


def test_the_qml_flag() -> None:
    from actorbind_demo.__main__ import parse_args

    assert parse_args(["--qml"]).qml is True and parse_args([]).qml is False
