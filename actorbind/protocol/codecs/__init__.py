"""Codecs for the three RivetKit encodings: ``json``, ``cbor`` and ``bare``.

A codec turns protocol messages (:mod:`.messages`) into wire bytes and back, for both
directions, so the client and the embedded server share it. Every decode either returns a
well-formed message or raises :class:`~actorbind.protocol.errors.MalformedMessage`.
"""

from __future__ import annotations

from typing import Final

from ._shapes import ENCODINGS, Encoding
from .bare import BARE_VERSION, BareCodec
from .cbor import CborCodec
from .json import JsonCodec

__all__ = [
    "BARE_VERSION",
    "ENCODINGS",
    "BareCodec",
    "CborCodec",
    "Codec",
    "Encoding",
    "JsonCodec",
    "codec_for",
]

Codec = JsonCodec | CborCodec | BareCodec

_CODECS: Final[dict[str, Codec]] = {"json": JsonCodec(), "cbor": CborCodec(), "bare": BareCodec()}


def codec_for(encoding: str) -> Codec:
    """The codec for an encoding name.

    Raises:
        ValueError: the encoding is not ``json``, ``cbor`` or ``bare``.
    """
    try:
        return _CODECS[encoding]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown encoding {encoding!r}: expected one of 'json', 'cbor', 'bare'"
        ) from None
