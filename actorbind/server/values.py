"""How the server stores a value: an actor's state and input, a queue message's body, a
scheduled call's arguments (CBOR of the compat form RivetKit persists, shared by the embedded
store and the engine's KV)."""

from __future__ import annotations

from typing import Any

import cbor2

from actorbind.protocol import from_compat, to_compat

__all__ = ["decode_value", "encode_value"]


def encode_value(value: Any) -> bytes:
    return bytes(cbor2.dumps(to_compat(value)))


def decode_value(raw: bytes) -> Any:
    return from_compat(cbor2.loads(raw))
