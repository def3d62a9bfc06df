"""The README's two commands set up only when something changed, in a folder named actorbind.

``scripts/demo`` runs for real (offscreen, until its first frame) in a copy of the checkout at
``<tmp>/actorbind``. Its ``.venv`` is a fake whose ``python`` forwards to this interpreter and
records ``-m pip`` / ``-m venv`` instead of running them, so the tests need no network and show
exactly when the scripts would install something.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A stand-in interpreter: `-m venv DIR` makes DIR/bin/python a copy of itself, `-m pip` is
# recorded (and succeeds), anything else runs on the real interpreter.
FAKE_PYTHON = """#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  echo "venv" >>"$FAKE_LOG"; mkdir -p "$3/bin"; cp "$0" "$3/bin/python"; exit 0
fi
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
  shift 2; echo "pip $*" >>"$FAKE_LOG"; echo "Successfully installed actorbind"; exit 0
fi
exec {real} "$@"
"""


def write_executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the tracked files in a folder named ``actorbind``, as the README's clone."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    target = tmp_path / "actorbind"
    for name in filter(None, (f.decode() for f in files)):
        source = ROOT / name
        if source.is_file() and not name.startswith("docs/"):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture
def fake_python(tmp_path: Path) -> Path:
    return write_executable(tmp_path / "bin" / "python3", FAKE_PYTHON.format(real=sys.executable))


def run_script(checkout: Path, fake_python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHON": str(fake_python),
        "FAKE_LOG": str(checkout.parent / "log"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    return subprocess.run(
        ["bash", *args], cwd=checkout, env=env, capture_output=True, text=True, timeout=120
    )


def log(checkout: Path) -> list[str]:
    path = checkout.parent / "log"
    lines = path.read_text().splitlines() if path.exists() else []
    path.unlink(missing_ok=True)
    return lines


def demo(checkout: Path, fake_python: Path) -> subprocess.CompletedProcess[str]:
    data = checkout.parent / "room.db"
    return run_script(
        checkout, fake_python, "scripts/demo", "--quit-after-first-frame", "--data", str(data)
    )


def test_demo_sets_up_once_then_starts_without_pip(checkout: Path, fake_python: Path) -> None:
    first = demo(checkout, fake_python)
    assert first.returncode == 0, first.stderr
    assert "actorbind demo: first frame painted" in first.stdout
    assert log(checkout) == ["venv", "pip install --disable-pip-version-check -e .[qt,server]"]

    second = demo(checkout, fake_python)
    assert second.returncode == 0, second.stderr
    assert "first frame painted" in second.stdout
    assert log(checkout) == []  # no pip, hence no network and no waiting


def test_a_changed_pyproject_installs_again(checkout: Path, fake_python: Path) -> None:
    assert demo(checkout, fake_python).returncode == 0
    log(checkout)
    with (checkout / "pyproject.toml").open("a") as f:
        f.write("\n# a change\n")
    assert demo(checkout, fake_python).returncode == 0
    assert log(checkout) == ["pip install --disable-pip-version-check -e .[qt,server]"]


def test_the_dev_install_of_scripts_test_serves_the_demo(checkout: Path, fake_python: Path) -> None:
    # scripts/test's setup step (the rest of it is the test suite itself).
    assert (
        run_script(checkout, fake_python, "-c", ". scripts/_venv.sh; ensure_venv dev").returncode
        == 0
    )
    assert log(checkout) == ["venv", "pip install --disable-pip-version-check -e .[dev]"]
    assert demo(checkout, fake_python).returncode == 0
    assert log(checkout) == []


def test_a_venv_with_a_broken_or_old_python_is_recreated(checkout: Path, fake_python: Path) -> None:
    # What a venv made by Python 3.10 (or one whose interpreter was removed) looks like to the
    # scripts' check: its python cannot say it is 3.11+.
    write_executable(checkout / ".venv" / "bin" / "python", "#!/bin/sh\nexit 1\n")
    result = demo(checkout, fake_python)
    assert result.returncode == 0, result.stderr
    assert "recreating .venv" in result.stdout
    assert log(checkout) == ["venv", "pip install --disable-pip-version-check -e .[qt,server]"]


def test_no_python_3_11_says_so(checkout: Path, tmp_path: Path) -> None:
    old = write_executable(tmp_path / "old" / "python3", "#!/bin/sh\nexit 1\n")
    for tool in ("sh", "bash", "cat", "grep", "rm", "mkdir", "cp", "dirname"):
        found = shutil.which(tool)
        assert found is not None
        (old.parent / tool).symlink_to(found)
    env = {**os.environ, "PATH": f"{old.parent}:/usr/bin:/bin"}
    env.pop("PYTHON", None)
    result = subprocess.run(
        ["bash", "-c", f". scripts/_venv.sh; PATH={old.parent}; pick_python"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "needs Python 3.11 or newer" in result.stderr


def test_a_ready_venv_needs_no_system_python_3_11(
    checkout: Path, fake_python: Path, tmp_path: Path
) -> None:
    assert demo(checkout, fake_python).returncode == 0
    log(checkout)
    # Now the system's python3 is too old and PYTHON is unset: the ready .venv still serves.
    old = write_executable(tmp_path / "old" / "python3", "#!/bin/sh\nexit 1\n")
    for tool in ("sh", "bash", "cat", "grep", "rm", "mkdir", "cp", "dirname"):
        found = shutil.which(tool)
        assert found is not None
        (old.parent / tool).symlink_to(found)
    env = {
        **os.environ,
        "PATH": str(old.parent),
        "QT_QPA_PLATFORM": "offscreen",
    }
    env.pop("PYTHON", None)
    env["FAKE_LOG"] = str(checkout.parent / "log")
    data = checkout.parent / "room.db"
    result = subprocess.run(
        ["bash", "scripts/demo", "--quit-after-first-frame", "--data", str(data)],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert log(checkout) == []
