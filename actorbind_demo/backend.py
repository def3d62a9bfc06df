"""Where the actors live: the embedded server in-process, a RivetKit engine we start, or any
endpoint given on the command line."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QStandardPaths

__all__ = ["Backend", "default_data_path", "embedded", "remote", "rivetkit"]

APP_NAME = "actorbind-demo"


@dataclass
class Backend:
    """An endpoint for the client, a line for the UI, and how to stop what was started."""

    endpoint: str
    label: str
    token: str | None = None
    namespace: str | None = None
    _stop: Callable[[], None] | None = field(default=None, repr=False)

    def close(self) -> None:
        """Stop what this backend started (idempotent). Dispose the clients first."""
        stop, self._stop = self._stop, None
        if stop is not None:
            stop()


def default_data_path() -> Path:
    """``<AppDataLocation>/room.db``, e.g. ``~/.local/share/actorbind-demo/room.db``."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = Path(location) if location else Path.home() / ".local" / "share" / APP_NAME
    if folder.name != APP_NAME:  # the QApplication has another name (e.g. under pytest)
        folder = folder.parent / APP_NAME
    return folder / "room.db"


def embedded(data: Path, port: int = 0) -> Backend:
    """The embedded actorbind server on its own thread, on loopback (``port=0``: a free one)."""
    from actorbind.server import run_in_thread

    from .actors import registry

    data.parent.mkdir(parents=True, exist_ok=True)
    stack = contextlib.ExitStack()
    endpoint = stack.enter_context(run_in_thread(registry, port=port, data=str(data)))
    return Backend(endpoint, f"embedded actorbind server · {data.name}", _stop=stack.close)


def rivetkit(storage: Path | None = None) -> Backend:
    """A real RivetKit 2.3.19 engine running ``actorbind_demo/rivetkit`` (npm installs it once)."""
    from actorbind.testing import RivetKitEngine

    from .rivetkit import APP_DIR, PROBE

    engine = RivetKitEngine(APP_DIR, probe=PROBE, storage=storage).start()
    return Backend(engine.endpoint, f"RivetKit engine · {engine.endpoint}", _stop=engine.stop)


def remote(endpoint: str, token: str | None = None, namespace: str | None = None) -> Backend:
    """Somebody else's server (a Rivet Engine, ``python -m actorbind_demo.rivetkit``, ...)."""
    return Backend(endpoint, f"remote · {endpoint}", token=token, namespace=namespace)
