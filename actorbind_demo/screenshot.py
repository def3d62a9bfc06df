"""A picture of the demo: windows grabbed and laid side by side into one image."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget

__all__ = ["save_side_by_side", "side_by_side"]


def side_by_side(
    widgets: Sequence[QWidget], *, gap: int = 28, margin: int = 28, background: str = "#d8dde8"
) -> QImage:
    """``widget.grab()`` of each widget, left to right on a plain background."""
    shots = [w.grab().toImage() for w in widgets]
    if not shots:
        raise ValueError("nothing to grab")
    ratio = max(s.devicePixelRatio() for s in shots)
    sizes = [
        (round(s.width() / s.devicePixelRatio()), round(s.height() / s.devicePixelRatio()))
        for s in shots
    ]
    width = sum(w for w, _ in sizes) + gap * (len(shots) - 1) + 2 * margin
    height = max(h for _, h in sizes) + 2 * margin
    image = QImage(round(width * ratio), round(height * ratio), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(ratio)
    image.fill(QColor(background))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    x = margin
    for shot, (w, _) in zip(shots, sizes, strict=True):
        painter.drawImage(QPoint(x, margin), shot)
        x += w + gap
    painter.end()
    return image


def save_side_by_side(widgets: Sequence[QWidget], path: Path) -> Path:
    """Write :func:`side_by_side` to ``path`` (format from the suffix, e.g. ``.png``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not side_by_side(widgets).save(str(path)):
        raise OSError(f"could not write {path}")
    return path
