"""The QML face of a binding: properties with notify signals, a couple of slots."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from actorbind import ActorError, ConnStatus

if TYPE_CHECKING:
    from ._binding import ActorBinding
    from ._core import _Core

__all__ = ["ActorQmlState"]


def describe(error: Exception | None) -> str:
    """A one-line text for QML: ``group.code: message`` for actor errors."""
    if error is None:
        return ""
    if isinstance(error, ActorError):
        return f"{error.group}.{error.code}: {error.message}"
    return f"{type(error).__name__}: {error}"


class ActorQmlState(QObject):
    """``binding.qml``: expose it to QML (initial/context property) and bind to
    ``status`` (``"idle"``/``"connecting"``/``"connected"``/``"disconnected"``),
    ``connected`` and ``lastError`` (``""`` when none). ``action(name, args)`` calls an action
    (errors go to ``errorOccurred``); ``listen(name)`` makes ``eventReceived`` report it.
    ``statusChanged``, ``connectedChanged`` and ``lastErrorChanged`` notify the properties."""

    statusChanged = Signal()
    connectedChanged = Signal()
    lastErrorChanged = Signal()
    eventReceived = Signal(str, list)
    errorOccurred = Signal(str)

    def __init__(self, binding: ActorBinding, core: _Core) -> None:
        super().__init__(binding)
        self._binding = binding
        self._core = core
        binding.eventReceived.connect(self.eventReceived)

    def _get_status(self) -> str:
        return str(self._core.current_status.value)

    def _get_connected(self) -> bool:
        return self._core.current_status is ConnStatus.CONNECTED

    def _get_last_error(self) -> str:
        return describe(self._core.last_error)

    status = Property(str, _get_status, notify=statusChanged)
    connected = Property(bool, _get_connected, notify=connectedChanged)
    lastError = Property(str, _get_last_error, notify=lastErrorChanged)

    @Slot(str, list)
    def action(self, name: str, args: list[Any]) -> None:
        """Call action ``name`` with ``args`` from QML; a failure goes to ``errorOccurred``."""
        binding = self._binding

        async def call() -> None:
            try:
                await binding.action(name, *args)
            except Exception as exc:
                self._core.emit_qml("errorOccurred", describe(exc))

        binding.create_task(call())

    @Slot(str)
    def listen(self, name: str) -> None:
        """Forward event ``name`` to ``eventReceived``."""
        self._binding.listen(name)
