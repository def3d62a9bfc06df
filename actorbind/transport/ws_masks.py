"""Client frame masks from a buffered ``os.urandom`` pool (websockets makes one call a frame)."""

from __future__ import annotations

import os

__all__ = ["POOL_BYTES", "MaskPool"]

POOL_BYTES = 512
"""Bytes of os.urandom fetched at a time for frame masks (128 frames per system call)."""


class MaskPool:
    """Fresh 4-byte masks; each byte of the pool is used once."""

    def __init__(self) -> None:
        self._masks = b""
        self._pos = 0

    def take(self) -> bytes:
        pos = self._pos
        if pos + 4 > len(self._masks):
            self._masks, pos = os.urandom(POOL_BYTES), 0
        self._pos = pos + 4
        return self._masks[pos : pos + 4]
