"""The README's Qt quick start works as written: the label follows the actor, the button
calls it, the title shows the status."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton

from actorbind import Client
from tests.unit.test_readme import python_blocks

from .conftest import QtLoop
from .support import until


def test_readme_counter_widget(qloop: QtLoop, client: Client) -> None:
    namespace: dict[str, Any] = {"__name__": "readme"}
    exec(compile(python_blocks()[2], "README.md", "exec"), namespace)

    async def scenario() -> None:
        widget = namespace["counter_widget"](client)
        label = widget.findChild(QLabel)
        button = widget.findChild(QPushButton)
        widget.show()
        await until(lambda: widget.windowTitle() == "connected", "connected")
        start = await client.counter.get_or_create(["room", "1"]).getCount()
        button.click()
        await until(lambda: label.text() == str(start + 1), "label follows the actor")
        widget.close()
        widget.deleteLater()

    qloop.run(scenario())
