"""The wheel: only actorbind's own top-level packages, the LICENSE, py.typed, every data file;
metadata with classifiers, URLs, lean extras; README links that work on PyPI."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
REPO = PYPROJECT["project"]["urls"]["Repository"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    # Offline: the build backend comes from the dev extra, not from an isolated download.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (path,) = out.glob("actorbind-*.whl")
    with zipfile.ZipFile(path) as whl:
        yield whl


def metadata(wheel: zipfile.ZipFile) -> Message:
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return Parser().parsestr(wheel.read(name).decode())


def test_only_actorbinds_own_top_level_packages(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/")[0] for name in wheel.namelist()}
    tops = {t for t in tops if not t.endswith(".dist-info")}
    assert tops == {"actorbind", "actorbind_qt", "actorbind_demo"}


def test_license_and_py_typed(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    (license_file,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert "Apache License" in wheel.read(license_file).decode()
    assert {"actorbind/py.typed", "actorbind_qt/py.typed"} <= names


def test_every_tracked_data_file_is_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "actorbind", "actorbind_demo", "adapters"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    wanted = {n.removeprefix("adapters/") for n in tracked}
    assert wanted <= set(wheel.namelist()), wanted - set(wheel.namelist())


def test_metadata(wheel: zipfile.ZipFile) -> None:
    meta = metadata(wheel)
    assert meta["License-Expression"] == "Apache-2.0"
    classifiers = meta.get_all("Classifier") or []
    for version in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert urls["Repository"] == REPO
    requires = meta.get_all("Requires-Dist") or []
    uvicorn = [r for r in requires if r.startswith("uvicorn")]
    assert uvicorn and all("standard" not in r for r in uvicorn), uvicorn
    entry_points = next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))
    assert "actorbind-server = actorbind.server.__main__:main" in wheel.read(entry_points).decode()


def readme_targets() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"\]\(([^)\s]+)\)", text)


def test_readme_links_are_absolute_and_point_at_real_files() -> None:
    targets = readme_targets()
    assert targets
    for target in targets:
        assert target.startswith(("https://", "#")), target
        for prefix in (f"{REPO}/blob/main/", f"{REPO}/tree/main/", f"{REPO}/raw/main/"):
            if target.startswith(prefix):
                assert (ROOT / target.removeprefix(prefix)).exists(), target
