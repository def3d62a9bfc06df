"""Colours, fonts and the style sheet of the demo."""

from __future__ import annotations

import hashlib

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication

__all__ = ["STATUS", "STYLE_SHEET", "apply", "user_color"]

INK = "#1f2937"
MUTED = "#6b7280"
ACCENT = "#4f46e5"
WINDOW_BG = "#f3f4f8"
CARD_BG = "#ffffff"
CARD_BORDER = "#e2e5ee"
FLASH = "#fde68a"
FLASH_BG = "#fffbeb"
BASE_POINT_SIZE = 10.5

# status -> (text, foreground, background)
STATUS: dict[str, tuple[str, str, str]] = {
    "connecting": ("Connecting…", "#92400e", "#fef3c7"),
    "connected": ("Connected", "#166534", "#dcfce7"),
    "reconnecting": ("Reconnecting…", "#9a3412", "#ffedd5"),
    "offline": ("Offline", "#991b1b", "#fee2e2"),
    "idle": ("Not connected", "#374151", "#e5e7eb"),
}

_USER_COLORS = (
    "#4f46e5",
    "#db2777",
    "#0891b2",
    "#ea580c",
    "#16a34a",
    "#9333ea",
    "#ca8a04",
    "#dc2626",
)


def user_color(user: str) -> QColor:
    """A stable colour per user name."""
    digest = hashlib.sha1(user.encode()).digest()
    return QColor(_USER_COLORS[digest[0] % len(_USER_COLORS)])


STYLE_SHEET = f"""
QWidget {{ font-size: {BASE_POINT_SIZE}pt; }}
QWidget#roomWindow {{ background: {WINDOW_BG}; }}
QLabel {{ color: {INK}; }}
QLabel#title {{ font-size: 17pt; font-weight: 700; }}
QLabel#subtitle, QLabel#hint, QLabel#cardNote {{ color: {MUTED}; }}
QLabel#lastErrorLabel {{ color: #b45309; }}
QLabel#cardTitle {{ color: {MUTED}; font-size: 9pt; font-weight: 700; letter-spacing: 1px; }}
QLabel#countLabel {{ font-size: 44pt; font-weight: 700; color: {INK}; }}
QLabel#errorBanner {{
    background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; border-radius: 8px;
    padding: 8px 10px;
}}
QListWidget {{ background: transparent; border: none; outline: none; }}
QListWidget#presenceList::item {{ padding: 3px 2px; }}
QLineEdit {{
    background: white; border: 1px solid #d1d5db; border-radius: 8px; padding: 7px 10px;
    selection-background-color: {ACCENT};
}}
QLineEdit:focus {{ border: 1px solid {ACCENT}; }}
QPushButton {{
    background: white; color: {INK}; border: 1px solid #d1d5db; border-radius: 8px;
    padding: 7px 14px; font-weight: 600;
}}
QPushButton:hover {{ background: #f9fafb; border-color: #9ca3af; }}
QPushButton:pressed {{ background: #eef2ff; }}
QPushButton:disabled {{ color: #9ca3af; background: #f3f4f6; border-color: #e5e7eb; }}
QPushButton#incrementButton, QPushButton#sendButton {{
    background: {ACCENT}; color: white; border: 1px solid {ACCENT};
}}
QPushButton#incrementButton:hover, QPushButton#sendButton:hover {{ background: #4338ca; }}
QPushButton#incrementButton:disabled, QPushButton#sendButton:disabled {{
    background: #c7d2fe; border-color: #c7d2fe;
}}
QPushButton#dismissButton, QPushButton#retryButton {{ padding: 2px 8px; font-weight: 400; }}
"""


def apply(app: QApplication) -> None:
    """Readable defaults for the whole app (the windows set their own style sheet)."""
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), BASE_POINT_SIZE))
    app.setFont(font)
