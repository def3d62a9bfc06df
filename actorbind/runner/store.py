"""Actor state and queues in the engine's per-actor KV (the runner's :class:`ActorStore`).

Layout (prefix ``P``, apart from RivetKit's ``01``-``06``)::

    P h               header: CBOR {"v": 1, "n": state chunks, "d": last retired queue seq}
    P s <u16 BE>      state (compat CBOR), in chunks of <= 128 KiB
    P q <u64 BE>      a queued message: CBOR [name, body]
    P a <id>          a scheduled call: CBOR [ts_ms, action, args]; CBOR null once it ran

``save_state`` writes every chunk and the header in one put, the engine's unit of atomicity,
so the state and the queue cursor ``d`` commit together; retired messages are deleted after,
and any left over (seq <= ``d``) are skipped on load. A scheduled call that ran is retired
the same way: its key is overwritten with null in that put (a put cannot delete), deleted
after, and a null left over is skipped on load. A state that does not fit one put (about
950 KiB) raises :class:`StateTooLarge`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Final

import cbor2

from actorbind.server.storage import QueuedMessage, ScheduledCall

from .kv import MAX_KEYS, MAX_PUT, MAX_VALUE, KvClient, KvError

__all__ = ["EngineKvStore", "StateTooLarge"]

_HEADER: Final = b"Ph"
_STATE: Final = b"Ps"
_QUEUE: Final = b"Pq"
_SCHEDULE: Final = b"Pa"
_RAN: Final = b"\xf6"  # CBOR null: a call that ran, its state written in the same put
# Room for the header and the keys inside one put.
_STATE_ROOM: Final = MAX_PUT - 4096


class StateTooLarge(KvError):
    """The state is larger than the engine writes atomically."""


@dataclass
class _Actor:
    chunks: int = 0
    done: int = 0
    next_seq: int = 1


def _chunk_key(i: int) -> bytes:
    return _STATE + i.to_bytes(2, "big")


def _queue_key(seq: int) -> bytes:
    return _QUEUE + seq.to_bytes(8, "big")


def _schedule_key(schedule_id: str) -> bytes:
    return _SCHEDULE + schedule_id.encode()


class EngineKvStore:
    """One store for every actor of a runner; the engine scopes KV to the actor id."""

    def __init__(self, kv: KvClient) -> None:
        self.kv = kv
        self._actors: dict[str, _Actor] = {}

    def _meta(self, actor_id: str) -> _Actor:
        meta = self._actors.get(actor_id)
        if meta is None:
            meta = self._actors[actor_id] = _Actor()
        return meta

    def forget(self, actor_id: str) -> None:
        """The actor stopped here; the next start reloads from the engine."""
        self._actors.pop(actor_id, None)

    async def load_state(self, actor_id: str) -> bytes | None:
        meta = self._actors[actor_id] = _Actor()
        found = await self.kv.get(actor_id, [_HEADER])
        raw = found.get(_HEADER)
        if raw is None:
            return None
        header = cbor2.loads(raw)
        meta.chunks = int(header["n"])
        meta.done = int(header["d"])
        meta.next_seq = meta.done + 1
        keys = [_chunk_key(i) for i in range(meta.chunks)]
        parts: dict[bytes, bytes] = {}
        for start in range(0, len(keys), MAX_KEYS):
            parts.update(await self.kv.get(actor_id, keys[start : start + MAX_KEYS]))
        missing = [k for k in keys if k not in parts]
        if missing:
            raise KvError(f"actor state is missing {len(missing)} of {len(keys)} chunks")
        return b"".join(parts[k] for k in keys)

    async def save_state(
        self,
        actor_id: str,
        state: bytes,
        *,
        done_message: int | None = None,
        done_schedule: str | None = None,
    ) -> None:
        if len(state) > _STATE_ROOM:
            raise StateTooLarge(
                f"actor state of {len(state)} bytes; the engine writes at most {_STATE_ROOM} "
                "atomically"
            )
        meta = self._meta(actor_id)
        done = meta.done if done_message is None else max(meta.done, done_message)
        chunks = [state[i : i + MAX_VALUE] for i in range(0, len(state), MAX_VALUE)] or [b""]
        entries = {_chunk_key(i): chunk for i, chunk in enumerate(chunks)}
        entries[_HEADER] = cbor2.dumps({"v": 1, "n": len(chunks), "d": done})
        if done_schedule is not None:
            entries[_schedule_key(done_schedule)] = _RAN
        await self.kv.put(actor_id, entries)
        meta.chunks = len(chunks)
        meta.done = done
        # Best effort: a message left behind has seq <= done, a call left behind is null;
        # both are skipped on load.
        retired = [] if done_message is None else [_queue_key(done_message)]
        if done_schedule is not None:
            retired.append(_schedule_key(done_schedule))
        if retired:
            with contextlib.suppress(KvError):
                await self.kv.delete(actor_id, retired)

    async def enqueue(self, actor_id: str, name: str, body: bytes) -> int:
        meta = self._meta(actor_id)
        seq = meta.next_seq
        meta.next_seq += 1
        await self.kv.put(actor_id, {_queue_key(seq): cbor2.dumps([name, body])})
        return seq

    async def pending(self, actor_id: str) -> list[QueuedMessage]:
        meta = self._meta(actor_id)
        found = await self.kv.list_prefix(actor_id, _QUEUE)
        out: list[QueuedMessage] = []
        for key in sorted(found):
            seq = int.from_bytes(key[len(_QUEUE) :], "big")
            meta.next_seq = max(meta.next_seq, seq + 1)
            if seq > meta.done:
                name, body = cbor2.loads(found[key])
                out.append(QueuedMessage(seq, str(name), bytes(body)))
        return out

    async def delete_message(self, actor_id: str, seq: int) -> None:
        await self.kv.delete(actor_id, [_queue_key(seq)])

    # --- schedules --------------------------------------------------------------------

    async def add_schedule(self, call: ScheduledCall) -> None:
        value = cbor2.dumps([call.ts_ms, call.action, call.args])
        await self.kv.put(call.actor_id, {_schedule_key(call.id): value})

    async def delete_schedule(self, actor_id: str, schedule_id: str) -> bool:
        key = _schedule_key(schedule_id)
        found = await self.kv.get(actor_id, [key])
        if key not in found:
            return False
        await self.kv.delete(actor_id, [key])
        return found[key] != _RAN

    async def schedules(self, actor_id: str) -> list[ScheduledCall]:
        found = await self.kv.list_prefix(actor_id, _SCHEDULE)
        calls: list[ScheduledCall] = []
        ran: list[bytes] = []
        for key, value in found.items():
            if value == _RAN:
                ran.append(key)
                continue
            ts_ms, action, args = cbor2.loads(value)
            schedule_id = key[len(_SCHEDULE) :].decode()
            calls.append(ScheduledCall(schedule_id, actor_id, int(ts_ms), str(action), bytes(args)))
        if ran:
            # Left over by a save whose follow-up delete did not happen.
            with contextlib.suppress(KvError):
                await self.kv.delete(actor_id, ran[:MAX_KEYS])
        return sorted(calls, key=lambda c: (c.ts_ms, c.id))

    async def drop(self, actor_id: str) -> None:
        """Delete everything the actor stored (it was destroyed)."""
        self._actors.pop(actor_id, None)
        await self.kv.drop(actor_id)
