"""Install a RivetKit app folder's ``node_modules`` once, into a shared cache.

``npm install`` (~340 MB, ~1 min) goes into ``$ACTORBIND_CACHE`` or ``~/.cache/actorbind``,
subfolder ``rivetkit-<version>-<hash>``; an install made for another app with the same
dependencies and ``.npmrc`` is reused as is. :mod:`.rivetkit` runs what is installed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

__all__ = [
    "RIVETKIT_VERSION",
    "RivetKitError",
    "cache_root",
    "ensure_installed",
    "log_tail",
    "progress",
    "require_tool",
]

RIVETKIT_VERSION = "2.3.19"
_MARKER = ".actorbind-installed"
_INSTALL_FILES = ("package.json", ".npmrc")


class RivetKitError(RuntimeError):
    """RivetKit could not be installed, started or stopped."""


def cache_root() -> Path:
    env = os.environ.get("ACTORBIND_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "actorbind"


def require_tool(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise RivetKitError(
            f"`{tool}` was not found on PATH: running RivetKit needs Node.js (>= 20) and npm "
            "(e.g. `apt-get install nodejs npm`)"
        )
    return path


def _install_identity(folder: Path) -> str | None:
    """What decides an install: the dependencies and the ``.npmrc`` (None if unreadable)."""
    try:
        package = json.loads((folder / "package.json").read_text())
        npmrc = (folder / ".npmrc").read_text() if (folder / ".npmrc").exists() else ""
    except (OSError, ValueError):
        return None
    deps = {k: package.get(k) for k in ("dependencies", "overrides")}
    return json.dumps(deps, sort_keys=True) + "\0" + npmrc


def _compatible_install(app_dir: Path, root: Path) -> Path | None:
    """A finished install in the cache with the same dependencies and ``.npmrc``."""
    wanted = _install_identity(app_dir)
    if wanted is None or not root.is_dir():
        return None
    for folder in sorted(root.glob(f"rivetkit-{RIVETKIT_VERSION}-*")):
        if (folder / _MARKER).is_file() and _install_identity(folder) == wanted:
            return folder
    return None


def ensure_installed(app_dir: Path, root: Path | None = None) -> Path:
    """Install the app's ``node_modules`` into the cache once; returns the install folder."""
    require_tool("node")
    npm = require_tool("npm")
    root = root if root is not None else cache_root()
    found = _compatible_install(app_dir, root)
    if found is not None:
        return found
    identity = _install_identity(app_dir)
    if identity is None:
        raise RivetKitError(f"{app_dir} has no readable package.json")
    digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
    target = root / f"rivetkit-{RIVETKIT_VERSION}-deps-{digest}"
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if (target / _MARKER).is_file():  # another process finished meanwhile
                return target
            target.mkdir(parents=True, exist_ok=True)
            for name in _INSTALL_FILES:
                if (app_dir / name).exists():
                    shutil.copyfile(app_dir / name, target / name)
            log_path = target / "npm-install.log"
            returncode = _npm_install(npm, target, log_path)
            if returncode != 0 or not (target / "node_modules" / "rivetkit").is_dir():
                raise RivetKitError(
                    f"`npm install` in {target} failed ({returncode}):\n{log_tail(log_path)}"
                )
            (target / _MARKER).write_text(json.dumps({"rivetkit": RIVETKIT_VERSION}))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def progress(message: str) -> None:
    """A progress line on stderr: the long steps (npm install, engine start) never look hung."""
    print(f"actorbind.testing: {message}", file=sys.stderr, flush=True)


def _folder_mb(folder: Path) -> float:
    total = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total / 1e6


def _npm_install(npm: str, target: Path, log_path: Path, every: float = 15.0) -> int:
    """``npm install`` into ``target`` (output in ``log_path``), with a progress line every
    ``every`` seconds: npm itself prints nothing until it is done when not on a terminal."""
    progress(
        f"installing rivetkit {RIVETKIT_VERSION} with npm into {target} (once; ~340 MB, "
        f"1-3 min; log: {log_path})"
    )
    started = time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [npm, "install", "--no-audit", "--no-fund"],
            cwd=target,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NO_UPDATE_NOTIFIER": "1"},
        )
        try:
            while True:
                try:
                    returncode = proc.wait(timeout=every)
                    break
                except subprocess.TimeoutExpired:
                    size = _folder_mb(target / "node_modules")
                    elapsed = time.monotonic() - started
                    progress(f"npm install: {elapsed:.0f} s, node_modules {size:.0f} MB so far")
        finally:
            if proc.poll() is None:  # interrupted: leave no npm behind
                proc.kill()
                proc.wait()
    progress(f"npm install finished in {time.monotonic() - started:.0f} s (exit {returncode})")
    return returncode


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_bytes()[-64 * 1024 :].decode("utf-8", "replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:])
