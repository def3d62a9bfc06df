"""What one socket read changed, handed to listeners once, at the end of that read.

A read brings up to thousands of events; a view needs one update for all of them (one
``valueChanged``, one ``beginInsertRows``), not one each. Live states publish every change to
their Rx subscribers as before, and also collect them here for batch listeners (Qt's
``LiveValue`` and ``ActorListModel``): inside a read (``ActorConn._after_read``) the batch is
delivered when the read has been dispatched, outside one (a change not made by the socket, a
connection without reads) at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["ReadBatch"]

T = TypeVar("T")
BatchListener = Callable[[list[T]], Any]


class ReadBatch(Generic[T]):
    """Collects items per socket read; listeners get each read's items as one list, in order."""

    __slots__ = ("_items", "_pending", "listeners")

    def __init__(self) -> None:
        self._items: list[T] = []
        self.listeners: list[BatchListener[T]] = []  # read it to skip add() when empty
        self._pending = False

    def listen(self, listener: BatchListener[T]) -> Callable[[], None]:
        """Add ``listener``; the returned function removes it (idempotent).

        What was collected for the others is delivered first: the new listener starts from
        the current state, which already holds it.
        """
        if self._items:
            self.flush()
        self.listeners.append(listener)

        def off() -> None:
            if listener in self.listeners:
                self.listeners.remove(listener)

        return off

    def add(self, conn: Any, items: list[T]) -> None:
        """Items changed by the message being handled on ``conn`` (None: not by a socket)."""
        if not self.listeners:
            return
        self._items.extend(items)
        if self._pending:
            return
        # Duck-typed: a live state's source may be any observable of connection-like objects.
        after_read = getattr(conn, "_after_read", None)
        if after_read is not None and after_read(self.flush):
            self._pending = True
        else:
            self.flush()

    def flush(self) -> None:
        """Deliver what was collected now (e.g. before a snapshot, which must not wait)."""
        self._pending = False
        items, self._items = self._items, []
        if items:
            for listener in list(self.listeners):
                listener(items)
