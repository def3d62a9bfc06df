"""Quitting the app with live connections closes them (1000) before the loop closes."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import actorbind_qt
import pytest
import qasync
import shiboken6
from actorbind_qt import use_actor
from PySide6.QtWidgets import QApplication, QWidget
from websockets.protocol import State

from actorbind import Client, create_client
from tests.utils import until


def spy_on_sockets(client: Client, sockets: list[Any]) -> None:
    """Append every WebSocket ``client`` opens to ``sockets``."""
    transport = client._ctx.transport
    original = transport.open_websocket

    async def spy(*args: Any, **kwargs: Any) -> Any:
        ws = await original(*args, **kwargs)
        sockets.append(ws)
        return ws

    transport.open_websocket = spy  # type: ignore[method-assign]


@pytest.mark.parametrize("how", ["last-window-closed", "quit-from-a-task"])
def test_quit_closes_live_connections_cleanly(
    qapp: QApplication,
    embedded_endpoint: str,
    uid: str,
    how: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    sockets: list[Any] = []
    states_at_cancel: list[State] = []
    windows: list[QWidget] = []
    quit_on_last = qapp.quitOnLastWindowClosed()

    async def main() -> None:
        # The app owns its client: ``async with`` disposes it when main is cancelled at quit.
        async with create_client(embedded_endpoint) as client:
            spy_on_sockets(client, sockets)
            for i in range(3):
                window = QWidget()
                windows.append(window)
                use_actor(window, "counter", [uid, str(i)], client=client)  # default store
                window.show()
            await until(lambda: len(sockets) == 3, "three sockets")
            await until(
                lambda: all(c.status == "connected" for c in client.connections), "connected"
            )
            if how == "last-window-closed":
                qapp.setQuitOnLastWindowClosed(True)
                for window in windows:
                    window.close()  # the last one quits the app, the others are mid-grace
            else:
                QApplication.quit()
            try:
                await asyncio.sleep(3600)  # never finishes: the app quits first
            except asyncio.CancelledError:
                # Cancelled at quit, before the client is disposed: the bindings' sockets
                # must already be closed by then.
                states_at_cancel.extend(ws.state for ws in sockets)
                raise

    try:
        assert actorbind_qt.run(main(), app=qapp) is None
    finally:
        qapp.setQuitOnLastWindowClosed(quit_on_last)
        for window in windows:
            if shiboken6.isValid(window):
                shiboken6.delete(window)

    # Every socket was closed with 1000 and the server's reply arrived, so the close
    # handshake finished while the loop still ran (it is closed now).
    assert states_at_cancel == [State.CLOSED] * 3
    for ws in sockets:
        assert ws.state is State.CLOSED
        assert ws.protocol.close_sent is not None and ws.protocol.close_sent.code == 1000
        assert ws.protocol.close_rcvd is not None and ws.protocol.close_rcvd.code == 1000
    assert actorbind_qt.live_bindings() == 0
    # Nothing reached the loop's exception handler ("Event loop is closed", lost tasks...).
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []

    async def server_view() -> list[int]:
        async with create_client(embedded_endpoint) as fresh:
            counts = [
                await fresh.counter.get_or_create([uid, str(i)]).liveConns() for i in range(3)
            ]
        return [int(n) - 1 for n in counts]

    assert asyncio.run(server_view()) == [0, 0, 0]


def test_quit_hook_closes_sockets_without_run(
    qapp: QApplication, embedded_endpoint: str, uid: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A plain qasync app (no ``actorbind_qt.run``): the ``aboutToQuit`` hook alone closes
    the sockets before ``run_until_complete`` returns."""
    caplog.set_level(logging.WARNING)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    quit_on_last = qapp.quitOnLastWindowClosed()
    sockets: list[Any] = []
    client = create_client(embedded_endpoint)
    spy_on_sockets(client, sockets)
    window = QWidget()

    async def main() -> None:
        use_actor(window, "counter", [uid], client=client)
        window.show()
        await until(lambda: len(sockets) == 1 and bool(client.connections), "socket")
        await until(lambda: all(c.status == "connected" for c in client.connections), "up")
        qapp.setQuitOnLastWindowClosed(True)
        window.close()
        await asyncio.sleep(3600)

    task = loop.create_task(main())
    try:
        with pytest.raises(RuntimeError, match="Event loop stopped"):
            loop.run_until_complete(task)
        assert sockets[0].state is State.CLOSED  # closed by the hook, the loop is stopped
        assert sockets[0].protocol.close_sent.code == 1000
    finally:
        qapp.setQuitOnLastWindowClosed(quit_on_last)
        task.cancel()
        loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
        loop.run_until_complete(client.dispose())
        loop.close()
        asyncio.set_event_loop(None)
        actorbind_qt.release_qasync_loop(loop)
        if shiboken6.isValid(window):
            shiboken6.delete(window)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
