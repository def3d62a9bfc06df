"""Actor keys: validation, the ``/``-escaped serialized form, and the gateway's ``rvt-key``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

__all__ = [
    "ActorKey",
    "KeyLike",
    "deserialize_key",
    "normalize_key",
    "query_key",
    "serialize_key",
]

ActorKey: TypeAlias = tuple[str, ...]
KeyLike: TypeAlias = "str | Sequence[str] | None"

_EMPTY_KEY = "/"


def normalize_key(key: str | Sequence[str] | None) -> ActorKey:
    """A key as a tuple of parts: a string is one part, ``None`` is the empty key.

    Raises:
        TypeError: the key, or one of its parts, is not a string.
    """
    if key is None:
        return ()
    if isinstance(key, str):
        return (key,)
    if isinstance(key, bytes | bytearray) or not isinstance(key, Sequence):
        raise TypeError(f"an actor key is a str or a sequence of str, not {type(key).__name__}")
    parts = tuple(key)
    for i, part in enumerate(parts):
        if not isinstance(part, str):
            raise TypeError(f"actor key part {i} is {type(part).__name__}, expected str")
    return parts


def serialize_key(key: ActorKey) -> str:
    """The serialized key of the management API (``["a","b/c",""]`` -> ``a/b\\/c/\\0``)."""
    if not key:
        return _EMPTY_KEY
    return "/".join(
        "\\0" if part == "" else part.replace("\\", "\\\\").replace("/", "\\/") for part in key
    )


def deserialize_key(text: str) -> ActorKey:
    """Inverse of :func:`serialize_key`."""
    if text == _EMPTY_KEY or text == "":
        return ()
    parts: list[str] = []
    current: list[str] = []
    escaping = False
    empty_marker = False
    for ch in text:
        if escaping:
            if ch == "0":
                empty_marker = True
            else:
                current.append(ch)
            escaping = False
        elif ch == "\\":
            escaping = True
        elif ch == "/":
            parts.append("" if empty_marker else "".join(current))
            current, empty_marker = [], False
        else:
            current.append(ch)
    parts.append("" if empty_marker else "".join(current))
    return tuple(parts)


def query_key(key: ActorKey) -> str | None:
    """The ``rvt-key`` value, or ``None`` when the gateway cannot express this key.

    The gateway splits ``rvt-key`` on ``,`` with no escaping, so parts holding ``,`` (and empty
    parts, which the split cannot tell from none) must be addressed by actor id instead.
    """
    if any(part == "" or "," in part for part in key):
        return None
    return ",".join(key)
