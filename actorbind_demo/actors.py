"""The ``room`` actor on the embedded Python server (``actorbind_demo/rivetkit/registry.mjs`` is the
same actor for a real RivetKit engine; keep both in step).

State ``{count, messages, nextId}`` (the last :data:`MAX_MESSAGES` chat messages
``{id, user, text, ts}``; ``id`` counts up from 1).
Conn params ``{user}``; each connection's state is ``{user}``. Events: ``count(count, by)``,
``message({id, user, text, ts})`` and ``presence(users)``.
"""

from __future__ import annotations

import time
from typing import Any

from actorbind.server import (
    ActionContext,
    Actor,
    ActorContext,
    ConnContext,
    Registry,
    UserError,
    action,
)

__all__ = ["MAX_MESSAGES", "MAX_TEXT", "Room", "registry"]

MAX_MESSAGES = 200
MAX_TEXT = 500
MAX_USER = 32


def _user_of(params: Any) -> str | None:
    user = params.get("user") if isinstance(params, dict) else None
    if not isinstance(user, str) or not user.strip():
        return None
    return user.strip()[:MAX_USER]


def _users(ctx: ActorContext, leaving: ConnContext | None = None) -> list[str]:
    """Who is here: the users of the live connections (sorted, once each).

    HTTP calls and sockets without a ``user`` param are not "people"; ``leaving`` is skipped.
    """
    users: set[str] = set()
    for conn in ctx.conns.values():
        if conn is leaving:
            continue
        state = conn.state
        user = state.get("user") if isinstance(state, dict) else None
        if isinstance(user, str) and user:
            users.add(user)
    return sorted(users)


class Room(Actor):
    name = "room"
    state = {"count": 0, "messages": [], "nextId": 1}

    def create_conn_state(self, ctx: ActorContext, params: Any) -> dict[str, Any]:
        return {"user": _user_of(params)}

    def on_connect(self, ctx: ActionContext) -> None:
        ctx.broadcast("presence", _users(ctx))

    def on_disconnect(self, ctx: ActionContext) -> None:
        ctx.broadcast("presence", _users(ctx, leaving=ctx.conn))

    @action
    def increment(self, ctx: ActionContext, n: int = 1) -> int:
        if not isinstance(n, int) or isinstance(n, bool) or abs(n) > 1_000_000:
            raise UserError("increment takes a whole number", code="bad_amount")
        ctx.state["count"] += n
        by = _by(ctx)
        ctx.broadcast("count", ctx.state["count"], by)
        return int(ctx.state["count"])

    @action
    def say(self, ctx: ActionContext, text: str) -> dict[str, Any]:
        if not isinstance(text, str) or not text.strip():
            raise UserError("Type something first: a message cannot be empty", code="empty_message")
        if len(text) > MAX_TEXT:
            raise UserError(f"A message has at most {MAX_TEXT} characters", code="message_too_long")
        message_id = int(ctx.state.get("nextId", 1))  # rooms saved before ids start at 1
        ctx.state["nextId"] = message_id + 1
        message = {
            "id": message_id,
            "user": _by(ctx),
            "text": text.strip(),
            "ts": int(time.time() * 1000),
        }
        messages = ctx.state["messages"]
        messages.append(message)
        del messages[:-MAX_MESSAGES]
        ctx.broadcast("message", message)
        return message

    @action
    def history(self, ctx: ActionContext) -> list[dict[str, Any]]:
        return list(ctx.state["messages"])

    @action
    def presence(self, ctx: ActionContext) -> list[str]:
        return _users(ctx)

    @action
    def getCount(self, ctx: ActionContext) -> int:
        return int(ctx.state["count"])


def _by(ctx: ActionContext) -> str:
    state = ctx.conn.state
    user = state.get("user") if isinstance(state, dict) else None
    return user if isinstance(user, str) and user else "anonymous"


registry = Registry(Room)
