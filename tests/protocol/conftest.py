"""Make ``actorbind`` importable when the package is not installed into the venv."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
try:
    import actorbind  # noqa: F401
except ImportError:  # pragma: no cover - depends on how the venv was set up
    sys.path.insert(0, str(_ROOT))
