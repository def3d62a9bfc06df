"""``python -m actorbind_demo``: the options, and a whole run that quits cleanly."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from actorbind_demo import backend as backends
from actorbind_demo.__main__ import main, parse_args
from actorbind_demo.app import DemoOptions
from actorbind_demo.room_window import RoomWindow

from .conftest import collect_on_gui_thread


def test_options() -> None:
    args = parse_args(["--windows", "2", "--user", "zoe", "--room", "standup"])
    assert (args.windows, args.user, args.room, args.endpoint) == (2, "zoe", "standup", None)
    assert DemoOptions(windows=2).users() == ["alice", "bob"]
    assert DemoOptions(windows=2, user="bob").users() == ["bob", "alice"]
    assert DemoOptions(windows=1, user="zoe").users() == ["zoe"]
    remote = parse_args(["--endpoint", "http://127.0.0.1:6420", "--token", "t", "--namespace", "n"])
    assert (remote.endpoint, remote.token, remote.namespace) == ("http://127.0.0.1:6420", "t", "n")


@pytest.mark.parametrize(
    "argv",
    [
        ["--windows", "0"],
        ["--windows", "7"],
        ["--token", "t"],
        ["--user", " "],
        ["--endpoint", "http://x", "--data", "a.db"],
        ["--endpoint", "http://x", "--rivetkit"],
    ],
)
def test_bad_options(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parse_args(argv)
    assert info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_default_data_path() -> None:
    path = backends.default_data_path()
    assert path.name == "room.db"
    assert path.parent.name == backends.APP_NAME


def _server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "actorbind-server"]


@pytest.mark.parametrize("how", ["close windows", "SIGINT"])
def test_run_quits_cleanly(
    qapp: QApplication, tmp_path: Path, how: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """The real entry point: windows connect; closing them (or Ctrl-C) ends it all cleanly."""
    before = _server_threads()
    seen: list[str] = []
    poll = QTimer()

    def check() -> None:
        windows = [w for w in qapp.topLevelWidgets() if isinstance(w, RoomWindow)]
        if len(windows) == 2 and all(w.state == "connected" for w in windows):
            poll.stop()
            seen.extend(w.user for w in windows)
            if how == "SIGINT":
                os.kill(os.getpid(), signal.SIGINT)
            else:
                windows[0].close()
                QTimer.singleShot(50, windows[1].close)

    poll.timeout.connect(check)
    poll.start(20)
    quit_on_last = qapp.quitOnLastWindowClosed()
    handler = signal.getsignal(signal.SIGINT)
    try:
        code = main(["--windows", "2", "--data", str(tmp_path / "room.db"), "--room", "cli"])
    finally:
        poll.stop()
        qapp.setQuitOnLastWindowClosed(quit_on_last)
        collect_on_gui_thread()
    assert code == 0
    assert sorted(seen) == ["alice", "bob"]
    assert signal.getsignal(signal.SIGINT) is handler
    assert _server_threads() == before  # the embedded server stopped
    assert not [w for w in qapp.topLevelWidgets() if isinstance(w, RoomWindow)]
    out, err = capfd.readouterr()
    assert "embedded actorbind server" in out
    assert "Traceback" not in out + err, err
