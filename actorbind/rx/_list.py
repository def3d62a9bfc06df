"""``live_list``: a collection (chat history, presence, documents) as a live state.

The snapshot and ordering rules are :func:`~actorbind.rx.live_state`'s. Each change is also
published as a :data:`ListChange` (inserts, updates, removes), which is what a list view
needs. Reducers either return the new list (diffed by ``key``) or are list operations
(:func:`append`, :func:`upsert`, :func:`remove_by_key`) that do O(1) work per item.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from reactivex import Observable, abc
from reactivex.disposable import Disposable
from reactivex.subject import Subject

from ._live import LiveSource, LiveState, Reducer
from ._rows import KeyFunction, ListChange, ListReset, Rows

__all__ = ["ListOp", "LiveList", "append", "live_list", "remove_by_key", "upsert"]


def _first(*args: Any) -> Any:
    return args[0] if args else None


@dataclass(frozen=True, slots=True)
class ListOp:
    """A reducer that is a list operation (make it with :func:`append`, :func:`upsert` or
    :func:`remove_by_key`)."""

    kind: Literal["append", "upsert", "remove"]
    select: Callable[..., Any] = _first
    """Picks the item (or, for ``remove``, the key) from the event's args."""


def append(select: Callable[..., Any] = _first) -> ListOp:
    """Reducer: add the event's item at the end (O(1)). With a ``key`` already present, that
    row is replaced instead, so an event the snapshot already holds is not shown twice."""
    return ListOp("append", select)


def upsert(select: Callable[..., Any] = _first) -> ListOp:
    """Reducer: replace the row with the item's key, or append it (O(1); needs ``key``)."""
    return ListOp("upsert", select)


def remove_by_key(select: Callable[..., Any] = _first) -> ListOp:
    """Reducer: remove the row whose key the event carries (needs ``key``). O(1) Python work;
    the rows after it are re-indexed lazily."""
    return ListOp("remove", select)


