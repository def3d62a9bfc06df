"""The room's live state for one window: the count, the chat, who is here.

Loading, reloading after reconnects and ordering events against snapshots are
``actorbind``'s job (``binding.state`` / ``binding.list_model``, see docs/state.md). The
reducers here only note *which* changes came from an event (someone acted) rather than from a
snapshot, so the windows can flash remote changes.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from actorbind_qt import ActorBinding, ActorListModel, LiveValue

from actorbind.rx import append

__all__ = ["RoomModels", "message_key", "message_text"]


def message_key(message: dict[str, Any]) -> Hashable:
    """A chat message's id (messages saved before ids: their content)."""
    found: Hashable = message.get("id")
    if found is not None:
        return found
    return (message.get("ts"), message.get("user"), message.get("text"))


def message_text(message: dict[str, Any]) -> str:
    return f"{message.get('user', '?')}: {message.get('text', '')}"


class RoomModels:
    """``count`` and ``users`` (:class:`LiveValue`), ``chat`` (:class:`ActorListModel`), all
    bound to ``binding``'s ``room`` actor and living as long as it does.

    ``last_count_change`` is ``(delta, by)`` of the latest ``count`` event, set before the
    count's ``valueChanged`` fires; ``take_count_change()`` reads and clears it.
    """

    def __init__(self, binding: ActorBinding) -> None:
        self._count_change: tuple[int | None, str | None] | None = None
        self._users_event = False
        self.count: LiveValue = binding.state("getCount", reducers={"count": self._on_count})
        self.users: LiveValue = binding.state(
            "presence", reducers={"presence": self._on_presence}, initial=[]
        )
        self.chat: ActorListModel = binding.list_model(
            "history",
            key=message_key,
            reducers={"message": append()},
            roles=["id", "user", "text", "ts"],
            display=message_text,
        )
        self.chat.setObjectName("chatModel")

    def _on_count(self, old: Any, count: int, by: str | None = None, *_: Any) -> int:
        delta = int(count) - int(old) if isinstance(old, int) else None
        self._count_change = (delta, by)
        return int(count)

    def _on_presence(self, _old: Any, users: list[str], *_: Any) -> list[str]:
        self._users_event = True
        return list(users)

    def take_count_change(self) -> tuple[int | None, str | None] | None:
        change, self._count_change = self._count_change, None
        return change

    def take_users_event(self) -> bool:
        event, self._users_event = self._users_event, False
        return event

    @property
    def all_loaded(self) -> bool:
        return all(m.loaded and not m.stale for m in (self.count, self.users, self.chat))
