"""Durable actor records, state and queued messages in one SQLite file.

WAL with ``synchronous=NORMAL``: a commit survives the process being killed (SIGKILL), which is
what "acknowledged == durable" needs here; it is not power-loss safe. ``":memory:"`` keeps
everything in memory. One connection, used only from the server's event loop thread; each
write is one short transaction (well under a millisecond), so it runs inline.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from actorbind.protocol import ActorKey, deserialize_key, serialize_key

__all__ = [
    "ActorRecord",
    "ActorStore",
    "QueuedMessage",
    "ScheduledCall",
    "Storage",
    "StoreError",
    "now_ms",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS actors (
    actor_id     TEXT PRIMARY KEY,
    namespace    TEXT NOT NULL,
    name         TEXT NOT NULL,
    key          TEXT NOT NULL,
    runner       TEXT NOT NULL,
    crash_policy TEXT NOT NULL,
    datacenter   TEXT NOT NULL,
    input        BLOB,
    state        BLOB,
    create_ts    INTEGER NOT NULL,
    destroy_ts   INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS actors_live_key
    ON actors(namespace, name, key) WHERE destroy_ts IS NULL;
CREATE TABLE IF NOT EXISTS schedules (
    actor_id TEXT NOT NULL,
    id       TEXT NOT NULL,
    ts       INTEGER NOT NULL,
    action   TEXT NOT NULL,
    args     BLOB NOT NULL,
    PRIMARY KEY (actor_id, id)
);
CREATE TABLE IF NOT EXISTS queue_messages (
    actor_id TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    name     TEXT NOT NULL,
    body     BLOB NOT NULL,
    PRIMARY KEY (actor_id, seq)
);
"""

_COLUMNS = (
    "actor_id, namespace, name, key, runner, crash_policy, datacenter, input, create_ts, destroy_ts"
)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(slots=True)
class ActorRecord:
    """One actor as the management API knows it (``input`` is compat CBOR, or ``None``)."""

    actor_id: str
    namespace: str
    name: str
    key: ActorKey
    runner: str = "default"
    crash_policy: str = "sleep"
    datacenter: str = "default"
    input: bytes | None = field(default=None, repr=False)
    create_ts: int = 0
    destroy_ts: int | None = None

    @property
    def serialized_key(self) -> str:
        return serialize_key(self.key)


@dataclass(frozen=True, slots=True)
class ScheduledCall:
    """An action to run at ``ts_ms`` (``args``: compat CBOR of the argument list)."""

    id: str
    actor_id: str
    ts_ms: int
    action: str
    args: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    seq: int
    name: str
    body: bytes = field(repr=False)


class StoreError(Exception):
    """An :class:`ActorStore` could not write (too large for one atomic write, or lost)."""


class ActorStore(Protocol):
    """Where a running actor keeps its state, queue and schedules: SQLite (:class:`Storage`)
    embedded, the engine's per-actor KV under ``actorbind.runner``.

    ``save_state(done_message=seq)`` writes the state and retires that queue message
    atomically, and ``done_schedule=id`` that scheduled call: after a crash, a message (or a
    call) is either pending or its effect is in the state. A write it cannot make raises
    :class:`StoreError`.
    """

    async def load_state(self, actor_id: str) -> bytes | None: ...

    async def save_state(
        self,
        actor_id: str,
        state: bytes,
        *,
        done_message: int | None = None,
        done_schedule: str | None = None,
    ) -> None: ...

    async def add_schedule(self, call: ScheduledCall) -> None: ...

    async def delete_schedule(self, actor_id: str, schedule_id: str) -> bool: ...

    async def schedules(self, actor_id: str) -> list[ScheduledCall]:
        """The actor's pending calls, in time order."""
        ...

    async def enqueue(self, actor_id: str, name: str, body: bytes) -> int: ...

    async def pending(self, actor_id: str) -> list[QueuedMessage]: ...

    async def delete_message(self, actor_id: str, seq: int) -> None: ...


def _record(row: tuple[object, ...]) -> ActorRecord:
    (actor_id, namespace, name, key, runner, crash, dc, input_, create_ts, destroy_ts) = row
    assert isinstance(key, str)
    return ActorRecord(
        actor_id=str(actor_id),
        namespace=str(namespace),
        name=str(name),
        key=deserialize_key(key),
        runner=str(runner),
        crash_policy=str(crash),
        datacenter=str(dc),
        input=bytes(input_) if isinstance(input_, bytes | bytearray | memoryview) else None,
        create_ts=int(create_ts),  # type: ignore[call-overload]
        destroy_ts=None if destroy_ts is None else int(destroy_ts),  # type: ignore[call-overload]
    )


