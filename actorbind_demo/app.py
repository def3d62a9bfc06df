"""Starting and stopping the demo: backend, client, windows; a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import actorbind_qt
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from actorbind import Client, Encoding, create_client
from actorbind.rx import ActorStore

from . import backend as backends
from . import qtcheck, style
from .qml_window import QmlRoomWindow
from .room_window import RoomWindow

__all__ = ["DEFAULT_USERS", "Demo", "DemoOptions", "run", "start_demo"]

log = logging.getLogger("actorbind_demo")

DEFAULT_USERS = ("alice", "bob", "carol", "dave", "erin", "frank")


@dataclass
class DemoOptions:
    """What ``python -m actorbind_demo`` was asked for (see ``__main__``)."""

    room: str = "lobby"
    windows: int = 2
    user: str | None = None
    data: Path | None = None
    endpoint: str | None = None
    token: str | None = None
    namespace: str | None = None
    rivetkit: bool = False
    encoding: Encoding = "bare"
    quit_after_first_frame: bool = False
    qml: bool = False

    def users(self) -> list[str]:
        """The user of each window: ``user`` first, then default names not taken yet."""
        first = self.user or DEFAULT_USERS[0]
        rest = [u for u in DEFAULT_USERS if u != first]
        names = [first, *rest]
        while len(names) < self.windows:
            names.append(f"guest{len(names) + 1}")
        return names[: self.windows]


@dataclass
class Demo:
    """A running demo: its backend, its client and connection store, its windows."""

    backend: backends.Backend
    client: Client
    store: ActorStore
    windows: list[RoomWindow | QmlRoomWindow] = field(default_factory=list)
    _closed: bool = False

    def live_windows(self) -> list[RoomWindow | QmlRoomWindow]:
        return [w for w in self.windows if shiboken6.isValid(w)]

    async def aclose(self) -> None:
        """Close the windows, the connections, the client, then stop the backend."""
        if self._closed:
            return
        self._closed = True
        for window in self.live_windows():
            window.close()  # deletes itself: its binding releases the connection
        await self.store.aclose()
        await self.client.dispose()
        self.backend.close()


def make_backend(options: DemoOptions) -> backends.Backend:
    if options.endpoint:
        return backends.remote(options.endpoint, options.token, options.namespace)
    if options.rivetkit:
        return backends.rivetkit()
    return backends.embedded(options.data or backends.default_data_path())


def start_demo(options: DemoOptions, backend: backends.Backend | None = None) -> Demo:
    """Start the backend (unless given), make the client and show the windows.

    Call it with a QApplication and, ideally, the qasync loop running (the windows connect as
    soon as the loop runs). Close with ``await demo.aclose()``.
    """
    started = backend or make_backend(options)
    try:
        client = create_client(
            started.endpoint,
            token=started.token,
            namespace=started.namespace,
            encoding=options.encoding,
        )
    except BaseException:
        started.close()
        raise
    store = ActorStore(client, grace=0.0)  # a closed window lets its socket go at once
    demo = Demo(started, client, store)
    x, y = 40, 60
    kind = QmlRoomWindow if options.qml else RoomWindow
    for user in options.users():
        window = kind(
            client, room=options.room, user=user, store=store, backend_label=started.label
        )
        window.move(x, y)
        x += window.width() + 24
        window.show()
        demo.windows.append(window)
    return demo


def run(options: DemoOptions) -> int:
    """The whole app: QApplication, qasync loop, windows; returns when they are all closed."""
    problem = qtcheck.display_problem()
    if problem is not None:
        print(f"actorbind demo: {problem}", file=sys.stderr, flush=True)
        return 1
    QCoreApplication.setApplicationName(backends.APP_NAME)
    QGuiApplication.setApplicationDisplayName("actorbind demo")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    style.apply(app)
    app.setQuitOnLastWindowClosed(False)  # we quit ourselves, after closing the sockets
    backend = make_backend(options)  # before the loop: RivetKit may take a few seconds
    print(f"actorbind demo: {backend.label}", flush=True)

    async def main() -> None:
        demo = start_demo(options, backend)
        all_closed = asyncio.Event()
        app.lastWindowClosed.connect(all_closed.set)
        first_frame = _FirstFrame(app, quit_after=options.quit_after_first_frame)
        demo.windows[0].installEventFilter(first_frame)
        with _quit_on_signals(app):
            try:
                await all_closed.wait()
            finally:
                await demo.aclose()

    try:
        actorbind_qt.run(main(), app=app)
    finally:
        # The closed loop's QObjects (qasync's timer still holds Qt timers) must die on this
        # thread: left to the cyclic GC, the server's thread might collect them, and Qt cannot
        # stop timers from another thread.
        gc.collect()
        backend.close()
    return 0


@contextlib.contextmanager
def _quit_on_signals(app: QApplication) -> Iterator[None]:
    """Ctrl-C / SIGTERM close every window (hence a clean shutdown) instead of a traceback."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda *_: app.closeAllWindows())
    # Python only runs signal handlers when it gets control: wake it up now and then.
    ticker = QTimer()
    ticker.start(200)
    ticker.timeout.connect(lambda: None)
    try:
        yield
    finally:
        ticker.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _FirstFrame(QObject):
    """Says when the first window painted its first frame (``benchmarks/first_window.py``
    waits for that line); with ``quit_after``, then closes every window (a clean quit)."""

    def __init__(self, app: QApplication, *, quit_after: bool) -> None:
        super().__init__(app)
        self._app, self._quit_after, self._seen = app, quit_after, False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._seen:
            self._seen = True
            print("actorbind demo: first frame painted", flush=True)
            if self._quit_after:
                QTimer.singleShot(0, self._app.closeAllWindows)
        return False
