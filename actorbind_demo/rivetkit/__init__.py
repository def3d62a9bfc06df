"""The demo's actors as a RivetKit 2.3.19 registry (``registry.mjs``; the generic ``server.mjs``
of :mod:`actorbind.testing` starts it).

``python -m actorbind_demo.rivetkit`` installs it (npm, into a cache) and runs it on a free
loopback port; see ``actorbind_demo/README.md``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["APP_DIR", "PROBE"]

APP_DIR = Path(__file__).resolve().parent
# Called until it answers, so nobody races the engine.
PROBE = ("room", "getCount")
