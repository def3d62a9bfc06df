"""The RivetKit "JSON compat" value layer.

Every user value (action args and output, event args, error metadata, input, queue bodies)
travels as a JSON-shaped tree in all three encodings. Values JSON cannot hold become tagged
two-item lists, exactly as the TypeScript client and actor runtime write them:

====================  =====================================
Python                wire
====================  =====================================
``int`` > 2**53 - 1   ``["$BigInt", "12345678901234567890"]``
``bytes``             ``["$Uint8Array", "<base64>"]``
``set``/``frozenset`` ``["$Set", [...]]``
:data:`UNDEFINED`     ``["$Undefined", 0]``
``["$x", 1]``         ``["$$x", 1]`` (user lists that look like tags are escaped)
====================  =====================================

Decoding reverses it. ``$ArrayBuffer`` also decodes to ``bytes``. ``$Undefined`` decodes to
``None`` in lists and at the top level, and drops the key in a dict, which is what an
``undefined`` property means in JavaScript.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["MAX_SAFE_INTEGER", "UNDEFINED", "Undefined", "from_compat", "to_compat"]

MAX_SAFE_INTEGER: Final = 2**53 - 1
_MAX_DEPTH: Final = 256
_BIGINT: Final = re.compile(r"-?[0-9]+")


class Undefined:
    """JavaScript's ``undefined``; use the singleton :data:`UNDEFINED`."""

    _instance: Undefined | None = None

    def __new__(cls) -> Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Final = Undefined()


def to_compat(value: Any, *, allow_nan: bool = True) -> Any:
    """Turn a Python value into the JSON-shaped compat tree RivetKit expects.

    Raises:
        TypeError: the value (or something inside it) cannot travel, e.g. an object, or a dict
            with non-string keys.
        ValueError: NaN or infinity when ``allow_nan`` is false (JSON cannot hold them), or
            nesting deeper than 256 levels.
    """
    if type(value) is list and len(value) <= 16:
        # Hot path (action args): a short list of plain scalars travels as it is.
        for item in value:
            kind = type(item)
            if kind is int:
                if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                    break
            elif kind is not str and kind is not bool and item is not None:
                break
        else:
            if not (len(value) == 2 and type(value[0]) is str and value[0].startswith("$")):
                return list(value)
    return _encode(value, allow_nan, 0)


def _encode(value: Any, allow_nan: bool, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise ValueError("value is nested too deeply (more than 256 levels)")
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return int(value)
        return ["$BigInt", str(int(value))]
    if isinstance(value, float):
        if not allow_nan and not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be sent in the json encoding")
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return ["$Uint8Array", base64.b64encode(bytes(value)).decode("ascii")]
    if isinstance(value, list | tuple):
        items = [_encode(v, allow_nan, depth + 1) for v in value]
        if len(items) == 2 and isinstance(items[0], str) and items[0].startswith("$"):
            items[0] = "$" + items[0]
        return items
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(
                    f"dict keys must be str to travel to an actor, got {type(k).__name__}"
                )
            out[k] = _encode(v, allow_nan, depth + 1)
        return out
    if isinstance(value, set | frozenset):
        return ["$Set", [_encode(v, allow_nan, depth + 1) for v in value]]
    if value is UNDEFINED:
        return ["$Undefined", 0]
    raise TypeError(f"values of type {type(value).__name__} cannot be sent to an actor")


def from_compat(tree: Any) -> Any:
    """Revive a compat tree into Python values.

    Raises:
        ValueError: an unknown ``$`` tag or a malformed tagged value.
    """
    return _decode(tree, 0)


_DROP: Final = object()


def _decode(tree: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise ValueError("value is nested too deeply (more than 256 levels)")
    if isinstance(tree, list):
        if len(tree) == 2 and isinstance(tree[0], str) and tree[0].startswith("$"):
            return _decode_tagged(tree[0], tree[1], depth)
        return [None if (v := _decode(i, depth + 1)) is _DROP else v for i in tree]
    if isinstance(tree, dict):
        out: dict[Any, Any] = {}
        for k, v in tree.items():
            item = _decode(v, depth + 1)
            if item is not _DROP:
                out[k] = item
        return out
    return tree


def _decode_tagged(tag: str, payload: Any, depth: int) -> Any:
    if tag == "$BigInt":
        # As strict as JavaScript's BigInt(): no "_" separators, no spaces, no "+".
        if not isinstance(payload, str) or not _BIGINT.fullmatch(payload):
            raise ValueError(f"malformed $BigInt value {str(payload)[:40]!r}")
        return int(payload)
    if tag in ("$Uint8Array", "$ArrayBuffer"):
        if not isinstance(payload, str):
            raise ValueError(f"malformed {tag} value")
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"malformed {tag} value: not base64") from None
    if tag == "$Undefined":
        return _DROP if depth > 0 else None
    if tag == "$Set":
        if not isinstance(payload, list):
            raise ValueError("malformed $Set value")
        items = [None if (v := _decode(i, depth + 1)) is _DROP else v for i in payload]
        try:
            return set(items)
        except TypeError:
            return items
    if tag.startswith("$$"):
        return [tag[1:], _decode(payload, depth + 1)]
    raise ValueError(f"unknown compat tag {tag[:40]!r}")
