"""Work-arounds for bugs in the Qt binding.

PySide6 6.12.0: ``SignalInstance.emit()`` returns ``True`` without owning a reference, so
every emit made from Python takes one reference away from ``True``; after a few thousand the
interpreter aborts ("bool_dealloc: deallocating True or False", usually at exit). Detected at
import by emitting a probe signal; when present, :func:`emit` gives the reference back.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

__all__ = ["EMIT_STEALS_TRUE", "emit"]

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _detect() -> bool:
    probe = _Probe()
    rounds = 16
    for _ in range(3):  # another thread touching True could blur one measurement
        before = sys.getrefcount(True)
        ping: Any = probe.ping.emit  # typed "-> None"; it returns a bool
        results = [ping() for _ in range(rounds)]
        kept = sum(1 for r in results if r is True)
        del results
        lost = before - sys.getrefcount(True)
        if lost == 0:
            return False
        if lost == kept == rounds:
            for _ in range(rounds):
                _incref(True)  # give back what the probe took
            return True
    return False


EMIT_STEALS_TRUE = _detect()


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, without the reference leak of PySide6 6.12.0."""
    emitter: Any = signal.emit
    result = emitter(*args)
    if EMIT_STEALS_TRUE and isinstance(result, bool):
        _incref(result)
