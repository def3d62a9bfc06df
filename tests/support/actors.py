"""The test actors of tests/ACTORS.md on the embedded Python server.

This is the Python half of the contract; tests/rivetkit_app/registry.mjs is the JavaScript
half. Keep both in step: a difference is a bug.

Run it by hand with ``python -m actorbind.server tests.support.actors:registry --port 6420``
(``destroyable`` calls ``ctx.client()``: serve it with ``client=actorbind.create_client``).
"""

from __future__ import annotations

import asyncio
import builtins
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect

from actorbind.server import (
    ActionContext,
    Actor,
    ActorContext,
    QueueMessage,
    Registry,
    RivetError,
    UserError,
    action,
    queue,
)


class Counter(Actor):
    name = "counter"
    state = {"count": 0}

    @action
    def increment(self, ctx: ActionContext, x: int) -> int:
        ctx.state["count"] += x
        ctx.broadcast("newCount", ctx.state["count"])
        return int(ctx.state["count"])

    @action
    def getCount(self, ctx: ActionContext) -> int:
        return int(ctx.state["count"])

    @action
    def setCount(self, ctx: ActionContext, x: int) -> int:
        ctx.state["count"] = x
        ctx.broadcast("newCount", x)
        return x

    @action
    def echo(self, ctx: ActionContext, *args: Any) -> list[Any]:
        return list(args)

    @action
    def getKey(self, ctx: ActionContext) -> list[str]:
        return list(ctx.key)

    @action
    def multiEvent(self, ctx: ActionContext) -> bool:
        ctx.broadcast("multi", 1, "two", {"three": 3})
        return True

    @action
    def direct(self, ctx: ActionContext, x: Any) -> Any:
        ctx.conn.send("direct", x)
        return x

    @action
    def flood(self, ctx: ActionContext, n: int) -> int:
        for i in range(n):
            ctx.broadcast("tick", i)
        return n

    @action
    async def sleepMs(self, ctx: ActionContext, ms: float) -> float:
        await asyncio.sleep(ms / 1000)
        return ms

    @action
    def bigString(self, ctx: ActionContext, n: int) -> str:
        return "x" * n

    @action
    def bytes(self, ctx: ActionContext, n: int) -> builtins.bytes:
        return builtins.bytes(i % 256 for i in range(n))

    @action
    def argLength(self, ctx: ActionContext, s: str) -> int:
        return len(s)

    @action
    def liveConns(self, ctx: ActionContext) -> int:
        return len(ctx.conns)


class WithInput(Actor):
    name = "withInput"

    def create_state(self, ctx: ActorContext, input: Any) -> Any:
        start = input.get("startCount") if isinstance(input, dict) else None
        return {"input": input, "count": start if start is not None else 0}

    @action
    def getInput(self, ctx: ActionContext) -> Any:
        return ctx.state["input"]

    @action
    def getCount(self, ctx: ActionContext) -> Any:
        return ctx.state["count"]


class Guarded(Actor):
    name = "guarded"
    state = {}

    def on_before_connect(self, ctx: ActorContext, params: Any) -> None:
        token = params.get("authToken") if isinstance(params, dict) else None
        if token != "good-token":
            raise UserError("invalid auth token", code="unauthorized", metadata={"got": token})

    def create_conn_state(self, ctx: ActorContext, params: Any) -> Any:
        return {"user": "u1", "authToken": params["authToken"]}

    @action
    def whoami(self, ctx: ActionContext) -> Any:
        return ctx.conn.state

    @action
    def ping(self, ctx: ActionContext) -> str:
        return "pong"


class Errors(Actor):
    name = "errors"
    state = {}

    @action
    def failUser(self, ctx: ActionContext, reason: str) -> None:
        raise UserError(
            f"user error: {reason}", code="custom_code", metadata={"n": 42, "reason": reason}
        )

    @action
    def failPlain(self, ctx: ActionContext) -> None:
        raise UserError("plain failure")

    @action
    def failInternal(self, ctx: ActionContext) -> None:
        raise RuntimeError("secret internal detail")


class Slow(Actor):
    name = "slow"
    state = {}
    action_timeout = 0.5

    @action
    async def sleepMs(self, ctx: ActionContext, ms: float) -> float:
        await asyncio.sleep(ms / 1000)
        return ms


class Queued(Actor):
    name = "queued"
    state = {"received": []}

    @queue("jobs")
    def jobs(self, ctx: ActorContext, body: Any) -> Any:
        index = len(ctx.state["received"])
        ctx.state["received"].append(body)
        return {"ok": True, "index": index, "body": body}

    @action
    def received(self, ctx: ActionContext) -> list[Any]:
        return list(ctx.state["received"])


