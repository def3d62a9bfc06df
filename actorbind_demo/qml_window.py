"""``QmlRoomWindow``: the same room as a QML window (``python -m actorbind_demo --qml``).

It binds the same models as :class:`~actorbind_demo.room_window.RoomWindow`
(:class:`~actorbind_demo.room_models.RoomModels`) and hands them to ``qml/Room.qml``. The
QML scene lives in a ``QQuickView`` inside a plain widget window, so ``use_actor`` ties the
connection to that window's lifecycle exactly as for the widget version.
"""

from __future__ import annotations

from pathlib import Path

from actorbind_qt import ActorBinding, use_actor
from PySide6.QtCore import Property, QByteArray, QObject, Qt, QUrl, Signal, Slot
from PySide6.QtQml import QQmlComponent
from PySide6.QtQuick import QQuickView
from PySide6.QtWidgets import QVBoxLayout, QWidget

from actorbind import ActorError, Client
from actorbind.rx import ActorStore

from .room_models import RoomModels

__all__ = ["QML_FILE", "QmlRoomWindow"]

QML_FILE = Path(__file__).resolve().parent / "qml" / "Room.qml"


class RoomActions(QObject):
    """The actions QML calls (slots), with the last error as a property."""

    sent = Signal()
    errorChanged = Signal()

    def __init__(self, binding: ActorBinding, models: RoomModels) -> None:
        super().__init__(binding)
        self._binding = binding
        self._models = models
        self._error = ""
        binding.actionFinished.connect(self._finished)
        binding.actionFailed.connect(self._failed)

    @Slot(int)
    def increment(self, n: int) -> None:
        self._binding.call("increment", n, optimistic=(self._models.count, lambda v: (v or 0) + n))

    @Slot(str)
    def say(self, text: str) -> None:
        self._binding.call("say", text)

    def _finished(self, name: str, _result: object) -> None:
        self._set_error("")
        if name == "say":
            self.sent.emit()

    def _failed(self, _name: str, error: object) -> None:
        if isinstance(error, ActorError):
            self._set_error(f"{error.group}.{error.code}: {error.message}")
        else:
            self._set_error(f"{type(error).__name__}: {error}")

    def _set_error(self, text: str) -> None:
        if text != self._error:
            self._error = text
            self.errorChanged.emit()

    def _get_error(self) -> str:
        return self._error

    error = Property(str, _get_error, notify=errorChanged)


class QmlRoomWindow(QWidget):
    """One person's view of the room, drawn by QML."""

    def __init__(
        self,
        client: Client,
        *,
        room: str,
        user: str,
        store: ActorStore | None = None,
        backend_label: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.room = room
        self.user = user
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Team room · {room} · {user} (QML) · {backend_label}".rstrip(" ·"))
        self.resize(720, 600)
        self.binding = use_actor(
            self, "room", [room], client=client, params={"user": user}, store=store
        )
        self.models = RoomModels(self.binding)
        self.room_actions = RoomActions(self.binding, self.models)
        self.view = QQuickView()
        self.view.setResizeMode(QQuickView.ResizeMode.SizeRootObjectToView)
        # setData (not setSource): PySide6 can deadlock when QML's loader thread compiles a
        # file that setSource hands it while this thread holds the GIL.
        url = QUrl.fromLocalFile(str(QML_FILE))
        component = QQmlComponent(self.view.engine())
        component.setData(QByteArray(QML_FILE.read_bytes()), url)
        scene = component.createWithInitialProperties(
            {
                "actor": self.binding.qml,
                "count": self.models.count,
                "users": self.models.users,
                "chat": self.models.chat,
                "room": self.room_actions,
                "user": user,
                "roomName": room,
            }
        )
        if scene is None:
            raise RuntimeError(f"{QML_FILE.name}: {component.errorString()}")
        self._component = component
        self.view.setContent(url, component, scene)
        container = QWidget.createWindowContainer(self.view, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(container)

    def root(self) -> QObject:
        """The QML scene's root object."""
        root = self.view.rootObject()
        assert root is not None
        return root
