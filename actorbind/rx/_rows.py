"""The rows of a live list: items in order, found by key, changed in place.

Each mutation returns the :data:`ListChange` it made, so a view (a Qt model) can replay it.
Positions of keys are cached and re-indexed lazily: appending, updating and removing the
last item cost O(1) Python work; a change in the middle re-indexes the items after it on
the next lookup past that point.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "KeyFunction",
    "ListChange",
    "ListInserted",
    "ListRemoved",
    "ListReset",
    "ListUpdated",
    "Rows",
]

KeyFunction = Callable[[Any], Hashable]


@dataclass(frozen=True, slots=True)
class ListReset:
    """All rows replaced (a snapshot arrived)."""

    items: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class ListInserted:
    """``items`` inserted before row ``index`` (``index == len`` appends)."""

    index: int
    items: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class ListUpdated:
    """Row ``index`` now holds ``item`` (same key)."""

    index: int
    item: Any


@dataclass(frozen=True, slots=True)
class ListRemoved:
    """``count`` rows removed from row ``index`` on."""

    index: int
    count: int


ListChange = ListReset | ListInserted | ListUpdated | ListRemoved


class Rows:
    """Items in order; with a ``key`` function, also by key (keys must be unique)."""

    def __init__(self, key: KeyFunction | None) -> None:
        self.key = key
        self.items: list[Any] = []
        self._keys: list[Hashable] = []
        self._pos: dict[Hashable, int] = {}
        self._valid = 0  # cached positions below this row are right

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def index_of(self, key: Hashable) -> int | None:
        """The row holding ``key``, or ``None``."""
        pos = self._pos.get(key)
        if pos is None or pos < self._valid:
            return pos
        keys, cache = self._keys, self._pos
        for row in range(self._valid, len(keys)):
            cache[keys[row]] = row
        self._valid = len(keys)
        return cache.get(key)

    # --- changes (each returns what it did) ---------------------------------------------------

    def reset(self, items: Sequence[Any]) -> ListReset:
        items = list(items)
        if self.key is not None:
            keys = [self.key(item) for item in items]
            pos = {k: row for row, k in enumerate(keys)}
            if len(pos) != len(keys):
                raise ValueError(f"duplicate keys in the snapshot: {_dupes(keys)!r}")
            self._keys, self._pos, self._valid = keys, pos, len(keys)
        self.items = items
        return ListReset(tuple(items))

    def insert(self, row: int, item: Any, key: Hashable = None) -> ListInserted:
        self.items.insert(row, item)
        if self.key is not None:
            at_end = row == len(self._keys)
            self._keys.insert(row, key)
            self._pos[key] = row
            if at_end and self._valid == row:
                self._valid = row + 1
            else:
                self._valid = min(self._valid, row)
        return ListInserted(row, (item,))

    def update(self, row: int, item: Any) -> ListUpdated:
        self.items[row] = item
        return ListUpdated(row, item)

    def remove(self, row: int, count: int = 1) -> ListRemoved:
        del self.items[row : row + count]
        if self.key is not None:
            for key in self._keys[row : row + count]:
                del self._pos[key]
            del self._keys[row : row + count]
            self._valid = min(self._valid, row)
        return ListRemoved(row, count)

    # --- by key ---------------------------------------------------------------------------

    def append(self, item: Any) -> ListChange:
        """Add at the end; with a key already present, replace that row instead."""
        if self.key is None:
            return self.insert(len(self.items), item)
        key = self.key(item)
        row = self.index_of(key)
        if row is not None:
            return self.update(row, item)
        return self.insert(len(self.items), item, key)

    def upsert(self, item: Any) -> ListChange | None:
        """Replace the row with ``item``'s key (``None`` if equal), or append it."""
        key = self._require_key()(item)
        row = self.index_of(key)
        if row is None:
            return self.insert(len(self.items), item, key)
        if self.items[row] == item:
            return None
        return self.update(row, item)

    def remove_key(self, key: Hashable) -> ListRemoved | None:
        self._require_key()
        row = self.index_of(key)
        return None if row is None else self.remove(row)

    def replace_all(self, new: Sequence[Any]) -> list[ListChange]:
        """Turn the rows into ``new`` with inserts, updates and removes (keyed, or by position
        around a common prefix and suffix without a key)."""
        new = list(new)
        if self.key is None:
            return self._replace_unkeyed(new)
        key = self.key
        new_keys = [key(item) for item in new]  # every key first: a raising key changes nothing
        wanted = set(new_keys)
        if len(wanted) != len(new_keys):
            raise ValueError(f"duplicate keys in the new list: {_dupes(new_keys)!r}")
        changes: list[ListChange] = []
        row = len(self._keys) - 1
        while row >= 0:  # drop what is gone, from the end, a run at a time
            if self._keys[row] in wanted:
                row -= 1
                continue
            end = row
            while row >= 0 and self._keys[row] not in wanted:
                row -= 1
            changes.append(self.remove(row + 1, end - row))
        for row, (k, item) in enumerate(zip(new_keys, new, strict=True)):
            if row < len(self._keys) and self._keys[row] == k:
                if self.items[row] != item:
                    changes.append(self.update(row, item))
                continue
            old = self.index_of(k)
            if old is not None:  # moved up: take it out where it was
                changes.append(self.remove(old))
            changes.append(self.insert(row, item, k))
        return _coalesce(changes)

    def _replace_unkeyed(self, new: list[Any]) -> list[ListChange]:
        old = self.items
        head = 0
        limit = min(len(old), len(new))
        while head < limit and old[head] == new[head]:
            head += 1
        tail = 0
        while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        changes: list[ListChange] = []
        gone = len(old) - head - tail
        if gone:
            changes.append(self.remove(head, gone))
        for offset, item in enumerate(new[head : len(new) - tail]):
            changes.append(self.insert(head + offset, item))
        return _coalesce(changes)

    def _require_key(self) -> KeyFunction:
        if self.key is None:
            raise TypeError("this operation needs a list made with key=")
        return self.key


def _coalesce(changes: list[ListChange]) -> list[ListChange]:
    """Merge consecutive inserts into one (one ``beginInsertRows`` for a batch)."""
    out: list[ListChange] = []
    run: list[Any] = []  # items of the insert run being built
    start = 0
    for change in changes:
        if isinstance(change, ListInserted) and run and start + len(run) == change.index:
            run.extend(change.items)
            continue
        if run:
            out.append(ListInserted(start, tuple(run)))
            run = []
        if isinstance(change, ListInserted):
            start, run = change.index, list(change.items)
        else:
            out.append(change)
    if run:
        out.append(ListInserted(start, tuple(run)))
    return out


def _dupes(keys: list[Hashable]) -> list[Hashable]:
    seen: set[Hashable] = set()
    return [k for k in keys if k in seen or seen.add(k)][:3]  # type: ignore[func-returns-value]
