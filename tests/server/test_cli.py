"""``python -m actorbind.server`` / ``actorbind-server``: every user mistake is one line on stderr
and exit status 2, with the traceback only under ``--debug``."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import actorbind.server

APP = """\
from actorbind.server import Actor, Registry, action


class Counter(Actor):
    name = "counter"
    state = {"count": 0}

    @action
    def get(self, ctx) -> int:
        return 0


registry = Registry(Counter)
answer = 42
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "myapp.py").write_text(APP)
    (tmp_path / "broken.py").write_text("raise ValueError('boom')\n")
    (tmp_path / "typo.py").write_text("def f(:\n")
    return tmp_path


def server(
    folder: Path, *args: str, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    command = [*prefix] if prefix else [sys.executable, "-m", "actorbind.server"]
    return subprocess.run([*command, *args], cwd=folder, capture_output=True, text=True, timeout=60)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("python -m actorbind.server: error: "), lines[0]
    return lines[0].removeprefix("python -m actorbind.server: error: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["myapp"], "expected module:attribute (e.g. my_app:registry), got 'myapp'"),
        (["myapp.py:registry"], "'myapp.py' is a file path; give the module's dotted name"),
        (["./pkg/myapp.py:registry"], "e.g. pkg.myapp:registry"),
        (["nosuch:registry"], "no module named 'nosuch'"),
        (["myapp:nope"], "module myapp has no attribute 'nope' (its registries: registry)"),
        (["myapp:answer"], "myapp:answer is of type int, not an actorbind.server.Registry"),
        (["broken:registry"], "importing broken failed: ValueError: boom ("),
        (["typo:registry"], "importing typo failed: SyntaxError: "),
        (["myapp:registry", "--data", "nofolder/x.db"], "the folder nofolder does not exist"),
        (["myapp:registry", "--data", "."], "is a folder; give a file in it, e.g. actors.db"),
    ],
)
def test_a_mistake_is_one_line(folder: Path, args: list[str], message: str) -> None:
    assert message in one_error_line(server(folder, *args))


def test_a_data_file_that_is_no_database(folder: Path) -> None:
    (folder / "notes.txt").write_text("not a database, but quite long enough to be read " * 20)
    message = one_error_line(server(folder, "myapp:registry", "--data", "notes.txt", "--port", "0"))
    assert (
        message == "--data notes.txt: cannot use it as a SQLite database (file is not a database)"
    )


def test_a_port_in_use(folder: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        message = one_error_line(server(folder, "myapp:registry", "--port", str(port)))
    assert message.startswith(f"port {port} on 127.0.0.1 is in use")
    assert "--port 0 for any free one" in message


def test_a_bad_port_number_is_argparse_usage(folder: Path) -> None:
    result = server(folder, "myapp:registry", "--port", "70000")
    assert result.returncode == 2
    assert "70000 is not a port (0-65535)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_server_extra(folder: Path) -> None:
    hide = (
        "import runpy, sys; sys.modules['uvicorn'] = None; sys.argv[0] = '__main__.py'; "
        "runpy.run_module('actorbind.server', run_name='__main__')"
    )
    message = one_error_line(server(folder, "myapp:registry", prefix=(sys.executable, "-c", hide)))
    assert message.endswith("not installed: pip install 'actorbind[server]'")


def test_debug_shows_the_traceback(folder: Path) -> None:
    result = server(folder, "broken:registry", "--debug")
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "ValueError: boom" in result.stderr


def test_version(folder: Path) -> None:
    result = server(folder, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"actorbind {actorbind.server.__version__}"


def started(command: list[str], folder: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """Start the server; return it and its stderr lines up to the listening line."""
    proc = subprocess.Popen(command, cwd=folder, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines: list[str] = []
    for line in proc.stderr:  # bounded: the process exits (EOF) if it cannot start
        lines.append(line.rstrip("\n"))
        if line.startswith("actorbind server listening on "):
            break
    return proc, lines


def stop(proc: subprocess.Popen[str]) -> int:
    try:
        proc.send_signal(signal.SIGTERM)
        return proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def test_the_console_script_serves_and_stops_on_sigterm(folder: Path) -> None:
    script = shutil.which("actorbind-server", path=os.path.dirname(sys.executable))
    assert script is not None, "pip install -e . installs the actorbind-server script"
    # The module is found in the current folder, as with python -m.
    proc, lines = started([script, "myapp:registry", "--port", "0"], folder)
    assert re.fullmatch(r"actorbind server listening on http://127\.0\.0\.1:\d+", lines[-1])
    assert lines == lines[-1:]  # info: one line, nothing of uvicorn's
    assert stop(proc) == 0


def test_log_level_debug_shows_uvicorn(folder: Path) -> None:
    command = [sys.executable, "-m", "actorbind.server", "myapp:registry", "--port", "0"]
    proc, lines = started([*command, "--log-level", "debug"], folder)
    assert any("Started server process" in line for line in lines), lines
    assert stop(proc) == 0
