// The team room in QML, on the same models as the widget window (actorbind_demo/room_window.py):
// `count` and `users` are actorbind_qt LiveValues, `chat` an ActorListModel, `actor` the
// binding's QML face (status, lastError), `room` the actions (increment, say).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Rectangle {
    id: root
    required property QtObject actor
    required property QtObject count
    required property QtObject users
    required property QtObject chat
    required property QtObject room
    required property string user
    required property string roomName
    // The models go away with the window: read them through guards while it closes.
    readonly property bool online: actor ? actor.connected : false
    color: "#f4f5f9"
    width: 720; height: 600

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 18
        spacing: 12

        RowLayout {
            Label { text: "Team room “" + root.roomName + "” · you are " + root.user; font.bold: true; font.pixelSize: 18 }
            Item { Layout.fillWidth: true }
            Label { objectName: "statusText"; text: root.actor ? root.actor.status : "" }
        }
        RowLayout {
            spacing: 12
            Layout.fillHeight: true
            ColumnLayout {
                Layout.preferredWidth: 260
                Label { text: "SHARED COUNTER" }
                Label {
                    objectName: "countText"
                    text: root.count && root.count.loaded ? String(root.count.value) : "–"
                    opacity: root.count && root.count.stale ? 0.5 : 1
                    font.pixelSize: 48
                }
                RowLayout {
                    Button { text: "−1"; enabled: root.online; onClicked: root.room.increment(-1) }
                    Button { objectName: "plusOne"; text: "+1"; enabled: root.online; onClicked: root.room.increment(1) }
                    Button { text: "+10"; enabled: root.online; onClicked: root.room.increment(10) }
                }
                Label { text: "WHO’S HERE · " + (root.users && root.users.value ? root.users.value.length : 0) + " ONLINE" }
                Repeater {
                    model: root.users && root.users.value ? root.users.value : []
                    delegate: Label { required property string modelData; text: modelData === root.user ? modelData + " (you)" : modelData }
                }
                Item { Layout.fillHeight: true }
            }
            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                Label { text: "CHAT · " + (root.chat ? root.chat.count : 0) + " messages" }
                ListView {
                    id: messages
                    objectName: "chatView"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    model: root.chat
                    spacing: 4
                    onCountChanged: positionViewAtEnd()
                    delegate: Label {
                        required property var model
                        width: ListView.view.width
                        wrapMode: Text.Wrap
                        text: model.user + ": " + model.text
                        horizontalAlignment: model.user === root.user ? Text.AlignRight : Text.AlignLeft
                    }
                }
                RowLayout {
                    TextField {
                        id: input
                        objectName: "messageInput"
                        Layout.fillWidth: true
                        placeholderText: "Message as " + root.user + "…"
                        onAccepted: root.room.say(text)
                    }
                    Button { text: "Send"; enabled: root.online; onClicked: root.room.say(input.text) }
                }
                Connections {
                    target: root.room
                    ignoreUnknownSignals: true
                    function onSent() { input.text = "" }
                }
            }
        }
        Label { objectName: "errorText"; text: root.room ? root.room.error : ""; color: "#b91c1c"; visible: text !== "" }
    }
}