class Raw(Actor):
    name = "raw"
    state = {}

    async def on_request(self, ctx: ActionContext, request: Request) -> Response:
        body = (await request.body()).decode("utf-8", "replace")
        payload = {
            "method": request.method,
            "path": request.url.path,
            "query": dict(request.query_params),
            "body": body,
        }
        return Response(json.dumps(payload), 200, media_type="application/json")

    async def on_websocket(self, ctx: ActionContext, websocket: WebSocket) -> None:
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                if message.get("text") is not None:
                    await websocket.send_text(message["text"])
                elif message.get("bytes") is not None:
                    await websocket.send_bytes(message["bytes"])
        except WebSocketDisconnect:
            return


class Interleaved(Actor):
    name = "interleaved"
    state = {}
    interleave = True  # RivetKit's dispatch: waitFor must not block release

    def __init__(self) -> None:
        self.released: dict[str, asyncio.Event] = {}

    def _gate(self, name: str) -> asyncio.Event:
        return self.released.setdefault(name, asyncio.Event())

    @action
    async def waitFor(self, ctx: ActionContext, name: str) -> str:
        try:
            await asyncio.wait_for(self._gate(name).wait(), 10)
        except TimeoutError:
            raise UserError("never released", code="timeout") from None
        return name

    @action
    def release(self, ctx: ActionContext, name: str) -> bool:
        self._gate(name).set()
        return True


class Stateless(Actor):
    name = "stateless"

    @action
    def ping(self, ctx: ActionContext) -> str:
        return "pong"

    @action
    def echo(self, ctx: ActionContext, x: Any) -> Any:
        return x

    @action
    def getActorId(self, ctx: ActionContext) -> str:
        return ctx.actor_id

    @action
    def tryGetState(self, ctx: ActionContext) -> dict[str, Any]:
        try:
            ctx.state  # noqa: B018 - reading it is the test
        except RivetError as err:
            return {"success": False, "code": f"{err.group}.{err.code}", "error": err.message}
        return {"success": True}


def _request_info(hook: str, request: Request | None) -> dict[str, Any]:
    return {
        "hook": hook,
        "method": None if request is None else request.method,
        "path": None if request is None else request.url.path,
        "header": None if request is None else request.headers.get("x-hooks-test"),
    }


def _is_admin(ctx: ActionContext) -> bool:
    params = ctx.conn.params
    return isinstance(params, dict) and params.get("role") == "admin"


class Hooks(Actor):
    name = "hooks"
    state = {"count": 0}
    queues = ("inbox",)

    def create_vars(self, ctx: ActorContext) -> Any:
        return {"changes": [], "requests": [], "inbox": []}

    def on_state_change(self, ctx: ActorContext, state: Any) -> None:
        ctx.vars["changes"].append(state["count"])

    def on_before_connect(self, ctx: ActorContext, params: Any) -> None:
        ctx.vars["requests"].append(_request_info("onBeforeConnect", ctx.request))

    def create_conn_state(self, ctx: ActorContext, params: Any) -> Any:
        ctx.vars["requests"].append(_request_info("createConnState", ctx.request))
        return {}

    def can_subscribe(self, ctx: ActionContext, event: str) -> bool:
        return event != "secret" or _is_admin(ctx)

    def can_publish(self, ctx: ActionContext, queue: str) -> bool:
        return queue != "inbox" or _is_admin(ctx)

    @action
    def setCount(self, ctx: ActionContext, x: int) -> int:
        ctx.state["count"] = x
        ctx.broadcast("secret", x)
        ctx.broadcast("open", x)
        return x

    @action
    def getChanges(self, ctx: ActionContext) -> list[Any]:
        return list(ctx.vars["changes"])

    @action
    def getRequests(self, ctx: ActionContext) -> list[Any]:
        return list(ctx.vars["requests"])

    @action
    def clearRequests(self, ctx: ActionContext) -> bool:
        ctx.vars["requests"] = []
        return True


