"""Live states shared by every user of the same actor entry and the same load.

Widgets bound to the same actor (one store entry) that ask for the same ``(load, args)`` and
the same event names get one :class:`LiveState` (one snapshot, one set of listeners). The
first user's reducers and key are the ones used. A share follows whichever entry its users
hold (entries come and go with the store's grace period) and is disposed with its last user.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import reactivex
from reactivex import Observable
from reactivex import operators as ops
from reactivex.subject import BehaviorSubject

from ..client.conn import ActorConn
from ..protocol.keys import normalize_key
from ._list import ListOp, LiveList
from ._live import LiveState, Reducer
from ._rows import KeyFunction
from ._store import ActorEntry, ActorStore

__all__ = ["LiveShare", "share_live"]

_shares: weakref.WeakKeyDictionary[ActorStore, dict[tuple[Any, ...], LiveShare]] = (
    weakref.WeakKeyDictionary()
)


class LiveShare:
    """One shared live state; :meth:`offer` the entry you hold, :meth:`release` when done."""

    def __init__(self, table: dict[tuple[Any, ...], LiveShare], key: tuple[Any, ...]) -> None:
        self._table = table
        self._key = key
        self.refs = 0
        self.feed: BehaviorSubject[ActorEntry | None] = BehaviorSubject(None)
        self.state: LiveState[Any] | None = None

    def connections(self) -> Observable[ActorConn | None]:
        def select(entry: ActorEntry | None) -> Observable[ActorConn | None]:
            return entry.connections if entry is not None else reactivex.just(None)

        return self.feed.pipe(ops.map(select), ops.switch_latest())

    def offer(self, entry: ActorEntry) -> None:
        """A user holds ``entry`` now (the same for all users, or a newer one)."""
        if entry is not self.feed.value and not entry.disposed:
            self.feed.on_next(entry)

    def release(self) -> None:
        self.refs -= 1
        if self.refs > 0:
            return
        if self._table.get(self._key) is self:
            del self._table[self._key]
        if self.state is not None:
            self.state.dispose()
        self.feed.on_completed()


def _digest(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)


def share_live(
    store: ActorStore,
    options: Mapping[str, Any],
    load: str,
    args: Sequence[Any],
    *,
    reducers: Mapping[str, Reducer | ListOp] | None,
    list_key: KeyFunction | None = None,
    as_list: bool = False,
    initial: Any = None,
) -> LiveShare:
    """The share for this actor (``options`` as for :meth:`ActorStore.entry`) and load; one
    more user counted. Call :meth:`LiveShare.release` once per call."""
    actor = store._hash(
        options["name"],
        normalize_key(options.get("key")),
        options.get("params"),
        bool(options.get("no_create", False)),
    )
    key = (actor, as_list, load, _digest(list(args)), tuple(sorted(reducers or {})))
    table = _shares.setdefault(store, {})
    share = table.get(key)
    if share is None:
        share = LiveShare(table, key)
        if as_list:
            share.state = LiveList(share.connections(), load, args, reducers=reducers, key=list_key)
        else:
            plain: Any = reducers
            share.state = LiveState(
                share.connections(), load, args, reducers=plain, initial=initial
            )
        table[key] = share
    share.refs += 1
    return share
