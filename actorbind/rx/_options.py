"""How a store entry connects, and which entries are "the same actor"."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..client.handle import ParamsProvider
from ..protocol.keys import ActorKey

__all__ = ["DEFAULT_GRACE", "ActorOptions", "HashFunction", "default_hash"]

HashFunction = Callable[[str, ActorKey, Any, bool], str]
"""``(name, key, params, no_create) -> hash``: entries with equal hashes share a connection."""

DEFAULT_GRACE = 1.0
"""Seconds an unused connection is kept before it is disposed."""


def default_hash(name: str, key: ActorKey, params: Any, no_create: bool) -> str:
    """JSON of ``{name, key, params, noCreate}`` (sorted keys), like framework-base's hash."""
    return json.dumps(
        {"name": name, "key": list(key), "params": params, "noCreate": no_create},
        sort_keys=True,
        separators=(",", ":"),
        default=repr,
    )


@dataclass(frozen=True, slots=True)
class ActorOptions:
    """How an entry connects. Only ``name``, ``key``, ``params``, ``no_create`` are hashed;
    the others are taken from the latest :meth:`ActorStore.entry` call (as in React)."""

    name: str
    key: ActorKey
    params: Any = None
    no_create: bool = False
    create_with_input: Any = None
    create_in_region: str | None = None
    get_params: ParamsProvider | None = None