class Journal(Actor):
    name = "journal"
    state = {"items": [], "next": 1}

    @action
    def add(self, ctx: ActionContext, text: str) -> dict[str, Any]:
        item = {"id": ctx.state["next"], "text": text}
        ctx.state["next"] += 1
        ctx.state["items"].append(item)
        ctx.broadcast("added", item)
        return item

    @action
    def edit(self, ctx: ActionContext, id: int, text: str) -> dict[str, Any] | None:
        items = ctx.state["items"]
        for i, old in enumerate(items):
            if old["id"] == id:
                items[i] = item = {"id": id, "text": text}
                ctx.broadcast("edited", item)
                return item
        return None

    @action
    def drop(self, ctx: ActionContext, id: int) -> bool:
        items = ctx.state["items"]
        kept = [x for x in items if x["id"] != id]
        if len(kept) == len(items):
            return False
        items[:] = kept
        ctx.broadcast("dropped", id)
        return True

    @action
    def history(self, ctx: ActionContext) -> list[dict[str, Any]]:
        return list(ctx.state["items"])


class Observer(Actor):
    name = "observer"
    state = {"events": []}

    @action
    def record(self, ctx: ActionContext, event: Any) -> int:
        ctx.state["events"].append(event)
        return len(ctx.state["events"])

    @action
    def events(self, ctx: ActionContext) -> list[Any]:
        return list(ctx.state["events"])


class Destroyable(Actor):
    name = "destroyable"
    state = {"value": 0}

    async def on_destroy(self, ctx: ActorContext) -> None:
        await ctx.client().observer.get_or_create(list(ctx.key)).record("destroyed")

    @action
    def setValue(self, ctx: ActionContext, x: Any) -> Any:
        ctx.state["value"] = x
        return x

    @action
    def getValue(self, ctx: ActionContext) -> Any:
        return ctx.state["value"]

    @action
    def destroySelf(self, ctx: ActionContext) -> bool:
        ctx.destroy()
        return True

    @action
    async def tellObserver(self, ctx: ActionContext, event: Any) -> Any:
        return await ctx.client().observer.get_or_create(list(ctx.key)).record(event)


def _view(message: QueueMessage | None) -> dict[str, Any] | None:
    return None if message is None else {"name": message.name, "body": message.body}


class Puller(Actor):
    name = "puller"
    state = {}
    queues = ("tasks", "other")
    max_queue_size = 3
    interleave = True  # as RivetKit: a waiting next() must not hold up the queue's senders

    @action
    async def next(self, ctx: ActionContext, timeout: float) -> Any:
        return _view(await ctx.queue.next(["tasks"], timeout=timeout / 1000))

    @action
    async def nextAny(self, ctx: ActionContext, timeout: float) -> Any:
        return _view(await ctx.queue.next(timeout=timeout / 1000))

    @action
    async def nextBatch(self, ctx: ActionContext, count: int, timeout: float) -> Any:
        batch = await ctx.queue.next_batch(["tasks"], count=count, timeout=timeout / 1000)
        return [_view(m) for m in batch]

    @action
    async def completeNext(self, ctx: ActionContext, reply: Any, timeout: float) -> Any:
        message = await ctx.queue.next(["tasks"], timeout=timeout / 1000, completable=True)
        if message is None:
            return None
        await message.complete(reply)
        return message.body


class Sleepy(Actor):
    name = "sleepy"
    state = {"startCount": 0, "sleepCount": 0, "alarms": []}
    sleep_timeout = 0.5

    def on_wake(self, ctx: ActorContext) -> None:
        ctx.state["startCount"] += 1

    def on_sleep(self, ctx: ActorContext) -> None:
        ctx.state["sleepCount"] += 1

    @action
    def getCounts(self, ctx: ActionContext) -> dict[str, int]:
        return {"startCount": ctx.state["startCount"], "sleepCount": ctx.state["sleepCount"]}

    @action
    def triggerSleep(self, ctx: ActionContext) -> bool:
        ctx.sleep()
        return True

    @action
    def keepAwakeFor(self, ctx: ActionContext, ms: float) -> bool:
        ctx.keep_awake(asyncio.sleep(ms / 1000))
        return True

    @action
    async def scheduleAfter(self, ctx: ActionContext, ms: float, x: Any) -> bool:
        await ctx.schedule.after(ms / 1000, "alarm", x)
        return True

    @action
    async def scheduleAt(self, ctx: ActionContext, ts: float, x: Any) -> bool:
        await ctx.schedule.at(ts / 1000, "alarm", x)
        return True

    @action
    def alarm(self, ctx: ActionContext, x: Any) -> Any:
        ctx.state["alarms"].append(x)
        return x

    @action
    def getAlarms(self, ctx: ActionContext) -> list[Any]:
        return list(ctx.state["alarms"])


registry = Registry(
    Counter,
    WithInput,
    Guarded,
    Errors,
    Slow,
    Queued,
    Raw,
    Interleaved,
    Stateless,
    Hooks,
    Journal,
    Observer,
    Destroyable,
    Puller,
    Sleepy,
)
