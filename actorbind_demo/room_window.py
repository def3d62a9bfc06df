"""``RoomWindow``: one person's view of the shared room, bound to the ``room`` actor."""

from __future__ import annotations

import logging
from collections.abc import Callable

from actorbind_qt import use_actor
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from actorbind import ActorError, Client, ConnStatus
from actorbind.rx import ActorStore

from . import style
from .room_models import RoomModels
from .widgets import Card, ChatDelegate, StatusPill, avatar, dot_icon

__all__ = ["RoomWindow"]

log = logging.getLogger("actorbind_demo")

ERROR_SHOWN_MS = 12_000


def _card_title(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setObjectName("cardTitle")
    return label


class RoomWindow(QWidget):
    """The counter, the chat and who is here, live from the actor ``room``/``[room]``.

    Actions go over the window's own connection (conn params ``{"user": user}``); the actor's
    events update every window at once, and changes made by others flash.

    Signals:
        remoteChange(str): ``"count"``, ``"message"`` or ``"presence"`` changed by someone else.
        loaded(): the count, the chat and who is here are loaded (after each (re)connect).
    """

    remoteChange = Signal(str)
    loaded = Signal()

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
        self.users: list[str] = []
        self.state = "idle"
        self._was_connected = False
        self._was_loaded = False
        self.setObjectName("roomWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Team room · {room} · {user}")
        self.setStyleSheet(style.STYLE_SHEET)
        self.resize(720, 600)
        self._build(backend_label)

        self.binding = use_actor(
            self, "room", [room], client=client, params={"user": user}, store=store
        )
        self.models = RoomModels(self.binding)
        self.chat_list.setModel(self.models.chat)
        self.models.count.valueChanged.connect(self._show_count)
        self.models.users.valueChanged.connect(self._show_users)
        self.models.chat.rowsInserted.connect(self._on_messages)
        for live in (self.models.count, self.models.users, self.models.chat):
            live.loadedChanged.connect(self._check_loaded)
            live.staleChanged.connect(self._check_loaded)
        self.binding.statusChanged.connect(self._on_status)
        self.binding.lastErrorChanged.connect(self._show_last_error)
        self.binding.actionFinished.connect(self._on_action_finished)
        self.binding.actionFailed.connect(self._on_action_failed)

    # --- layout ---------------------------------------------------------------------

    def _build(self, backend_label: str) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(20, 18, 20, 14)
        root.setSpacing(14)

        header = QHBoxLayout()
        face = QLabel()
        face.setPixmap(avatar(self.user, 44))
        header.addWidget(face)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        title = QLabel(f"Team room “{self.room}”")
        title.setObjectName("title")
        subtitle = QLabel(f"you are <b>{self.user}</b> · {backend_label}".rstrip(" ·"))
        subtitle.setObjectName("subtitle")
        titles.addWidget(title)
        titles.addWidget(subtitle)
        header.addLayout(titles, 1)
        status_box = QVBoxLayout()
        status_box.setSpacing(2)
        self.status_pill = StatusPill()
        status_box.addWidget(self.status_pill, 0, Qt.AlignmentFlag.AlignRight)
        error_row = QHBoxLayout()
        self.last_error_label = QLabel("")
        self.last_error_label.setObjectName("lastErrorLabel")
        self.retry_button = QPushButton("Retry")
        self.retry_button.setObjectName("retryButton")
        self.retry_button.clicked.connect(self.binding_reconnect)
        self.retry_button.hide()
        error_row.addStretch(1)
        error_row.addWidget(self.last_error_label)
        error_row.addWidget(self.retry_button)
        status_box.addLayout(error_row)
        header.addLayout(status_box)
        root.addLayout(header)

        body = QHBoxLayout()
        body.setSpacing(14)
        left = QVBoxLayout()
        left.setSpacing(14)
        left.addWidget(self._build_counter())
        left.addWidget(self._build_presence(), 1)
        body.addLayout(left, 2)
        body.addWidget(self._build_chat(), 3)
        root.addLayout(body, 1)

        self.error_banner = QLabel("")
        self.error_banner.setObjectName("errorBanner")
        self.error_banner.setWordWrap(True)
        self.error_banner.hide()
        self._error_timer = QTimer(self)
        self._error_timer.setSingleShot(True)
        self._error_timer.timeout.connect(self.error_banner.hide)
        root.addWidget(self.error_banner)

        hint = QLabel(
            "<b>What you\u2019re seeing:</b> every window is a client of the same live actor, "
            f"<code>room/{self.room}</code>. The counter and the chat history live in the "
            "actor\u2019s state; each change is pushed to every window over a WebSocket, and a "
            "change made elsewhere <span style='background:#fde68a'>&nbsp;flashes&nbsp;</span>. "
            "Try sending an empty message."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        root.addWidget(hint)

    def _build_counter(self) -> Card:
        self.counter_card = card = Card()
        lay = QVBoxLayout(card)
        lay.addWidget(_card_title("Shared counter"))
        self.count_label = QLabel("\u2013")
        self.count_label.setObjectName("countLabel")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.count_label)
        self.count_note = QLabel("nobody clicked yet")
        self.count_note.setObjectName("cardNote")
        self.count_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.count_note)
        buttons = QHBoxLayout()
        self.decrement_button = self._button(
            "\u22121", "decrementButton", lambda: self.increment(-1)
        )
        self.increment_button = self._button("+1", "incrementButton", lambda: self.increment(1))
        self.increment10_button = self._button(
            "+10", "incrementTenButton", lambda: self.increment(10)
        )
        for button in (self.decrement_button, self.increment_button, self.increment10_button):
            buttons.addWidget(button)
        lay.addLayout(buttons)
        return card

    def _build_presence(self) -> Card:
        self.presence_card = card = Card()
        lay = QVBoxLayout(card)
        self.presence_title = _card_title("Who\u2019s here")
        lay.addWidget(self.presence_title)
        self.presence_list = QListWidget()
        self.presence_list.setObjectName("presenceList")
        self.presence_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.presence_list.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        lay.addWidget(self.presence_list, 1)
        return card

    def _build_chat(self) -> Card:
        self.chat_card = card = Card()
        lay = QVBoxLayout(card)
        lay.addWidget(_card_title("Chat · history kept in the actor"))
        self.chat_list = QListView()
        self.chat_list.setObjectName("chatList")
        self.chat_list.setItemDelegate(ChatDelegate(self.chat_list, self.user))
        self.chat_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.chat_list.setSelectionMode(QListView.SelectionMode.NoSelection)
        self.chat_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.chat_list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.chat_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(self.chat_list, 1)
        row = QHBoxLayout()
        self.message_input = QLineEdit()
        self.message_input.setObjectName("messageInput")
        self.message_input.setPlaceholderText(f"Message as {self.user}…")
        self.message_input.returnPressed.connect(self.send)
        self.send_button = self._button("Send", "sendButton", self.send)
        row.addWidget(self.message_input, 1)
        row.addWidget(self.send_button)
        lay.addLayout(row)
        return card

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setEnabled(False)
        button.clicked.connect(slot)
        return button

    # --- user actions -----------------------------------------------------------------

    def increment(self, n: int) -> None:
        # Shown at once; the actor's own count replaces it when the reply comes (or the
        # change is rolled back if the action fails).
        self.binding.call("increment", n, optimistic=(self.models.count, lambda v: (v or 0) + n))

    def send(self) -> None:
        self.binding.call("say", self.message_input.text())

    def binding_reconnect(self) -> None:
        self.binding.reconnect()

    def _on_action_finished(self, name: str, _result: object) -> None:
        self.error_banner.hide()
        if name == "say":
            self.message_input.clear()

    def _on_action_failed(self, name: str, error: object) -> None:
        if isinstance(error, ActorError):
            self.show_error(f"{error.group}.{error.code}", error.message)
        else:  # the UI shows every failure, whatever its kind
            log.warning("action %s failed: %r", name, error)
            self.show_error(type(error).__name__, str(error) or repr(error))

    def show_error(self, what: str, message: str) -> None:
        self.error_banner.setText(f"⚠  <b>{what}</b> — {_escape(message)}")
        self.error_banner.show()
        self._error_timer.start(ERROR_SHOWN_MS)

    # --- from the actor ---------------------------------------------------------------

    @property
    def count(self) -> int | None:
        value = self.models.count.live.value
        return value if isinstance(value, int) else None

    def _on_status(self, value: str) -> None:
        status = ConnStatus(value)
        if status is ConnStatus.CONNECTED:
            state = "connected"
            self._was_connected = True
            self.retry_button.hide()
        elif status is ConnStatus.CONNECTING:
            state = "reconnecting" if self._was_connected else "connecting"
        elif status is ConnStatus.DISCONNECTED:
            state = "reconnecting"
        else:
            state = "offline" if self.binding.last_error is not None else "idle"
            self.retry_button.setVisible(self.binding.last_error is not None)
        self.state = state
        self.status_pill.set_state(state)
        for button in (
            self.decrement_button,
            self.increment_button,
            self.increment10_button,
            self.send_button,
        ):
            button.setEnabled(state == "connected")

    def _show_last_error(self) -> None:
        error = self.binding.last_error
        if error is None:
            self.last_error_label.setText("")
            self.last_error_label.setToolTip("")
            return
        if isinstance(error, ActorError):
            text = f"{error.group}.{error.code}: {error.message}"
        else:
            text = f"{type(error).__name__}: {error}"
        self.last_error_label.setText(f"last error: {_shorten(text)}")
        self.last_error_label.setToolTip(text)

    def _check_loaded(self) -> None:
        loaded = self.models.all_loaded
        if loaded and not self._was_loaded:
            self.loaded.emit()
        self._was_loaded = loaded

    def _show_count(self) -> None:
        count = self.count
        self.count_label.setText("\u2013" if count is None else str(count))
        change = self.models.take_count_change()
        if change is None:
            return  # a snapshot (or an optimistic change), not someone's click
        delta, by = change
        if by and delta is not None:
            sign = "+" if delta >= 0 else "\u2212"
            who = "you" if by == self.user else by
            self.count_note.setText(f"{sign}{abs(delta)} by {who}")
        if by and by != self.user:
            self._remote("count", self.counter_card)

    def _on_messages(self, _parent: object, first: int, last: int) -> None:
        self.chat_list.scrollToBottom()
        chat = self.models.chat
        if any(chat.get(row).get("user") != self.user for row in range(first, last + 1)):
            self._remote("message", self.chat_card)

    def _show_users(self) -> None:
        users = list(self.models.users.live.value or [])
        remote = self.models.take_users_event()
        others_changed = {u for u in users if u != self.user} != {
            u for u in self.users if u != self.user
        }
        self.users = users
        self.presence_list.clear()
        for user in users:
            label = f"{user} (you)" if user == self.user else user
            self.presence_list.addItem(QListWidgetItem(dot_icon(user), label))
        self.presence_title.setText(f"WHO\u2019S HERE · {len(users)} ONLINE")
        if remote and others_changed:
            self._remote("presence", self.presence_card)

    # --- display ----------------------------------------------------------------------

    def _remote(self, kind: str, card: Card) -> None:
        card.flash()
        self.remoteChange.emit(kind)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
