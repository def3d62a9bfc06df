"""The envoy connection: one WebSocket to the engine, kept up, carrying everything.

``/envoys/connect?protocol_version=8&namespace=&envoy_key=&version=&pool_name=``, subprotocols
``rivet`` (+ ``rivet_token.<token>``). Per connection: ``ToRivetMetadata`` first, then the
engine's ``Init`` (thresholds, payload limit), after which queued messages flow and
unacknowledged events are sent again. Pings are answered at once. A dropped connection is
retried with backoff (1 s doubling to 30 s, +0-25 % jitter, reset after 60 s up); after the
engine's lost threshold without it, the local actors are stopped (the engine has moved them).
``ws.eviction`` (another envoy took this key) ends the envoy for good. :meth:`Envoy.drain`
is the graceful stop: ``ToRivetStopping``, wait for the engine to stop every actor, close 1000.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import random
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Subprotocol

from actorbind.protocol.bare import BareError
from actorbind.protocol.gateway import token_protocol
from actorbind.protocol.http import RIVET_PROTOCOL
from actorbind.server.limits import Limits
from actorbind.server.registry import Registry
from actorbind.server.storage import Storage

from . import _envoy_v8 as v8
from .actors import ActorTable
from .host import EngineHost
from .kv import KvClient
from .store import EngineKvStore
from .tunnel import Tunnel

__all__ = ["Envoy", "EnvoyError", "envoy_url"]

log = logging.getLogger("actorbind.runner")

# Close reasons that mean "this configuration will never connect".
_FATAL: Final = ("ws.no_runner_config", "namespace.not_found", "ws.invalid_request")
# Kept across a reconnect; the rest (KV requests, events, pongs) is redone or moot.
_KEEP: Final = (v8.ToRivetTunnelMessage, v8.ToRivetAckCommands)


class EnvoyError(RuntimeError):
    """The engine refused this envoy (bad pool, namespace, version or token), or evicted it."""


def envoy_url(endpoint: str, namespace: str, pool: str, envoy_key: str, version: int) -> str:
    parts = urlsplit(endpoint)
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme, parts.scheme)
    query = urlencode(
        {
            "protocol_version": v8.PROTOCOL_VERSION,
            "namespace": namespace,
            "envoy_key": envoy_key,
            "version": version,
            "pool_name": pool,
        }
    )
    path = parts.path.rstrip("/") + "/envoys/connect"
    return urlunsplit((scheme, parts.netloc, path, query, ""))


def _reason_code(reason: str) -> str:
    return reason.partition("#")[0]


class Envoy:
    """Hosts ``registry``'s actors for the engine at ``endpoint`` (run :meth:`run` as a task)."""

    def __init__(
        self,
        registry: Registry,
        *,
        endpoint: str,
        namespace: str = "default",
        pool: str = "default",
        token: str | None = None,
        version: int = 1,
        envoy_key: str | None = None,
        limits: Limits | None = None,
        kv_timeout: float = 30.0,
        client: Callable[..., Any] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.namespace = namespace
        self.pool = pool
        self._token = token
        self.version = version
        # A fresh key per process: a restarted process reusing one would be sent requests for
        # actors it does not know, which the engine never replays.
        self.envoy_key = envoy_key or str(uuid.uuid4())
        self.registry = registry
        self._out: collections.deque[v8.ToRivet] = collections.deque()
        self._wake = asyncio.Event()
        self.kv = KvClient(self._queue, timeout=kv_timeout)
        self.store = EngineKvStore(self.kv)
        self.host = EngineHost(registry, Storage(":memory:"), limits or Limits(), store=self.store)
        self.actors: ActorTable
        self.tunnel = Tunnel(self.host, lambda actor_id: self.actors.runtime(actor_id), self._queue)
        self.actors = ActorTable(
            self.host, self.store, self.tunnel, self._queue, namespace=namespace, pool=pool
        )
        self.host.find = self.actors.runtime
        self.host.sleep_intent = self.actors.sleep_intent
        self.host.destroy_intent = self.actors.destroy_intent
        if client is not None:
            self.host.client_factory = self._client_factory(client)
            self.host.endpoint = endpoint
        self.metadata: v8.ProtocolMetadata | None = None
        self.ready = asyncio.Event()
        self.ended = asyncio.Event()
        self.error: BaseException | None = None
        self._ws: ClientConnection | None = None
        self._draining = False
        self._done = False
        self._lost_task: asyncio.Task[None] | None = None
        self._writer: asyncio.Task[None] | None = None

    def _client_factory(self, client: Callable[..., Any]) -> Callable[[str], Any]:
        # ctx.client() reaches the other actors through the engine's gateway as this envoy's
        # namespace, with its token, creating them in its pool. A closure, not a partial: a
        # partial's repr would show the token.
        namespace, token, pool = self.namespace, self._token, self.pool

        def make(endpoint: str) -> Any:
            return client(endpoint, namespace=namespace, token=token, runner=pool)

        return make

    def __repr__(self) -> str:  # no token
        return f"Envoy({self.endpoint!r}, namespace={self.namespace!r}, pool={self.pool!r})"

    # --- outgoing ---------------------------------------------------------------------

    def _queue(self, msg: v8.ToRivet) -> None:
        self._out.append(msg)
        self._wake.set()

    async def _write(self, ws: ClientConnection) -> None:
        while True:
            while self._out:
                msg = self._out[0]
                await ws.send(v8.encode_ToRivet(msg))
                self._out.popleft()
            self._wake.clear()
            await self._wake.wait()

    # --- the connection loop ------------------------------------------------------------

    async def run(self) -> None:
        """Connect, serve, reconnect; returns after :meth:`drain` or an eviction."""
        backoff = 1.0
        try:
            while not self._done:
                began = time.monotonic()
                try:
                    await self._session()
                except EnvoyError as exc:
                    self.error = exc
                    if not self.ready.is_set() or "eviction" in str(exc):
                        return
                except (OSError, InvalidHandshake, ConnectionClosed, TimeoutError) as exc:
                    log.warning(
                        "envoy connection to %s lost: %s", self.endpoint, type(exc).__name__
                    )
                finally:
                    self._disconnected()
                if self._done:
                    return
                if time.monotonic() - began > 60:
                    backoff = 1.0
                await asyncio.sleep(backoff * (1 + random.random() / 4))
                backoff = min(backoff * 2, 30.0)
        finally:
            self._done = True
            self.ready.set()  # wake a waiter of a start that will never come
            try:
                await self._shutdown_local()
            finally:
                self.ended.set()

    async def _session(self) -> None:
        url = envoy_url(self.endpoint, self.namespace, self.pool, self.envoy_key, self.version)
        protocols = [Subprotocol(RIVET_PROTOCOL)]
        if self._token:
            protocols.append(Subprotocol(token_protocol(self._token)))
        async with connect(
            url,
            subprotocols=protocols,
            max_size=64 * 1024 * 1024,
            ping_interval=None,  # the engine pings (ToEnvoyPing) and times us out
            compression=None,
            open_timeout=15,
            close_timeout=5,
        ) as ws:
            sock = ws.transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._ws = ws
            await ws.send(v8.encode_ToRivet(self._metadata()))
            try:
                with contextlib.suppress(ConnectionClosed):
                    await self._read(ws)
            finally:
                await self._stop_writer()
            rcvd = ws.close_code, ws.close_reason or ""
        code, reason = rcvd
        what = _reason_code(reason)
        if what == "ws.eviction":
            raise EnvoyError("evicted by the engine (ws.eviction): another envoy uses this key")
        if what in _FATAL:
            raise EnvoyError(f"the engine refused the envoy: {what} (close {code})")
        if not self._done:
            raise ConnectionError(f"closed {code} {what}")

    async def _read(self, ws: ClientConnection) -> None:
        async for frame in ws:
            if isinstance(frame, str):
                continue
            try:
                msg = v8.decode_ToEnvoy(frame)
            except BareError as exc:
                # As the engine does with ours: drop it, keep the connection.
                log.warning("undecodable engine frame dropped: %s", exc)
                continue
            if isinstance(msg, v8.ToEnvoyInit):
                self._on_init(msg)
                if self._writer is None:
                    self._writer = asyncio.get_running_loop().create_task(self._write(ws))
            else:
                self._dispatch(msg)
            if self._writer is not None and self._writer.done():
                self._writer.result()

    async def _stop_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await writer

    def _metadata(self) -> v8.ToRivetMetadata:
        names = {name: v8.ActorName("{}") for name in self.registry.names}
        info = json.dumps({"actorbind": {"protocol": v8.PROTOCOL_VERSION}})
        return v8.ToRivetMetadata(names, info)

    def _on_init(self, msg: v8.ToEnvoyInit) -> None:
        self.metadata = msg.metadata
        self.tunnel.max_payload = msg.metadata.max_response_payload_size
        if self._lost_task is not None:
            self._lost_task.cancel()
            self._lost_task = None
        self.actors.connected = True
        self.actors.resend_events()
        self.ready.set()
        if self._draining:
            self._queue(v8.ToRivetStopping())

    def _dispatch(self, msg: v8.ToEnvoy) -> None:
        if isinstance(msg, v8.ToEnvoyPing):
            self._out.appendleft(v8.ToRivetPong(msg.ts))
            self._wake.set()
        elif isinstance(msg, v8.ToEnvoyTunnelMessage):
            self.tunnel.handle(msg)
        elif isinstance(msg, v8.ToEnvoyKvResponse):
            self.kv.resolve(msg)
        elif isinstance(msg, v8.ToEnvoyCommands):
            self.actors.handle(msg.value)
        elif isinstance(msg, v8.ToEnvoyAckEvents):
            self.actors.ack_events(msg.last_event_checkpoints)
        # SQLite responses: this envoy sends no SQLite requests.

    def _disconnected(self) -> None:
        self._ws = None
        self.actors.connected = False
        self.kv.fail_all("the envoy connection was lost")
        kept = [m for m in self._out if isinstance(m, _KEEP)]
        self._out.clear()
        self._out.extend(kept)
        if self.metadata is not None and self._lost_task is None and not self._done:
            threshold = self.metadata.envoy_lost_threshold / 1000
            self._lost_task = asyncio.get_running_loop().create_task(self._lost_after(threshold))

    async def _lost_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        log.warning("envoy lost for %.1f s: stopping local actors", seconds)
        await self.actors.lost()

    # --- stopping ---------------------------------------------------------------------

    async def drain(self, timeout: float = 30.0) -> None:
        """Graceful stop: the engine moves every actor away, then the socket closes 1000."""
        if self._done:
            return
        self._draining = True
        if self.actors.connected:
            self._queue(v8.ToRivetStopping())
        deadline = time.monotonic() + timeout
        while self.actors.count and time.monotonic() < deadline and self.actors.connected:
            self.actors.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.actors.changed.wait(), deadline - time.monotonic())
        # Let the last Stopped events and acks go out before closing.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._flushed(), max(0.0, deadline - time.monotonic()) + 1)
        await self.close()

    async def _flushed(self) -> None:
        while self._out and self.actors.connected:
            await asyncio.sleep(0.01)

    async def close(self) -> None:
        """Stop at once (no drain): close the socket; the engine reschedules the actors."""
        self._done = True
        ws = self._ws
        if ws is not None:
            await ws.close(1000, "envoy.shutdown")

    async def _shutdown_local(self) -> None:
        if self._lost_task is not None:
            self._lost_task.cancel()
        for actor_id in list(self.host.runtimes):
            await self.actors.stop_local(actor_id, "actor.stopped")
        await self.host.shutdown()
        self.host.storage.close()
