"""The ``json`` codec: text frames; ids as ``["$BigInt", "N"]`` like the TS client."""

from __future__ import annotations

import json
from typing import Any

from ..errors import MalformedMessage
from ..values import from_compat, to_compat
from ._shapes import Encoding
from ._tree import _TreeCodec

__all__ = ["JsonCodec"]


def _reject_constant(name: str) -> Any:
    raise MalformedMessage(f"{name} is not valid JSON")


# One each, not one per message (json.loads/dumps with options build a new one per call).
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class JsonCodec(_TreeCodec):
    """``json``: text frames; ids as ``["$BigInt", "N"]`` like the TS client."""

    name: Encoding = "json"
    binary = False
    content_type = "application/json"

    def _dumps(self, tree: Any) -> str:
        return _ENCODER.encode(tree)

    def _loads(self, data: bytes | str) -> Any:
        if not isinstance(data, str):  # as json.loads does for bytes
            data = bytes(data).decode(json.detect_encoding(data), "surrogatepass")
        return _DECODER.decode(data)

    def _id(self, value: int) -> Any:
        return ["$BigInt", str(value)]

    def _val(self, value: Any) -> Any:
        return to_compat(value, allow_nan=False)

    def _ids(self, val: dict[str, Any]) -> dict[str, Any]:
        # Ids arrive as ["$BigInt","N"] (always from RivetKit) or as plain numbers.
        out = dict(val)
        for key in ("id", "actionId"):
            raw = out.get(key)
            if isinstance(raw, list):
                out[key] = from_compat(raw)
            elif isinstance(raw, float) and raw.is_integer():
                out[key] = int(raw)
        return out