class Storage:
    """The SQLite store (records, and an :class:`ActorStore`). Not thread-safe: use it from
    one thread (the server loop); its async methods run inline, as each is one short
    transaction."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # --- actors ------------------------------------------------------------------------

    def insert(self, record: ActorRecord) -> None:
        """Insert a new actor; raises ``sqlite3.IntegrityError`` if its key is taken."""
        self._db.execute(
            f"INSERT INTO actors ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                record.actor_id,
                record.namespace,
                record.name,
                record.serialized_key,
                record.runner,
                record.crash_policy,
                record.datacenter,
                record.input,
                record.create_ts,
                record.destroy_ts,
            ),
        )

    def by_id(self, actor_id: str) -> ActorRecord | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM actors WHERE actor_id = ?", (actor_id,)
        ).fetchone()
        return None if row is None else _record(row)

    def by_key(self, namespace: str, name: str, key: ActorKey) -> ActorRecord | None:
        """The live (not destroyed) actor with this name and key."""
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM actors WHERE namespace = ? AND name = ? AND key = ? "
            "AND destroy_ts IS NULL",
            (namespace, name, serialize_key(key)),
        ).fetchone()
        return None if row is None else _record(row)

    def by_name(self, namespace: str, name: str, limit: int = 1000) -> list[ActorRecord]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM actors WHERE namespace = ? AND name = ? "
            "AND destroy_ts IS NULL ORDER BY create_ts LIMIT ?",
            (namespace, name, limit),
        ).fetchall()
        return [_record(r) for r in rows]

    def mark_destroyed(self, actor_id: str, ts: int) -> None:
        with self._tx():
            self._db.execute("UPDATE actors SET destroy_ts = ? WHERE actor_id = ?", (ts, actor_id))
            self._db.execute("DELETE FROM queue_messages WHERE actor_id = ?", (actor_id,))
            self._db.execute("DELETE FROM schedules WHERE actor_id = ?", (actor_id,))

    # --- schedules (kept with the records: the server's own alarms) --------------------

    async def add_schedule(self, call: ScheduledCall) -> None:
        self._db.execute(
            "INSERT INTO schedules (actor_id, id, ts, action, args) VALUES (?,?,?,?,?)",
            (call.actor_id, call.id, call.ts_ms, call.action, call.args),
        )

    async def delete_schedule(self, actor_id: str, schedule_id: str) -> bool:
        return self._delete_schedule(actor_id, schedule_id)

    def _delete_schedule(self, actor_id: str, schedule_id: str) -> bool:
        cur = self._db.execute(
            "DELETE FROM schedules WHERE actor_id = ? AND id = ?", (actor_id, schedule_id)
        )
        return cur.rowcount > 0

    async def schedules(self, actor_id: str) -> list[ScheduledCall]:
        return self.all_schedules(actor_id)

    def all_schedules(self, actor_id: str | None = None) -> list[ScheduledCall]:
        """The stored calls (of one actor, or of all: the server's alarms at start), in time
        order."""
        sql = "SELECT actor_id, id, ts, action, args FROM schedules"
        rows = (
            self._db.execute(sql + " ORDER BY ts").fetchall()
            if actor_id is None
            else self._db.execute(sql + " WHERE actor_id = ? ORDER BY ts", (actor_id,)).fetchall()
        )
        return [ScheduledCall(str(i), str(a), int(t), str(n), bytes(b)) for a, i, t, n, b in rows]

    # --- state -------------------------------------------------------------------------

    async def load_state(self, actor_id: str) -> bytes | None:
        row = self._db.execute(
            "SELECT state FROM actors WHERE actor_id = ?", (actor_id,)
        ).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    async def save_state(
        self,
        actor_id: str,
        state: bytes,
        *,
        done_message: int | None = None,
        done_schedule: str | None = None,
    ) -> None:
        """Write the state (and drop a handled queue message or scheduled call) in one
        transaction."""
        with self._tx():
            self._db.execute("UPDATE actors SET state = ? WHERE actor_id = ?", (state, actor_id))
            if done_message is not None:
                self._delete_message(actor_id, done_message)
            if done_schedule is not None:
                self._delete_schedule(actor_id, done_schedule)

    # --- queue -------------------------------------------------------------------------

    async def enqueue(self, actor_id: str, name: str, body: bytes) -> int:
        with self._tx():
            row = self._db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM queue_messages WHERE actor_id = ?", (actor_id,)
            ).fetchone()
            seq = int(row[0]) + 1
            self._db.execute(
                "INSERT INTO queue_messages (actor_id, seq, name, body) VALUES (?,?,?,?)",
                (actor_id, seq, name, body),
            )
        return seq

    async def pending(self, actor_id: str) -> list[QueuedMessage]:
        rows = self._db.execute(
            "SELECT seq, name, body FROM queue_messages WHERE actor_id = ? ORDER BY seq",
            (actor_id,),
        ).fetchall()
        return [QueuedMessage(int(s), str(n), bytes(b)) for s, n, b in rows]

    async def delete_message(self, actor_id: str, seq: int) -> None:
        self._delete_message(actor_id, seq)

    def _delete_message(self, actor_id: str, seq: int) -> None:
        self._db.execute(
            "DELETE FROM queue_messages WHERE actor_id = ? AND seq = ?", (actor_id, seq)
        )

    def _tx(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("ROLLBACK" if exc_type is not None else "COMMIT")
