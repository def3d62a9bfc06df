"""Importing an optional part without its extra names the pip command to run."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Hides the given top-level modules, as if they were not installed (None in sys.modules makes
# both `import` and importlib.util.find_spec treat them as missing), then runs the code.
HIDE = """
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None
exec(sys.argv[2])
"""


def run_without(modules: str, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HIDE, modules, code], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("hidden", "code", "hint"),
    [
        ("PySide6", "import actorbind_qt", "actorbind_qt needs PySide6, which is not installed"),
        ("qasync", "import actorbind_qt", "pip install 'actorbind[qt]'"),
        ("reactivex", "import actorbind_qt", "pip install 'actorbind[qt]'"),
        ("reactivex", "import actorbind.rx", "pip install 'actorbind[rx]'"),
        ("uvicorn", "from actorbind.server import serve", "pip install 'actorbind[server]'"),
        ("starlette", "from actorbind.server import run_in_thread", "actorbind[server]"),
    ],
)
def test_a_missing_extra_names_the_pip_command(hidden: str, code: str, hint: str) -> None:
    result = run_without(hidden, code)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("actorbind._extras.MissingExtra: ")
    assert hint in last


def test_actors_and_registries_need_no_server_extra() -> None:
    code = "from actorbind.server import Actor, Registry; print(Registry.__name__)"
    result = run_without("uvicorn,starlette", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Registry"


def test_other_import_errors_are_not_blamed_on_an_extra() -> None:
    result = run_without("httpx", "import actorbind_qt")
    assert result.returncode == 1
    assert "MissingExtra" not in result.stderr
    assert "ModuleNotFoundError: import of httpx halted" in result.stderr
