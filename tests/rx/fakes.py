"""A stand-in for the part of ``ActorConn`` that live state uses, driven in socket order.

Each driver call (:meth:`FakeConn.open`, :meth:`event`, :meth:`reply`, :meth:`drop`, ...) is
one message arriving on the socket; ``sent`` records what the client wrote, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from actorbind import ConnDisposed, ConnectionLost, ConnStatus

__all__ = ["FakeConn"]


class FakeConn:
    def __init__(self) -> None:
        self.status = ConnStatus.CONNECTING
        self.disposed = False
        self.connection_id: str | None = None
        self.listeners: dict[str, list[Callable[..., Any]]] = {}
        self.status_handlers: list[Callable[[ConnStatus], Any]] = []
        self.sent: list[tuple[Any, ...]] = []
        self.pending: list[tuple[str, tuple[Any, ...], Callable[[Any, Exception | None], Any]]] = []
        self.sockets = 0
        self._reading: list[Callable[[], Any]] | None = None

    def _after_read(self, callback: Callable[[], Any]) -> bool:
        if self._reading is None:
            return False
        self._reading.append(callback)
        return True

    @contextmanager
    def read(self) -> Iterator[None]:
        """What the drivers send inside arrives in one socket read: the after-read callbacks
        run at its end, as ``ActorConn._receive`` runs them."""
        after: list[Callable[[], Any]] = []
        self._reading = after
        try:
            yield
        finally:
            self._reading = None
        for callback in after:
            callback()

    # --- the ActorConn surface ------------------------------------------------------------

    def on(self, name: str, callback: Callable[..., Any]) -> Callable[[], None]:
        found = self.listeners.setdefault(name, [])
        found.append(callback)
        if len(found) == 1:
            self.sent.append(("subscribe", name))

        def off() -> None:
            current = self.listeners.get(name, [])
            if callback in current:
                current.remove(callback)
                if not current:
                    del self.listeners[name]
                    self.sent.append(("unsubscribe", name))

        return off

    def on_status_change(self, callback: Callable[[ConnStatus], Any]) -> Callable[[], None]:
        self.status_handlers.append(callback)
        return lambda: (
            self.status_handlers.remove(callback) if callback in self.status_handlers else None
        )

    def action_in_order(
        self, name: str, args: Sequence[Any], on_done: Callable[[Any, Exception | None], Any]
    ) -> None:
        if self.disposed:
            raise ConnDisposed()
        self.sent.append(("action", name, tuple(args)))
        self.pending.append((name, tuple(args), on_done))

    # --- drivers: what the server sends -----------------------------------------------------

    def open(self) -> None:
        """A new socket's Init."""
        self.sockets += 1
        self.connection_id = f"c{self.sockets}"
        self._set_status(ConnStatus.CONNECTED)

    def event(self, name: str, *args: Any) -> None:
        for callback in list(self.listeners.get(name, [])):
            callback(*args)

    def reply(self, output: Any, name: str | None = None) -> None:
        """The reply to the oldest pending action (or the oldest named ``name``)."""
        self._take(name)[2](output, None)

    def fail(self, error: Exception, name: str | None = None) -> None:
        self._take(name)[2](None, error)

    def drop(self) -> None:
        """The socket closes: status first, then in-flight actions fail (as the core does)."""
        self._set_status(ConnStatus.DISCONNECTED)
        pending, self.pending = self.pending, []
        for _, _, on_done in pending:
            on_done(None, ConnectionLost("Connection lost (code: 1006, reason: )", 1006, ""))

    def dispose(self) -> None:
        self.disposed = True
        self._set_status(ConnStatus.IDLE)
        pending, self.pending = self.pending, []
        for _, _, on_done in pending:
            on_done(None, ConnDisposed())

    # --- helpers ----------------------------------------------------------------------------

    def actions(self) -> list[tuple[Any, ...]]:
        return [s for s in self.sent if s[0] == "action"]

    def _take(self, name: str | None) -> tuple[str, tuple[Any, ...], Any]:
        for i, item in enumerate(self.pending):
            if name is None or item[0] == name:
                return self.pending.pop(i)
        raise AssertionError(f"no pending action {name or ''}")

    def _set_status(self, status: ConnStatus) -> None:
        if status is self.status:
            return
        self.status = status
        for callback in list(self.status_handlers):
            callback(status)
