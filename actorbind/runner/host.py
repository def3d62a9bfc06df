"""The actor host under the engine: sleeping and waking are the engine's to decide.

The embedded server puts an idle actor to sleep itself (``sleep_timeout``, ``ctx.sleep()``)
and wakes it on the next request. Under the engine that would leave the engine believing the
actor runs here while it is gone; so a sleep request becomes the engine's sleep intent
(``EventActorIntent(Sleep)``; the engine answers with ``CommandStopActor(SleepIntent)``), and
an actor that is not running here is never started locally. ``ctx.destroy()`` likewise
becomes the engine's stop intent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from actorbind.server.errors import RivetError
from actorbind.server.host import ActorHost
from actorbind.server.runtime import ActorRuntime
from actorbind.server.storage import ActorRecord

__all__ = ["EngineHost"]


class EngineHost(ActorHost):
    """:class:`ActorHost` with sleep and wake delegated to the engine."""

    find: Callable[[str], Awaitable[ActorRuntime | None]] | None = None
    sleep_intent: Callable[[ActorRuntime], None] | None = None
    destroy_intent: Callable[[ActorRuntime], None] | None = None

    async def sleep(self, actor_id: str) -> None:
        runtime = self.runtimes.get(actor_id)
        if runtime is not None and not runtime.stopping and self.sleep_intent is not None:
            self.sleep_intent(runtime)

    async def destroy(self, actor_id: str, *, code: int = 1000, reason: str = "") -> bool:
        """``ctx.destroy()``: the engine destroys the actor (it stops it here first, then
        ``on_destroy`` runs and its sockets close 1000); ``code``/``reason`` are RivetKit's."""
        runtime = self.runtimes.get(actor_id)
        if runtime is None or runtime.stopping or self.destroy_intent is None:
            return False
        self.destroy_intent(runtime)
        return True

    async def wake(self, record: ActorRecord) -> ActorRuntime:
        runtime = self.runtimes.get(record.actor_id)
        if runtime is None and self.find is not None:
            runtime = await self.find(record.actor_id)
        if runtime is None:
            # The engine starts it (wherever it likes) at the client's next request.
            raise RivetError.actor_not_found()
        return runtime