class LiveList(LiveState[list[Any]]):
    """A live list. Make it with :func:`live_list`.

    As an Observable it emits the whole list (a new ``list`` each time, so it costs O(n) per
    change while someone subscribes); :attr:`changes` emits what changed. ``len(live)``,
    ``live.at(row)`` and :meth:`index_of` read the rows without copying.
    """

    def __init__(
        self,
        source: LiveSource,
        load: str,
        args: Sequence[Any] = (),
        *,
        reducers: Mapping[str, Reducer | ListOp] | None = None,
        key: KeyFunction | None = None,
    ) -> None:
        self._rows = Rows(key)
        self._changes: Subject[ListChange] = Subject()
        self._base: Rows | None = None  # the actor's rows while optimistic changes are shown
        # ListOps are handled by _fold below; the base class only stores them.
        super().__init__(source, load, args, reducers=cast(Any, reducers), initial=[])

    def __len__(self) -> int:
        return len(self._rows)

    def at(self, row: int) -> Any:
        """The item in ``row`` (no copy)."""
        return self._rows.items[row]

    def index_of(self, key: Hashable) -> int | None:
        """The row of the item with this key (needs ``key=``)."""
        return self._rows.index_of(key)

    @property
    def value(self) -> list[Any]:
        """A copy of the current items."""
        return list(self._rows.items)

    @property
    def changes(self) -> Observable[ListChange]:
        """A :class:`ListReset` with the current items (once loaded), then every change:
        a reset per snapshot, then inserts, updates and removes."""

        def subscribe(
            observer: abc.ObserverBase[ListChange], scheduler: abc.SchedulerBase | None = None
        ) -> abc.DisposableBase:
            if self.disposed:
                observer.on_completed()
                return Disposable()
            if self.loaded:
                observer.on_next(ListReset(tuple(self._rows.items)))
            return self._changes.subscribe(observer, scheduler=scheduler)

        return Observable(subscribe)

    # --- LiveState hooks ----------------------------------------------------------------

    def _check_reducers(self) -> None:
        for name, reducer in self._reducers.items():
            if isinstance(reducer, ListOp):
                if reducer.kind != "append" and self._rows.key is None:
                    raise ValueError(f"{reducer.kind} (the reducer for {name!r}) needs key=")
            elif not callable(reducer):
                raise TypeError(f"the reducer for {name!r} is not callable")

    def _current(self) -> list[Any]:
        return list(self._rows.items)

    def _set_snapshot(self, output: Any) -> None:
        if not isinstance(output, Sequence) or isinstance(output, str | bytes):
            raise TypeError(f"a list snapshot must be a list, not {type(output).__name__}")
        base = self._base
        if base is None:
            self._publish([self._rows.reset(output)])
            return
        base.reset(output)
        self._publish([self._rows.reset(self._with_overlays(list(base.items)))])

    def _fold(self, reducer: Reducer, args: tuple[Any, ...]) -> None:
        base = self._base
        if base is None:
            changes = _apply(self._rows, reducer, args)
        else:  # optimistic changes pending: fold underneath, then show them on top again
            _apply(base, reducer, args)
            changes = self._rows.replace_all(self._with_overlays(list(base.items)))
        if changes:
            self._publish(changes)

    def _overlays_changed(self) -> None:
        if self._overlays and self._base is None:
            self._base = Rows(self._rows.key)
            self._base.reset(self._rows.items)
        base = self._base
        if base is None:
            return
        shown = self._with_overlays(list(base.items)) if self._overlays else base.items
        if not self._overlays:
            self._base = None
        try:
            changes = self._rows.replace_all(shown)
        except Exception as exc:  # e.g. an optimistic change made a duplicate key
            self._report(exc, "an optimistic change was rejected")
            return
        if changes and (self.loaded or self._live):
            self._publish(changes)

    @property
    def confirmed(self) -> list[Any]:
        base = self._base
        return list((base if base is not None else self._rows).items)

    def _publish(self, changes: list[ListChange]) -> None:
        if self._changes.observers:
            for change in changes:
                self._changes.on_next(change)
        if self._values.observers:
            self._values.on_next(list(self._rows.items))
        if self._batch.listeners:
            self._batch.add(self._conn, changes)

    def _dispose(self) -> None:
        was = self.disposed
        super()._dispose()
        if not was:
            self._changes.on_completed()


def _apply(rows: Rows, reducer: Reducer | ListOp, args: tuple[Any, ...]) -> list[ListChange]:
    if isinstance(reducer, ListOp):
        picked = reducer.select(*args)
        if reducer.kind == "append":
            change: ListChange | None = rows.append(picked)
        elif reducer.kind == "upsert":
            change = rows.upsert(picked)
        else:
            change = rows.remove_key(picked)
        return [] if change is None else [change]
    new = reducer(list(rows.items), *args)
    if not isinstance(new, Sequence) or isinstance(new, str | bytes):
        raise TypeError(f"a list reducer must return a list, not {type(new).__name__}")
    return rows.replace_all(new)


def live_list(
    source: LiveSource,
    load: str,
    *args: Any,
    reducers: Mapping[str, Reducer | ListOp] | None = None,
    key: KeyFunction | None = None,
) -> LiveList:
    """A list from the action ``load(*args)``, kept current by ``reducers`` (see
    :func:`~actorbind.rx.live_state` for the rules).

    A reducer is :func:`append`, :func:`upsert`, :func:`remove_by_key`, or a function
    ``(items, *event_args) -> new_items`` whose result is diffed by ``key`` (by position
    around the changed part without a key). ``key(item)`` must be unique per item.

    ::

        chat = live_list(conn, "history", key=lambda m: m["id"],
                         reducers={"message": append(), "deleted": remove_by_key()})
        chat.changes.subscribe(print)     # ListReset(...), then ListInserted(index, items) ...
    """
    return LiveList(source, load, args, reducers=reducers, key=key)
