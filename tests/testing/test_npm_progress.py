"""A long ``npm install`` prints progress lines instead of one line and minutes of silence."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from actorbind.testing import install

# Takes a moment (as a real install takes minutes), fills node_modules, succeeds.
FAKE_NPM = """#!/bin/sh
mkdir -p node_modules/rivetkit
head -c 2000000 /dev/zero > node_modules/rivetkit/blob
echo "added 1 package"
sleep 0.5
"""


def test_npm_install_reports_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    npm = tmp_path / "npm"
    npm.write_text(FAKE_NPM)
    npm.chmod(npm.stat().st_mode | stat.S_IXUSR)
    target = tmp_path / "install"
    target.mkdir()
    log = target / "npm-install.log"
    assert install._npm_install(str(npm), target, log, every=0.05) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("actorbind.testing: installing rivetkit 2.3.19 with npm into")
    progress = [line for line in lines if "npm install: " in line and "so far" in line]
    assert progress, lines  # at least one line while npm ran
    assert lines[-1].startswith("actorbind.testing: npm install finished in ")
    assert lines[-1].endswith("(exit 0)")
    assert "added 1 package" in log.read_text()
