"""The protocol codecs as the RivetKit server uses them.

Two server-side refinements of :mod:`actorbind.protocol.codecs`, nothing re-implemented:

* json: keys are written sorted, as RivetKit's serde_json does (``{"actor":…,"code":…}``);
* cbor: what arrives must be JSON-representable, because RivetKit decodes it into a
  serde_json value: CBOR byte strings, tags (typed arrays, dates, ...) and non-string map keys
  are rejected (HTTP ``400 core.internal_error``, WebSocket close ``1011 actor.invalid_request``).
  HTTP error bodies are written with sorted keys, like its serde_json map.
"""

from __future__ import annotations

import json
from typing import Any, Final

import cbor2

from actorbind.protocol import BareCodec, CborCodec, Codec, HttpResponseError, JsonCodec
from actorbind.protocol.errors import MalformedMessage

__all__ = ["ENCODINGS", "server_codec"]

ENCODINGS: Final = ("json", "cbor", "bare")
_MAX_DEPTH: Final = 512


class _ServerJsonCodec(JsonCodec):
    def _dumps(self, tree: Any) -> str:
        return json.dumps(
            tree, separators=(",", ":"), ensure_ascii=False, allow_nan=False, sort_keys=True
        )


def _check_json_like(tree: Any, depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
        raise MalformedMessage("cbor value nested too deeply")
    if tree is None or isinstance(tree, str | bool | int | float):
        return
    if isinstance(tree, list):
        for item in tree:
            _check_json_like(item, depth + 1)
        return
    if isinstance(tree, dict):
        for k, v in tree.items():
            if not isinstance(k, str):
                raise MalformedMessage("cbor map keys must be strings")
            _check_json_like(v, depth + 1)
        return
    raise MalformedMessage(f"cbor {type(tree).__name__} is not JSON-representable")


class _ServerCborCodec(CborCodec):
    def _loads(self, data: bytes | str) -> Any:
        tree = super()._loads(data)
        _check_json_like(tree)
        return tree

    def encode_http_error(self, err: HttpResponseError) -> bytes:
        tree = cbor2.loads(super().encode_http_error(err))
        return bytes(cbor2.dumps(dict(sorted(tree.items()))))


_CODECS: Final[dict[str, Codec]] = {
    "json": _ServerJsonCodec(),
    "cbor": _ServerCborCodec(),
    "bare": BareCodec(),
}


def server_codec(encoding: str) -> Codec | None:
    """The server codec for an encoding name, or ``None`` if unknown."""
    return _CODECS.get(encoding)
