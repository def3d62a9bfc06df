"""One version: the distribution's (pyproject), read once by ``actorbind._version``; every
place that shows a version (the package, the server's CLI and ``/metadata``, the client's
user agent) takes it from there."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import actorbind
import actorbind._version
import actorbind.server
from actorbind.client.config import USER_AGENT

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_one_source_of_truth() -> None:
    version = actorbind._version.__version__
    assert version == metadata.version("actorbind")
    assert actorbind.__version__ is version
    assert actorbind.server.__version__ is version
    assert USER_AGENT.startswith(f"actorbind/{version} ")


def test_pyproject_is_the_source() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    # An editable install reads its metadata from pyproject.toml at install time.
    assert actorbind.__version__ == project["version"]
