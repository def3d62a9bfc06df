"""Before Qt starts: can it open a window here? Qt itself aborts (SIGABRT) when its xcb plugin
cannot load, after a message that does not say which Debian packages are missing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["DEBIAN_PACKAGES", "display_problem", "missing_libraries", "xcb_plugin"]

# Shared libraries of PySide6's libqxcb.so (and libQt6XcbQpa) -> the Debian/Ubuntu package.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)


def xcb_plugin() -> Path | None:
    """PySide6's xcb platform plugin, if this PySide6 has one."""
    import PySide6

    path = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return path if path.is_file() else None


def missing_libraries(ldd_output: str) -> list[str]:
    """The libraries ``ldd`` could not find, in order, each once."""
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def _debian_package(library: str) -> str | None:
    return DEBIAN_PACKAGES.get(library)


def display_problem(
    environ: Mapping[str, str] | None = None, platform: str = sys.platform
) -> str | None:
    """What stops Qt from opening a window here, with what to do, or None (also when it cannot
    tell: no ldd, no xcb plugin, not Linux, another Qt platform than xcb)."""
    env = os.environ if environ is None else environ
    if platform != "linux":
        return None
    wanted = env.get("QT_QPA_PLATFORM", "")
    if wanted and not wanted.startswith("xcb"):
        return None  # offscreen, wayland, vnc...: not our business
    if not wanted and env.get("WAYLAND_DISPLAY"):
        return None  # Qt picks Wayland first
    if not env.get("DISPLAY"):
        return (
            "no display: DISPLAY is not set (run it in a desktop session, or use "
            "QT_QPA_PLATFORM=offscreen to run without windows)"
        )
    plugin, ldd = xcb_plugin(), shutil.which("ldd")
    if plugin is None or ldd is None:
        return None
    try:
        result = subprocess.run(
            [ldd, str(plugin)], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    missing = missing_libraries(result.stdout)
    if not missing:
        return None
    packages = list(dict.fromkeys(p for lib in missing if (p := _debian_package(lib))))
    unknown = [lib for lib in missing if _debian_package(lib) is None]
    lines = [f"Qt cannot open a window: missing system libraries {', '.join(missing)}"]
    if packages:
        lines.append(f"install them with:  sudo apt-get install {' '.join(packages)}")
    if unknown:
        lines.append(f"(find the package of {', '.join(unknown)} with apt-file search)")
    return "\n".join(lines)
