"""``ActorListModel``: a live list as a ``QAbstractListModel`` (QListView, QML ListView).

The model keeps its own row list and changes it only between the matching ``begin*`` and
``end*`` calls, as Qt requires: it replays the live list's changes (a reset per snapshot,
then inserts, updates and removes), one socket read's worth at a time: appends that arrive
together are announced as one insert on the next loop turn, a run of updates as one
``dataChanged`` over the rows it touched. Rows share the items with the live list, so a row costs
one list slot here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from reactivex.disposable import CompositeDisposable, Disposable

from actorbind.rx import (
    ListChange,
    ListInserted,
    ListRemoved,
    ListReset,
    ListUpdated,
    LiveList,
    LiveStatus,
)

from ._compat import emit
from ._qml import describe

__all__ = ["ITEM_ROLE", "ActorListModel"]

ITEM_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""The role (named ``item``) that holds the whole item."""

_NO_ROWS = (sys.maxsize, -1)  # an empty range of updated rows

_Index = QModelIndex | QPersistentModelIndex


def _default_display(item: Any) -> str:
    if isinstance(item, dict):
        for name in ("text", "name", "title", "label"):
            if name in item:
                return str(item[name])
    return str(item)


class ActorListModel(QAbstractListModel):
    """A list model kept current from an actor (make it with ``binding.list_model(...)``).

    Roles: ``display`` (``Qt.DisplayRole``: ``display(item)``), ``item`` (:data:`ITEM_ROLE`:
    the whole item) and one per key of the items (dicts), named after it (from ``roles=``,
    or from the first item seen). Qt properties ``count``, ``loaded``, ``stale``, ``error``;
    ``get(row)`` returns an item (QML: ``model.get(i)``). ``live`` is the shared
    ``actorbind.rx`` :class:`~actorbind.rx.LiveList`. Signals: ``countChanged``,
    ``loadedChanged``, ``staleChanged``, ``errorChanged`` (the properties' notify signals).
    """

    countChanged = Signal()
    loadedChanged = Signal()
    staleChanged = Signal()
    errorChanged = Signal()

    def __init__(
        self,
        live: LiveList,
        parent: QObject,
        *,
        roles: Sequence[str] | None = None,
        display: Callable[[Any], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self._live = live
        self._rows: list[Any] = []
        self._tail: list[Any] = []  # appends not yet announced (one insert per loop turn)
        self._updated = _NO_ROWS  # rows updated but not yet announced (one dataChanged)
        self._display = display or _default_display
        self._keys: dict[int, str] = {}
        self._names: dict[int, QByteArray] = {
            int(Qt.ItemDataRole.DisplayRole): QByteArray(b"display"),
            ITEM_ROLE: QByteArray(b"item"),
        }
        if roles is not None:
            self._set_roles(roles)
        self._flags = LiveStatus(live.loaded, live.stale, live.error)
        # One socket read's changes arrive together: a burst is one model update.
        self._subs = CompositeDisposable(
            Disposable(live._listen_batches(self._apply_batch)),
            live.status.subscribe(self._on_status),
        )
        if live.loaded:
            self._apply_batch([ListReset(tuple(live.value))])

    @property
    def live(self) -> LiveList:
        """The underlying :class:`actorbind.rx.LiveList`."""
        return self._live

    def detach(self) -> None:
        """Stop following the live list (the binding is going away)."""
        self._subs.dispose()

    # --- QAbstractListModel ---------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._rows):
            return None
        item = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item)
        if role == ITEM_ROLE:
            return item
        key = self._keys.get(role)
        if key is not None and isinstance(item, dict):
            return item.get(key)
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        return dict(self._names)

    @Slot(int, result="QVariant")
    def get(self, row: int) -> Any:
        """The item at ``row`` (for QML), or None outside the model."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # --- properties -----------------------------------------------------------------------

    def _get_count(self) -> int:
        return len(self._rows)

    def _get_loaded(self) -> bool:
        return self._flags.loaded

    def _get_stale(self) -> bool:
        return self._flags.stale

    def _get_error(self) -> str:
        return describe(self._flags.error)

    count = Property(int, _get_count, notify=countChanged)
    loaded = Property(bool, _get_loaded, notify=loadedChanged)
    stale = Property(bool, _get_stale, notify=staleChanged)
    error = Property(str, _get_error, notify=errorChanged)

    # --- from the live list ---------------------------------------------------------------

    def _set_roles(self, names: Sequence[str]) -> None:
        for name in names:
            if name in ("display", "item") or name in self._keys.values():
                continue
            role = ITEM_ROLE + 1 + len(self._keys)
            self._keys[role] = name
            self._names[role] = QByteArray(name.encode())

    def _new_roles(self, items: Sequence[Any]) -> bool:
        """Role names from the first dict item, if there are none yet."""
        if self._keys or not items or not isinstance(items[0], dict):
            return False
        self._set_roles([str(k) for k in items[0]])
        return True

    def _apply_batch(self, changes: list[ListChange]) -> None:
        """One socket read's changes (or one change made outside a read), in order, as few
        model updates as Qt allows: appends at the end as one insert, a run of updates as one
        ``dataChanged`` over the rows it touched; anything else as it comes."""
        if not shiboken6.isValid(self):
            return
        for change in changes:
            if (
                isinstance(change, ListInserted)
                and change.index == len(self._rows) + len(self._tail)
                and (self._keys or not change.items or not isinstance(change.items[0], dict))
            ):
                # Appends (a chat, a log) come in bursts: announce a burst as one insert. A
                # view's work per insert grows with its rows, so this keeps a growing list cheap.
                self._flush_updates()
                if not self._tail:  # announced on the next loop turn, with what follows
                    QTimer.singleShot(0, self, self._flush)
                self._tail.extend(change.items)
                continue
            self._flush()  # pending appends first: the indexes below count them
            if isinstance(change, ListUpdated):
                self._rows[change.index] = change.item
                low, high = self._updated
                self._updated = (min(low, change.index), max(high, change.index))
                continue
            self._flush_updates()
            self._apply_one(change)
        self._flush_updates()

    def _apply_one(self, change: ListChange) -> None:
        before = len(self._rows)
        if isinstance(change, ListReset):
            self.beginResetModel()
            self._new_roles(change.items)
            self._rows = list(change.items)
            self.endResetModel()
        elif isinstance(change, ListInserted):
            if self._new_roles(change.items):  # views read role names again on a reset
                self.beginResetModel()
                self._rows[change.index : change.index] = change.items
                self.endResetModel()
            else:
                last = change.index + len(change.items) - 1
                self.beginInsertRows(QModelIndex(), change.index, last)
                self._rows[change.index : change.index] = change.items
                self.endInsertRows()
        elif isinstance(change, ListRemoved):
            last = change.index + change.count - 1
            self.beginRemoveRows(QModelIndex(), change.index, last)
            del self._rows[change.index : last + 1]
            self.endRemoveRows()
        if len(self._rows) != before:
            emit(self.countChanged)

    def _flush_updates(self) -> None:
        low, high = self._updated
        if low > high:
            return
        self._updated = _NO_ROWS
        emit(self.dataChanged, self.index(low, 0), self.index(high, 0), [])

    @Slot()
    def _flush(self) -> None:
        tail, self._tail = self._tail, []
        if not tail or not shiboken6.isValid(self):
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(tail) - 1)
        self._rows.extend(tail)
        self.endInsertRows()
        emit(self.countChanged)

    def _on_status(self, flags: LiveStatus) -> None:
        old, self._flags = self._flags, flags
        if not shiboken6.isValid(self):
            return
        if old.loaded != flags.loaded:
            emit(self.loadedChanged)
        if old.stale != flags.stale:
            emit(self.staleChanged)
        if old.error is not flags.error:
            emit(self.errorChanged)
