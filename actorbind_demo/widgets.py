"""Small widgets of the room window: cards that flash, the status pill, chat bubbles."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import (
    QAbstractAnimation,
    QEasingCurve,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    QVariantAnimation,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from . import style

__all__ = ["MESSAGE_ROLE", "Card", "ChatDelegate", "StatusPill", "avatar", "dot_icon"]

MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole message (actorbind_qt.ITEM_ROLE)


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


class Card(QFrame):
    """A rounded white panel; :meth:`flash` lights it up and fades back (remote changes)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._glow = 0.0
        self.flashes = 0
        self._anim = QVariantAnimation(self)
        self._anim.setStartValue(1.0)
        self._anim.setEndValue(0.0)
        self._anim.setDuration(1200)
        self._anim.setEasingCurve(QEasingCurve.Type.InQuad)
        self._anim.valueChanged.connect(self._set_glow)
        self.setContentsMargins(16, 14, 16, 14)

    @property
    def glowing(self) -> bool:
        return self._anim.state() == QAbstractAnimation.State.Running

    def flash(self) -> None:
        self.flashes += 1
        self._anim.stop()
        self._anim.start()

    def _set_glow(self, value: Any) -> None:
        self._glow = float(value)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self._glow
        fill = _mix(QColor(style.CARD_BG), QColor(style.FLASH_BG), t)
        border = _mix(QColor(style.CARD_BORDER), QColor("#f59e0b"), t)
        painter.setPen(QPen(border, 1.0 + 1.5 * t))
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 12, 12)


class StatusPill(QLabel):
    """``● Connected`` in a coloured pill; :attr:`state` is the key of :data:`style.STATUS`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusPill")
        self.state = ""
        self.set_state("idle")

    def set_state(self, state: str) -> None:
        text, fg, bg = style.STATUS[state]
        self.state = state
        self.setText(f"●  {text}")
        self.setStyleSheet(
            f"QLabel {{ color: {fg}; background: {bg}; border-radius: 13px;"
            f" padding: 4px 12px; font-weight: 700; }}"
        )


def avatar(user: str, size: int = 36) -> QPixmap:
    """A coloured circle with the user's initial."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(style.user_color(user))
    painter.drawEllipse(0, 0, size, size)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.45))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, user[:1].upper())
    painter.end()
    return pixmap


def dot_icon(user: str) -> QIcon:
    return QIcon(avatar(user, 22))


def _clock(ts: Any) -> str:
    if not isinstance(ts, int | float):
        return ""
    return time.strftime("%H:%M", time.localtime(ts / 1000))


class ChatDelegate(QStyledItemDelegate):
    """Chat bubbles: others on the left with their name, yours on the right in the accent."""

    PAD = 10
    GAP = 6

    def __init__(self, parent: QWidget, user: str) -> None:
        super().__init__(parent)
        self.user = user

    def _layout(self, option: QStyleOptionViewItem, text: str) -> tuple[int, QRect]:
        width = max(120, int(option.rect.width() * 0.78)) - 2 * self.PAD
        fm = QFontMetrics(option.font)
        box = fm.boundingRect(QRect(0, 0, width, 100_000), Qt.TextFlag.TextWordWrap, text)
        return width, box

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        message = index.data(MESSAGE_ROLE) or {}
        _, box = self._layout(option, str(message.get("text", "")))
        line = QFontMetrics(option.font).height()
        return QSize(option.rect.width(), box.height() + line + 2 * self.PAD + self.GAP + 2)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        message: dict[str, Any] = index.data(MESSAGE_ROLE) or {}
        user = str(message.get("user", "?"))
        own = user == self.user
        text = str(message.get("text", ""))
        fm = QFontMetrics(option.font)
        _, box = self._layout(option, text)
        header = f"{'you' if own else user} · {_clock(message.get('ts'))}"
        bold = QFont(option.font)
        bold.setBold(True)
        header_w = QFontMetrics(bold).horizontalAdvance(header)
        inner_w = max(box.width(), header_w)
        bubble_w = inner_w + 2 * self.PAD
        bubble_h = box.height() + fm.height() + 2 * self.PAD + 2
        rect = option.rect
        x = rect.right() - bubble_w - 4 if own else rect.left() + 4
        bubble = QRect(x, rect.top() + self.GAP // 2, bubble_w, bubble_h)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(style.ACCENT) if own else QColor("#eef0f5"))
        painter.drawRoundedRect(QRectF(bubble), 12, 12)
        painter.setFont(bold)
        painter.setPen(QColor("#c7d2fe") if own else style.user_color(user))
        head = QRect(bubble.left() + self.PAD, bubble.top() + self.PAD, inner_w, fm.height())
        align = Qt.AlignmentFlag.AlignRight if own else Qt.AlignmentFlag.AlignLeft
        painter.drawText(head, align | Qt.AlignmentFlag.AlignVCenter, header)
        painter.setFont(option.font)
        painter.setPen(QColor("white") if own else QColor(style.INK))
        body = QRect(head.left(), head.bottom() + 3, inner_w, box.height())
        wrap = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        painter.drawText(body, int(wrap), text)
        painter.restore()
