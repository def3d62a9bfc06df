"""A modal dialog (a nested Qt event loop) opened while events stream: events keep reaching
the widgets, and nothing re-enters a running asyncio task."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from actorbind_qt import bind, use_actor
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from actorbind import Client
from actorbind.rx import ActorStore
from tests.utils import until

from .conftest import QtLoop


def test_modal_dialog_while_events_stream(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        label = make_widget(QLabel)
        assert isinstance(label, QLabel)
        binding = use_actor(label, "counter", [uid], client=client, store=store)
        seen: list[int] = []
        bind(
            binding.events("newCount"),
            lambda args: (seen.append(args[0]), label.setText(str(args[0]))),
            owner=label,
        )
        label.show()
        await until(lambda: binding.connected, "connected")
        handle = client.counter.get_or_create([uid])
        during: list[int] = []
        finished = asyncio.Event()

        def open_modal() -> None:
            # From a plain slot, as an app's button handler would: exec() nests a Qt loop,
            # and qasync keeps running asyncio callbacks (socket reads, binds) inside it.
            dialog = QDialog(label)
            start = len(seen)
            QTimer.singleShot(400, dialog.accept)
            dialog.exec()
            during.append(len(seen) - start)
            dialog.deleteLater()
            finished.set()

        async def stream() -> None:
            for _ in range(20):
                await handle.increment(1)
                await asyncio.sleep(0.01)

        QTimer.singleShot(0, open_modal)
        await asyncio.gather(stream(), finished.wait())
        await until(lambda: label.text() == "20", "every event reached the label")
        assert during and during[0] > 0, "events were delivered while the dialog was open"

    qloop.run(scenario())
    assert not qloop.errors, qloop.errors
