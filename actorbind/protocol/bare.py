"""Minimal BARE reader and writer for the RivetKit client protocol (vbare-framed)."""

from __future__ import annotations

import struct
from typing import Final

__all__ = ["BareError", "Reader", "Writer"]

_U64: Final = struct.Struct("<Q")
_I64: Final = struct.Struct("<q")
_MAX_UINT: Final = 2**64 - 1


class BareError(ValueError):
    """The bytes are not a valid BARE message of the expected type."""


class Writer:
    """Append-only BARE encoder."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = bytearray()

    def u8(self, value: int) -> None:
        self._buf.append(value)

    def u16(self, value: int) -> None:
        self._buf += value.to_bytes(2, "little")

    def u32(self, value: int) -> None:
        self._buf += value.to_bytes(4, "little")

    def u64(self, value: int) -> None:
        self._buf += _U64.pack(value)

    def i64(self, value: int) -> None:
        self._buf += _I64.pack(value)

    def fixed(self, value: bytes, length: int) -> None:
        """``data<length>``: exactly ``length`` bytes, no length prefix."""
        if len(value) != length:
            raise BareError(f"data<{length}> given {len(value)} bytes")
        self._buf += value

    def uint(self, value: int) -> None:
        if not 0 <= value <= _MAX_UINT:
            raise BareError(f"uint out of range: {value}")
        buf = self._buf
        while value >= 0x80:
            buf.append((value & 0x7F) | 0x80)
            value >>= 7
        buf.append(value)

    def boolean(self, value: bool) -> None:
        self._buf.append(1 if value else 0)

    def data(self, value: bytes) -> None:
        self.uint(len(value))
        self._buf += value

    def string(self, value: str) -> None:
        self.data(value.encode("utf-8"))

    def optional_present(self, present: bool) -> None:
        self._buf.append(1 if present else 0)

    def getvalue(self) -> bytes:
        return bytes(self._buf)


class Reader:
    """BARE decoder over one message; every read checks bounds."""

    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def _take(self, n: int) -> bytes:
        end = self._pos + n
        if end > len(self._data):
            raise BareError("truncated BARE message")
        chunk = self._data[self._pos : end]
        self._pos = end
        return chunk

    def u8(self) -> int:
        if self._pos >= len(self._data):
            raise BareError("truncated BARE message")
        value = self._data[self._pos]
        self._pos += 1
        return value

    def u16(self) -> int:
        return int.from_bytes(self._take(2), "little")

    def u32(self) -> int:
        return int.from_bytes(self._take(4), "little")

    def u64(self) -> int:
        return int(_U64.unpack(self._take(8))[0])

    def i64(self) -> int:
        return int(_I64.unpack(self._take(8))[0])

    def fixed(self, length: int) -> bytes:
        return self._take(length)

    def uint(self) -> int:
        result = 0
        shift = 0
        for _ in range(10):
            byte = self.u8()
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                if result > _MAX_UINT:
                    raise BareError("uint overflows 64 bits")
                return result
            shift += 7
        raise BareError("uint longer than 10 bytes")

    def boolean(self) -> bool:
        value = self.u8()
        if value > 1:
            raise BareError(f"invalid bool byte {value}")
        return value == 1

    def data(self) -> bytes:
        return self._take(self.uint())

    def string(self) -> str:
        raw = self.data()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BareError("string is not valid UTF-8") from None

    def optional(self) -> bool:
        flag = self.u8()
        if flag > 1:
            raise BareError(f"invalid optional flag {flag}")
        return flag == 1

    def remaining(self) -> int:
        return len(self._data) - self._pos

    def end(self) -> None:
        if self._pos != len(self._data):
            raise BareError(f"{len(self._data) - self._pos} trailing bytes after BARE message")
