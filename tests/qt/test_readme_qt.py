"""The README's Qt quick start works as written: the label shows the current count (loaded,
not waiting for an event), follows the actor, the button calls it, the title shows the
status; and its ``main`` runs the window until it is closed."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from actorbind import Client
from tests.unit.test_readme import python_blocks
from tests.utils import until

from .conftest import QtLoop


def _namespace() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "readme"}  # not "__main__": no app of its own
    exec(compile(python_blocks()[2], "README.md", "exec"), namespace)
    return namespace


def test_readme_counter_widget(qloop: QtLoop, client: Client) -> None:
    namespace = _namespace()

    async def scenario() -> None:
        counter = client.counter.get_or_create(["room", "1"])
        start = await counter.increment(2)  # before the window: it must show this at once
        widget = namespace["counter_widget"](client)
        label = widget.findChild(QLabel)
        button = widget.findChild(QPushButton)
        assert label.text() == "…"
        widget.show()
        await until(lambda: label.text() == f"count: {start}", "the current count, loaded")
        await until(lambda: widget.windowTitle() == "connected", "connected")
        button.click()
        await until(lambda: label.text() == f"count: {start + 1}", "label follows the actor")
        await counter.increment(1)  # another client
        await until(lambda: label.text() == f"count: {start + 2}", "and other clients")
        widget.close()
        widget.deleteLater()

    qloop.run(scenario())


def test_readme_main_runs_until_the_window_closes(qloop: QtLoop, embedded_endpoint: str) -> None:
    namespace = _namespace()

    async def scenario() -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        before = set(app.topLevelWidgets())
        main = asyncio.ensure_future(namespace["main"](embedded_endpoint))

        def window() -> QWidget | None:
            made = [w for w in app.topLevelWidgets() if w not in before and w.isVisible()]
            return made[0] if made else None

        await until(lambda: window() is not None, "the window")
        found = window()
        assert found is not None
        label = found.findChild(QLabel)
        await until(lambda: label.text().startswith("count: "), "the count")
        found.close()
        await asyncio.wait_for(main, 15)
        found.deleteLater()

    qloop.run(scenario())
