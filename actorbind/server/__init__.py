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

from importlib import metadata as _metadata

from .actor import Action, Actor, action, queue
from .app import create_app
from .context import ActionContext, ActorContext, ConnContext
from .errors import RivetError, UserError
from .registry import Registry
from .serve import run_in_thread, serve

try:
    __version__ = _metadata.version("actorbind")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "Action",
    "ActionContext",
    "Actor",
    "ActorContext",
    "ConnContext",
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
