"""What every codec shares: the encoding names, the decode guard, and the checks of the map
shapes that json and cbor both carry (bare reuses the CBOR reader for its value blobs)."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any, Final, Literal, TypeVar

import cbor2

from ..errors import MalformedMessage
from ..messages import (
    ActorSpecifier,
    Error,
    HttpResponseError,
)

Encoding = Literal["json", "cbor", "bare"]
ENCODINGS: Final[tuple[Encoding, ...]] = ("json", "cbor", "bare")
_T = TypeVar("_T")


_decoders = threading.local()  # one reusable cbor2 decoder per thread (decode() resets it)


def _cbor_loads(data: bytes) -> Any:
    """One CBOR item; trailing bytes are an error (cbor2.loads ignores them)."""
    fp = io.BytesIO(data)
    decoder: cbor2.CBORDecoder | None = getattr(_decoders, "decoder", None)
    if decoder is None:
        decoder = _decoders.decoder = cbor2.CBORDecoder(fp)
    else:
        decoder.fp = fp  # cheaper than a new decoder per message
    try:
        value = decoder.decode()
        end = fp.tell()
    finally:
        if len(data) > 65536:
            decoder.fp = io.BytesIO()  # do not keep a large message alive
    if end != len(data):
        raise MalformedMessage(f"{len(data) - end} trailing bytes after the CBOR item")
    return value


def _plain(data: bytes | str) -> bool:
    """Whether a (small) message can hold no compat tag and no nesting past the compat depth
    limit, so ``from_compat`` would return its values unchanged. Tags are strings starting
    with ``$`` (JSON can spell ``$`` as an escape, hence no backslash either)."""
    if len(data) > 256:  # each level of nesting takes at least one byte
        return False
    if type(data) is str:
        return "$" not in data and "\\" not in data
    return b"$" not in data


def _guard(what: str, fn: Callable[[], _T]) -> _T:
    """Run a decoder, turning any failure into one clear MalformedMessage."""
    try:
        return fn()
    except MalformedMessage:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError) as exc:
        raise MalformedMessage(f"malformed {what}: {exc}") from exc
    except Exception as exc:  # cbor2 raises its own error types (CBORDecodeError, ...)
        raise MalformedMessage(f"malformed {what}: {exc}") from exc


# --- shape checks shared by json and cbor ------------------------------------------------


def _field(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    if key not in obj:
        raise MalformedMessage(f"malformed {what}: missing {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise MalformedMessage(f"malformed {what}: {key!r} has the wrong type")
    return value


def _uint(obj: dict[str, Any], key: str, what: str) -> int:
    value = _field(obj, key, int, what)
    if value < 0 or value >= 2**64:
        raise MalformedMessage(f"malformed {what}: {key!r} out of range")
    return int(value)


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedMessage(f"malformed {what}: expected a map")
    return value


def _envelope(tree: Any, what: str) -> tuple[str, dict[str, Any]]:
    body = _dict(_dict(tree, what).get("body"), what)
    tag = body.get("tag")
    if not isinstance(tag, str):
        raise MalformedMessage(f"malformed {what}: missing tag")
    return tag, _dict(body.get("val"), f"{what} {tag}")


def _args_list(value: Any) -> list[Any]:
    # RivetKit turns null into [] and wraps a lone value; mirror that leniency.
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _actor_tree(actor: ActorSpecifier) -> dict[str, Any]:
    tree: dict[str, Any] = {"actorId": actor.actor_id, "generation": actor.generation}
    if actor.key is not None:
        tree["key"] = actor.key
    return tree


def _actor_from_tree(value: Any, what: str) -> ActorSpecifier | None:
    if value is None:
        return None
    obj = _dict(value, what)
    key = obj.get("key")
    return ActorSpecifier(
        actor_id=_field(obj, "actorId", str, what),
        generation=_uint(obj, "generation", what),
        key=key if isinstance(key, str) else None,
    )


def _error_tree(err: Error | HttpResponseError, action_id: Any) -> dict[str, Any]:
    tree: dict[str, Any] = {"group": err.group, "code": err.code, "message": err.message}
    if err.metadata is not None:
        tree["metadata"] = err.metadata
    if isinstance(err, Error):
        tree["actionId"] = action_id
    if err.actor is not None:
        tree["actor"] = _actor_tree(err.actor)
    return tree


def _error_from_tree(val: dict[str, Any], what: str, action_id: int | None) -> dict[str, Any]:
    return {
        "group": _field(val, "group", str, what),
        "code": _field(val, "code", str, what),
        "message": _field(val, "message", str, what),
        "metadata": val.get("metadata"),
        "actor": _actor_from_tree(val.get("actor"), what),
    }
