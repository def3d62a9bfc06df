"""actorbind's embedded actor server: hosts Python actors behind the RivetKit 2.3 protocol.

The actorbind client and the official TypeScript client talk to it exactly as to a Rivet
Engine (json, cbor and bare)::

    from actorbind.server import Actor, ActionContext, Registry, action, serve

    class Counter(Actor):
        state = {"count": 0}

        @action
        def increment(self, ctx: ActionContext, x: int) -> int:
            ctx.state["count"] += x
            ctx.broadcast("newCount", ctx.state["count"])
            return ctx.state["count"]

    async with serve(Registry(Counter), port=6420, data="actors.db") as endpoint:
        ...

It uses :mod:`actorbind.protocol` only, never the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from actorbind._extras import has_modules, require_extra
from actorbind._version import __version__

from .actor import Action, Actor, action, queue
from .context import ActionContext, ActorContext, ConnContext
from .errors import RivetError, UserError
from .limits import Limits
from .queues import QueueMessage
from .registry import Registry

# Actors and registries need no web server; serving does (the `server` extra). Without it,
# `from actorbind.server import serve` says what to install, and the CLI can print it.
_SERVING = ("starlette", "uvicorn")
if TYPE_CHECKING or has_modules(*_SERVING):
    from .app import create_app
    from .serve import run_in_thread, serve
else:

    def __getattr__(name: str) -> Any:
        if name in ("create_app", "run_in_thread", "serve"):
            require_extra("actorbind.server", "server", *_SERVING)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Action",
    "ActionContext",
    "Actor",
    "ActorContext",
    "ConnContext",
    "Limits",
    "QueueMessage",
    "Registry",
    "RivetError",
    "UserError",
    "__version__",
    "action",
    "create_app",
    "queue",
    "run_in_thread",
    "serve",
]
