"""Install hints for the optional parts: ``import actorbind_qt`` without the ``qt`` extra says
``pip install 'actorbind[qt]'`` instead of a bare ``ModuleNotFoundError``."""

from __future__ import annotations

import importlib.util

__all__ = ["MissingExtra", "has_modules", "raise_if_extra_missing", "require_extra"]


class MissingExtra(ImportError):
    """An optional part of actorbind was imported without the packages of its extra."""


def has_modules(*modules: str) -> bool:
    """Whether every one of ``modules`` (top-level names) can be imported."""
    return all(importlib.util.find_spec(m) is not None for m in modules)


def require_extra(part: str, extra: str, *modules: str) -> None:
    """Raise :class:`MissingExtra` naming ``pip install 'actorbind[extra]'`` if one of
    ``modules`` is not installed."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise MissingExtra(
            f"{part} needs {', '.join(missing)}, which {verb} not installed: "
            f"pip install 'actorbind[{extra}]'",
            name=missing[0],
        )


def raise_if_extra_missing(error: ImportError, part: str, extra: str, *modules: str) -> None:
    """In ``except ImportError``: raise :class:`MissingExtra` (from ``error``) when one of
    ``modules`` is not installed (it may be the cause at one remove: qasync without PySide6
    raises "No Qt implementations found"); otherwise return, and the caller re-raises."""
    try:
        require_extra(part, extra, *modules)
    except MissingExtra as missing:
        raise missing from error
