"""The ``cbor`` codec: binary frames; ids as 64-bit CBOR uints (so JavaScript reads a bigint)."""

from __future__ import annotations

from typing import Any

import cbor2

from ..errors import MalformedMessage
from ..messages import ActionRequest, ToServer
from ..values import to_compat
from ._shapes import Encoding, _cbor_loads
from ._tree import _TreeCodec

__all__ = ["CborCodec"]


class CborCodec(_TreeCodec):
    """``cbor``: binary frames; ids as 64-bit CBOR uints (so JavaScript reads a bigint)."""

    name: Encoding = "cbor"
    binary = True
    content_type = "application/octet-stream"

    def _dumps(self, tree: Any) -> bytes:
        return _cbor_dumps(tree)

    def _loads(self, data: bytes | str) -> Any:
        if isinstance(data, str):
            raise MalformedMessage("cbor message arrived in a text frame")
        return _cbor_loads(data)

    def _id(self, value: int) -> Any:
        return _Uint64(value)

    def encode_to_server(self, msg: ToServer) -> bytes:
        if type(msg) is ActionRequest and 0 <= msg.id < 2**64:
            # Hot path: the bytes _CborWriter writes for this envelope, without walking it.
            return b"".join(
                (
                    _ACTION_HEAD,
                    msg.id.to_bytes(8, "big"),
                    _NAME_KEY,
                    cbor2.dumps(msg.name),
                    _ARGS_KEY,
                    cbor2.dumps(to_compat(list(msg.args))),
                )
            )
        out = super().encode_to_server(msg)
        assert isinstance(out, bytes)
        return out


class _Uint64(int):
    """An int that CBOR writes in its 8-byte form, as RivetKit does for ids."""


def _cbor_default(encoder: Any, value: Any) -> None:
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


def _cbor_dumps(tree: Any) -> bytes:
    return _CborWriter().dumps(tree)


class _CborWriter:
    """cbor2, except that :class:`_Uint64` ints are written as ``1b`` + 8 bytes."""

    def dumps(self, tree: Any) -> bytes:
        if not self._has_u64(tree):
            return bytes(cbor2.dumps(tree))
        out = bytearray()
        self._write(tree, out)
        return bytes(out)

    def _has_u64(self, tree: Any) -> bool:
        # Only envelope maps carry ids, and only one level below "val".
        if isinstance(tree, dict):
            body = tree.get("body")
            if isinstance(body, dict):
                val = body.get("val")
                if isinstance(val, dict):
                    return any(type(v) is _Uint64 for v in val.values())
        return False

    def _write(self, value: Any, out: bytearray) -> None:
        if type(value) is _Uint64:
            out += b"\x1b" + int(value).to_bytes(8, "big")
        elif isinstance(value, dict):
            out += _cbor_head(5, len(value))
            for k, v in value.items():
                out += cbor2.dumps(k)
                self._write(v, out)
        else:
            out += cbor2.dumps(value)


def _cbor_key(key: str) -> bytes:
    return bytes(cbor2.dumps(key))


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    if n < 65536:
        return bytes([major << 5 | 25]) + n.to_bytes(2, "big")
    return bytes([major << 5 | 26]) + n.to_bytes(4, "big")


# {"body": {"tag": "ActionRequest", "val": {"id": <8-byte uint> ...: written up to the id.
_ACTION_HEAD = b"".join(
    (
        _cbor_head(5, 1),
        _cbor_key("body"),
        _cbor_head(5, 2),
        _cbor_key("tag"),
        _cbor_key("ActionRequest"),
        _cbor_key("val"),
        _cbor_head(5, 3),
        _cbor_key("id"),
        b"\x1b",
    )
)
_NAME_KEY = _cbor_key("name")
_ARGS_KEY = _cbor_key("args")
