"""Before Qt starts, the demo says which system libraries are missing, instead of SIGABRT."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from actorbind_demo.qtcheck import display_problem, missing_libraries

# What ldd printed for PySide6 6.10's libqxcb.so on a stock Debian 12 (two packages missing).
LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd0c5e2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f8f0c000000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f8f0c92e000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibweird.so.9 => not found
"""


def test_missing_libraries_come_from_ldd_each_once() -> None:
    assert missing_libraries(LDD_OUTPUT) == [
        "libxcb-icccm.so.4",
        "libxcb-keysyms.so.1",
        "libweird.so.9",
    ]


def test_no_check_off_linux_or_on_other_qt_platforms() -> None:
    assert display_problem({"DISPLAY": ":0"}, platform="darwin") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, platform="linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, platform="linux") is None


def test_no_display_is_said_plainly() -> None:
    problem = display_problem({}, platform="linux")
    assert problem is not None and "DISPLAY is not set" in problem


def run_demo_with_ldd(tmp_path: Path, ldd_output: str) -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "bin" / "ldd"
    fake.parent.mkdir()
    (tmp_path / "out").write_text(ldd_output)
    fake.write_text(f"#!/bin/sh\ncat {tmp_path / 'out'}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {
        **os.environ,
        "PATH": f"{fake.parent}:{os.environ['PATH']}",
        "QT_QPA_PLATFORM": "xcb",
        "DISPLAY": ":99",  # nothing listens there: the check must stop the demo before Qt
    }
    return subprocess.run(
        [sys.executable, "-m", "actorbind_demo", "--data", str(tmp_path / "room.db")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_demo_prints_the_apt_line_and_exits_1(tmp_path: Path) -> None:
    result = run_demo_with_ldd(tmp_path, LDD_OUTPUT)
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in lines[1]
    assert "libweird.so.9 with apt-file search" in lines[2]
    assert "Traceback" not in result.stderr
