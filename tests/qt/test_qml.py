"""The QML face: properties with notify signals, evaluated by a real QML engine offscreen."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from actorbind_qt import use_actor
from PySide6.QtCore import QByteArray, QObject, QUrl
from PySide6.QtQml import QQmlComponent, QQmlEngine
from PySide6.QtWidgets import QWidget

from actorbind import Client
from actorbind.rx import ActorStore
from tests.utils import until

from .conftest import QtLoop

QML = b"""
import QtQml

QtObject {
    required property QtObject actor
    property string shown: actor.status
    property bool online: actor.connected
    property string problem: actor.lastError
    property int changes: 0
    property string lastName: ""
    property int lastValue: -1
    readonly property Connections watcher: Connections {
        target: actor
        function onStatusChanged() { changes += 1 }
        function onEventReceived(name, args) { lastName = name; lastValue = args[0] }
    }
    property int bumpBy: 0
    onBumpByChanged: actor.action("increment", [bumpBy])
}
"""


def _component(engine: QQmlEngine) -> QQmlComponent:
    component = QQmlComponent(engine)
    component.setData(QByteArray(QML), QUrl("inline.qml"))
    assert component.isReady(), component.errorString()
    return component


def test_qml_properties_follow_the_connection(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    engine = QQmlEngine()

    async def scenario() -> None:
        widget = make_widget()
        binding = use_actor(widget, "counter", [uid], client=client, store=store)
        component = _component(engine)
        obj = component.createWithInitialProperties({"actor": binding.qml})
        assert isinstance(obj, QObject), component.errorString()
        assert obj.property("shown") == "idle" and obj.property("online") is False
        binding.qml.listen("newCount")
        widget.show()
        await until(lambda: obj.property("online") is True, "QML sees connected")
        assert obj.property("shown") == "connected"
        assert obj.property("changes") >= 2  # connecting, connected
        assert obj.property("problem") == ""
        # QML calls the action (QMetaObject.invokeMethod with a QVariant crashes PySide6 6.11).
        obj.setProperty("bumpBy", 4)
        await until(lambda: obj.property("lastValue") == 4, "event in QML")
        assert obj.property("lastName") == "newCount"
        widget.close()
        await until(lambda: obj.property("shown") == "idle", "QML sees idle")
        assert obj.property("online") is False
        obj.deleteLater()  # the component goes with the engine (its parent)

    try:
        qloop.run(scenario())
    finally:
        shiboken6.delete(engine)


def test_qml_last_error(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    engine = QQmlEngine()

    async def scenario() -> None:
        widget = make_widget()
        binding = use_actor(
            widget, "guarded", [uid], client=client, store=store, params={"authToken": "nope"}
        )
        component = _component(engine)
        obj = component.createWithInitialProperties({"actor": binding.qml})
        assert isinstance(obj, QObject), component.errorString()
        widget.show()
        await until(lambda: obj.property("problem") != "", "QML sees the error")
        assert "invalid auth token" in obj.property("problem")
        assert obj.property("online") is False
        obj.deleteLater()  # the component goes with the engine (its parent)

    try:
        qloop.run(scenario())
    finally:
        shiboken6.delete(engine)


LIST_QML = b"""
import QtQuick

Item {
    width: 300; height: 400
    required property QtObject chat
    required property QtObject count
    property alias rows: list.count
    property string shownCount: count && count.loaded ? "count " + count.value : "..."
    function textAt(i) { var d = list.itemAtIndex(i); return d ? d.text : "" }
    ListView {
        id: list
        anchors.fill: parent
        model: chat
        delegate: Text { text: model.text }
    }
}
"""


def test_qml_list_view_and_live_value(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    from actorbind_qt import ActorListModel, LiveValue
    from PySide6.QtQuick import QQuickView

    from actorbind.rx import append

    view = QQuickView()

    async def scenario() -> None:
        journal = client.journal.get_or_create(uid)
        await journal.add("first")
        await client.counter.get_or_create(uid).increment(7)
        widget = make_widget()
        chat_binding = use_actor(widget, "journal", [uid], client=client, store=store)
        count_binding = use_actor(widget, "counter", [uid], client=client, store=store)
        chat = chat_binding.list_model(
            "history", key=lambda m: m["id"], reducers={"added": append()}, roles=["id", "text"]
        )
        count = count_binding.state("getCount", reducers={"newCount": lambda _o, n: n})
        assert isinstance(chat, ActorListModel) and isinstance(count, LiveValue)
        component = QQmlComponent(view.engine())
        component.setData(QByteArray(LIST_QML), QUrl("list.qml"))
        assert component.isReady(), component.errorString()
        root = component.createWithInitialProperties({"chat": chat, "count": count})
        assert root is not None, component.errorString()
        view.setContent(QUrl("list.qml"), component, root)
        view.show()
        widget.show()
        await until(lambda: root.property("rows") == 1, "the QML ListView's row")
        assert root.property("shownCount") in ("count 7", "...")
        await until(lambda: root.property("shownCount") == "count 7", "the QML value")
        await journal.add("second")
        await until(lambda: root.property("rows") == 2, "a new row in QML")

        def text_at(i: int) -> str:
            from PySide6.QtCore import Q_ARG, Q_RETURN_ARG, QMetaObject

            out = QMetaObject.invokeMethod(
                root, "textAt", Q_RETURN_ARG("QVariant"), Q_ARG("QVariant", i)
            )
            return str(out)

        await until(lambda: text_at(1) == "second", "the delegate shows it")
        assert text_at(0) == "first"
        view.hide()

    try:
        qloop.run(scenario())
    finally:
        view.deleteLater()
