"""An actor's durable queue: messages are stored when sent, then handled push-style by an
``@queue`` method or pulled by actor code with ``ctx.queue.next()`` / ``next_batch()`` /
``iter()``.

A message leaves storage when its handler's state is saved (push), when it is received
(pull), or, for a *completable* pull, when ``message.complete(reply)`` runs, so a message that
was never completed is delivered again after a restart. A sender that waits gets the handler's
return value, or the value given to ``complete`` (``None`` for a plain pull).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from .context import ActorContext
from .errors import RivetError, public_error
from .storage import QueuedMessage
from .values import decode_value, encode_value

if TYPE_CHECKING:
    from .runtime import ActorRuntime

__all__ = ["ActorQueue", "QueueMessage"]

log = logging.getLogger("actorbind.server")


class QueueMessage:
    """A message pulled from the queue: ``id``, ``name``, ``body``.

    A completable message must be completed (``await message.complete(reply)``) before the
    next one is received; the reply goes to a sender that waits.
    """

    __slots__ = ("_queue", "body", "completable", "id", "name")

    def __init__(
        self, queue: ActorQueue, msg: QueuedMessage, body: Any, *, completable: bool
    ) -> None:
        self._queue = queue
        self.id = msg.seq
        self.name = msg.name
        self.body = body
        self.completable = completable

    async def complete(self, response: Any = None) -> None:
        """Finish a completable message: remove it and answer its sender with ``response``."""
        await self._queue.complete(self, response)

    def __repr__(self) -> str:
        return f"<QueueMessage {self.id} {self.name!r}>"


class ActorQueue:
    """The queue of one running actor (``ctx.queue`` in actor code)."""

    def __init__(self, runtime: ActorRuntime) -> None:
        self._rt = runtime
        self._pending: collections.deque[QueuedMessage] = collections.deque()
        self._waiters: dict[int, asyncio.Future[Any]] = {}
        self._in_flight: set[int] = set()
        self._worker: asyncio.Task[None] | None = None
        self._arrived = asyncio.Event()
        self._closed = False

    @property
    def size(self) -> int:
        """Messages stored and not yet done (in flight included)."""
        return len(self._pending) + len(self._in_flight)

    async def load(self) -> None:
        """Take over the messages stored before this start (not completed ones included)."""
        self._pending.extend(await self._rt.host.store.pending(self._rt.record.actor_id))
        self._kick_worker()

    def close(self, error: RivetError | None = None) -> None:
        """Stop: no more handling; waiting senders get ``error`` (or keep waiting in vain)."""
        self._closed = True
        if self._worker is not None:
            self._worker.cancel()
        for fut in self._waiters.values():
            if not fut.done():
                fut.set_exception(error or RivetError.actor_not_found())
        self._waiters.clear()
        self._pending.clear()
        self._arrived.set()

    def hibernate(self) -> dict[int, asyncio.Future[Any]]:
        """Stop for a sleep; the waiting senders are handed to the next instance."""
        waiters, self._waiters = self._waiters, {}
        self.close()
        return waiters

    def adopt_waiters(self, waiters: dict[int, asyncio.Future[Any]]) -> None:
        self._waiters.update(waiters)

    # --- sending -----------------------------------------------------------------------

    async def send(
        self, name: str, body: Any, *, wait: bool, timeout_ms: int | None
    ) -> tuple[str, Any]:
        """Persist a message; with ``wait``, its reply (``("timedOut", None)`` on timeout).

        As in RivetKit, a message to a queue the actor does not declare is dropped, and the
        sender still gets ``completed``.

        Raises:
            RivetError: ``queue.full`` (400) at the actor's ``max_queue_size``.
        """
        rt = self._rt
        if name not in rt.cls.queue_names():
            return "completed", None
        limit = int(rt.cls.max_queue_size)
        if self.size >= limit:
            raise RivetError(
                "queue",
                "full",
                f"Queue is full. Limit is {limit} messages.",
                {"limit": limit},
                status=400,
            )
        raw = encode_value(body)
        seq = await rt.host.store.enqueue(rt.record.actor_id, name, raw)
        fut: asyncio.Future[Any] | None = None
        if wait:
            fut = asyncio.get_running_loop().create_future()
            self._waiters[seq] = fut
        self._pending.append(QueuedMessage(seq, name, raw))
        self._arrived.set()
        self._kick_worker()
        if fut is None:
            return "completed", None
        try:
            limit_s = rt.timeout if timeout_ms is None else timeout_ms / 1000
            try:
                return "completed", await asyncio.wait_for(asyncio.shield(fut), limit_s)
            except TimeoutError:
                if timeout_ms is None:
                    raise RivetError.action_timed_out() from None
                return "timedOut", None
        finally:
            self._waiters.pop(seq, None)

    # --- pulling -----------------------------------------------------------------------

    async def next(
        self,
        names: Iterable[str] | None = None,
        *,
        timeout: float | None = None,
        completable: bool = False,
    ) -> QueueMessage | None:
        """The next message (of ``names``, or any pull queue); ``None`` after ``timeout`` s."""
        batch = await self.next_batch(names, count=1, timeout=timeout, completable=completable)
        return batch[0] if batch else None

    async def next_batch(
        self,
        names: Iterable[str] | None = None,
        *,
        count: int = 1,
        timeout: float | None = None,
        completable: bool = False,
    ) -> list[QueueMessage]:
        """Up to ``count`` messages, waiting (at most ``timeout`` s) for the first one."""
        if self._in_flight and completable:
            raise RivetError(
                "queue",
                "previous_message_not_completed",
                "Previous completable queue message is not completed. Call "
                "`message.complete(...)` before receiving the next message.",
                status=400,
            )
        wanted = self._pull_names(names)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            taken = [m for m in self._pending if m.name in wanted][: max(count, 1)]
            if taken or self._closed:
                break
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return []
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                return []
        return [await self._take(m, completable=completable) for m in taken]

    async def iter(
        self, names: Iterable[str] | None = None, *, completable: bool = False
    ) -> AsyncIterator[QueueMessage]:
        """Every message as it arrives (``async for m in ctx.queue.iter(...)``)."""
        wanted = list(self._pull_names(names))
        while not self._closed:
            message = await self.next(wanted, completable=completable)
            if message is not None:
                yield message

    async def try_next(
        self, names: Iterable[str] | None = None, *, completable: bool = False
    ) -> QueueMessage | None:
        """The next message if one is there now, else ``None``."""
        return await self.next(names, timeout=0, completable=completable)

    async def complete(self, message: QueueMessage, response: Any) -> None:
        if not message.completable or message.id not in self._in_flight:
            return
        await self._rt.host.store.delete_message(self._rt.record.actor_id, message.id)
        self._in_flight.discard(message.id)
        self._answer(message.id, response)

    def _pull_names(self, names: Iterable[str] | None) -> frozenset[str]:
        pull = self._rt.cls.queue_names() - set(self._rt.cls.__queues__)
        return pull if names is None else frozenset(names) & pull

    async def _take(self, msg: QueuedMessage, *, completable: bool) -> QueueMessage:
        self._pending.remove(msg)
        if completable:
            self._in_flight.add(msg.seq)
        else:
            await self._rt.host.store.delete_message(self._rt.record.actor_id, msg.seq)
            self._answer(msg.seq, None)
        return QueueMessage(self, msg, decode_value(msg.body), completable=completable)

    def _answer(self, seq: int, response: Any) -> None:
        fut = self._waiters.get(seq)
        if fut is not None and not fut.done():
            fut.set_result(response)

    # --- push handlers -----------------------------------------------------------------

    def _kick_worker(self) -> None:
        if self._closed or (self._worker is not None and not self._worker.done()):
            return
        if any(m.name in self._rt.cls.__queues__ for m in self._pending):
            self._worker = self._rt.host.spawn(self._drain())

    async def _drain(self) -> None:
        rt = self._rt
        while not self._closed:
            msg = next((m for m in self._pending if m.name in rt.cls.__queues__), None)
            if msg is None:
                return
            handler = rt.cls.__queues__[msg.name]
            error: BaseException | None = None
            result: Any = None
            async with rt.activity.working(), rt.lock:
                try:
                    ctx = ActorContext(rt)
                    result = await rt.run_user(handler, rt.instance, ctx, decode_value(msg.body))
                except Exception as exc:
                    error = exc
                try:
                    await rt.persist(done_message=msg.seq)
                except RivetError as exc:
                    error = error or exc
            self._pending.remove(msg)
            fut = self._waiters.get(msg.seq)
            if fut is None or fut.done():
                if error is not None:
                    public_error(error, where=f"queue {msg.name!r} of actor {rt.record.name}")
                continue
            if error is not None:
                fut.set_exception(
                    public_error(error, where=f"queue {msg.name!r} of actor {rt.record.name}")
                )
            else:
                fut.set_result(result)
