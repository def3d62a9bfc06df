"""Test support that ships with the library: run a real RivetKit 2.3.19 engine.

:class:`RivetKitEngine` installs a RivetKit app folder from npm into a cache once, starts it
with its Rivet Engine on a free loopback port, and stops both (even if its owner crashes). The
interop tests, the benchmarks and the demo use it; it needs Node.js >= 20 and npm.
"""

from __future__ import annotations

from .rivetkit import (
    RIVETKIT_VERSION,
    RivetKitEngine,
    RivetKitError,
    engine_env,
    ensure_installed,
    pick_port,
    pid_alive,
)

__all__ = [
    "RIVETKIT_VERSION",
    "RivetKitEngine",
    "RivetKitError",
    "engine_env",
    "ensure_installed",
    "pick_port",
    "pid_alive",
]
