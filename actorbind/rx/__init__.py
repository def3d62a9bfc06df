"""ReactiveX streams over actor connections, and a shared, ref-counted connection store.

>>> from actorbind.rx import ActorStore, events, status
>>> events(conn, "newCount").subscribe(lambda args: print(args[0]))
>>> store = ActorStore(client)            # one socket per (name, key, params, no_create)
>>> entry, unmount = store.mount("counter", ["room", "1"])
>>> entry.statuses.subscribe(print)      # idle/connecting/connected/disconnected
>>> unmount()                            # disposed after the grace period unless re-mounted
>>> count = live_state(entry, "getCount", reducers={"newCount": lambda old, new: new})
>>> count.value, count.loaded, count.stale  # snapshot + events, reloaded on every reconnect

Toolkit-independent (``reactivex`` only). Threads: every emission happens on the thread of the
asyncio loop that owns the connection; calls from other threads are marshalled with
``loop.call_soon_threadsafe`` (see :func:`observe_on_loop`, :func:`call_on_loop`).
"""

from __future__ import annotations

from actorbind._extras import raise_if_extra_missing

try:
    from ._list import ListOp, LiveList, append, live_list, remove_by_key, upsert
    from ._live import LiveSource, LiveState, LiveStatus, Reducer, live_state
    from ._loop import call_on_loop, observe_on_loop, on_loop_thread, subscribe_on_loop
    from ._operators import FRAME, latest_per_frame
    from ._options import DEFAULT_GRACE, ActorOptions, HashFunction, default_hash
    from ._rows import ListChange, ListInserted, ListRemoved, ListReset, ListUpdated
    from ._store import ActorEntry, ActorStore
    from ._streams import action, errors, events, status
except ImportError as error:  # an extra not installed: say which
    raise_if_extra_missing(error, "actorbind.rx", "rx", "reactivex")
    raise


__all__ = [
    "DEFAULT_GRACE",
    "FRAME",
    "ActorEntry",
    "ActorOptions",
    "ActorStore",
    "HashFunction",
    "ListChange",
    "ListInserted",
    "ListOp",
    "ListRemoved",
    "ListReset",
    "ListUpdated",
    "LiveList",
    "LiveSource",
    "LiveState",
    "LiveStatus",
    "Reducer",
    "action",
    "append",
    "call_on_loop",
    "default_hash",
    "errors",
    "events",
    "latest_per_frame",
    "live_list",
    "live_state",
    "observe_on_loop",
    "on_loop_thread",
    "remove_by_key",
    "status",
    "subscribe_on_loop",
    "upsert",
]
