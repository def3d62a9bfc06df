"""``Client`` and its accessors: the entry point, like RivetKit's ``createClient``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from ..protocol.codecs import Encoding, codec_for
from ..protocol.keys import normalize_key
from ..protocol.retry import Backoff, Classifier, classify
from ..transport import HTTPTransport, Transport
from .config import DEFAULT_CONNECT_TIMEOUT, ClientConfig, resolve_config
from .conn import ActorConn
from .context import ClientContext
from .handle import ActorHandle
from .management import Management

__all__ = ["ActorAccessor", "Client", "create_client"]

log = logging.getLogger("actorbind.client")
KeyArg = str | Sequence[str] | None


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError("an actor name is a non-empty str")
    return name


class ActorAccessor:
    """``client.counter``: the handle factories for one actor name."""

    __slots__ = ("_client", "_name")

    def __init__(self, client: Client, name: str) -> None:
        self._client = client
        self._name = name

    def __repr__(self) -> str:
        return f"ActorAccessor({self._name!r})"

    def __call__(self, *args: object, **kwargs: object) -> None:
        # ``client.close()``, ``client.connect()``...: any unknown attribute is an actor name,
        # so say what the call meant instead of "'ActorAccessor' object is not callable".
        raise TypeError(
            f"client.{self._name} is the accessor of actors named {self._name!r} "
            f"(client.{self._name}.get_or_create(key)...), not a method; "
            "to close the client use `await client.aclose()` or `async with create_client(...)`"
        )

    def get(self, key: KeyArg = None, *, params: Any = None) -> ActorHandle:
        """A handle on the existing actor with this name and ``key`` (:meth:`Client.get`)."""
        return self._client.get(self._name, key, params=params)

    def get_or_create(
        self,
        key: KeyArg = None,
        *,
        params: Any = None,
        create_with_input: Any = None,
        create_in_region: str | None = None,
    ) -> ActorHandle:
        """A handle that creates the actor on first use (:meth:`Client.get_or_create`)."""
        return self._client.get_or_create(
            self._name,
            key,
            params=params,
            create_with_input=create_with_input,
            create_in_region=create_in_region,
        )

    def get_for_id(self, actor_id: str, *, params: Any = None) -> ActorHandle:
        """A handle on the actor with this id (:meth:`Client.get_for_id`)."""
        return self._client.get_for_id(self._name, actor_id, params=params)

    async def create(
        self,
        key: KeyArg = None,
        *,
        params: Any = None,
        input: Any = None,
        region: str | None = None,
    ) -> ActorHandle:
        """Create a new actor with this name and ``key``; its handle (:meth:`Client.create`)."""
        return await self._client.create(self._name, key, params=params, input=input, region=region)


class Client:
    """A client for one Rivet endpoint. Make it with :func:`create_client`.

    ``client.counter`` and ``client.get_or_create("counter", ...)`` are the same thing.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        http_transport: HTTPTransport | httpx.AsyncBaseTransport | None = None,
        retry: Classifier = classify,
        backoff: Backoff | None = None,
    ):
        transport = Transport(
            timeout=config.timeout,
            http_transport=http_transport,
            max_response_head_size=config.max_response_head_size,
            max_response_size=config.max_response_size,
        )
        self._ctx = ClientContext(
            initial=config,
            transport=transport,
            management=Management(config, transport),
            codec=codec_for(config.encoding),
            retry=retry,
            backoff=backoff if backoff is not None else Backoff(),
        )

    def __repr__(self) -> str:
        cfg = self._ctx.initial
        return (
            f"Client(endpoint={cfg.endpoint!r}, namespace={cfg.namespace!r}, "
            f"encoding={cfg.encoding!r})"
        )

    def __getattr__(self, name: str) -> ActorAccessor:
        # Private and dunder names are never actors (copy, pickle, mocks and typos probe them).
        if name.startswith("_"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return ActorAccessor(self, name)

    @property
    def config(self) -> ClientConfig:
        """The configuration this client was created with."""
        return self._ctx.initial

    @property
    def connections(self) -> frozenset[ActorConn]:
        """The live connections this client made."""
        return frozenset(self._ctx.conns)

    def get(self, name: str, key: KeyArg = None, *, params: Any = None) -> ActorHandle:
        """A handle to an existing actor (lazy: no I/O until used)."""
        return ActorHandle(
            self._ctx, _check_name(name), normalize_key(key), method="get", params=params
        )

    def get_or_create(
        self,
        name: str,
        key: KeyArg = None,
        *,
        params: Any = None,
        create_with_input: Any = None,
        create_in_region: str | None = None,
    ) -> ActorHandle:
        """A handle that creates the actor on first use if needed (lazy)."""
        return ActorHandle(
            self._ctx,
            _check_name(name),
            normalize_key(key),
            method="getOrCreate",
            params=params,
            input=create_with_input,
            has_input=create_with_input is not None,
            region=create_in_region,
        )

    def get_for_id(self, name: str, actor_id: str, *, params: Any = None) -> ActorHandle:
        """A handle to the actor with this id."""
        if not isinstance(actor_id, str) or not actor_id:
            raise ValueError("an actor id is a non-empty str")
        return ActorHandle(
            self._ctx, _check_name(name), (), method="id", actor_id=actor_id, params=params
        )

    async def create(
        self,
        name: str,
        key: KeyArg = None,
        *,
        params: Any = None,
        input: Any = None,
        region: str | None = None,
    ) -> ActorHandle:
        """Create a new actor now (``DuplicateKey`` if the key is taken); returns its handle."""
        parts = normalize_key(key)
        record = await self._ctx.management.create(
            _check_name(name), parts, input=input, has_input=input is not None, region=region
        )
        return ActorHandle(
            self._ctx, name, parts, method="id", actor_id=record.actor_id, params=params
        )

    async def destroy_actor(self, actor_id: str) -> None:
        """Destroy an actor by id (the management API's ``DELETE /actors/{id}``)."""
        await self._ctx.management.destroy(actor_id)

    async def dispose(self) -> None:
        """Dispose every connection this client made, then close its HTTP pool.

        Later calls on the client, its handles and its connections raise
        :class:`~actorbind.ConnDisposed`.
        """
        if self._ctx.disposed:
            log.warning("client disposed twice")
            return
        conns = list(self._ctx.conns)
        await asyncio.gather(*(conn.dispose() for conn in conns), return_exceptions=True)
        self._ctx.disposed = True
        self._ctx.management.closed = True
        await self._ctx.transport.aclose()

    async def aclose(self) -> None:
        """:meth:`dispose`, under the name httpx users expect; idempotent and quiet."""
        if not self._ctx.disposed:
            await self.dispose()

    @property
    def is_closed(self) -> bool:
        """Whether :meth:`dispose` (or :meth:`aclose`) ran."""
        return self._ctx.disposed

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def create_client(
    endpoint: str | None = None,
    *,
    token: str | None = None,
    namespace: str | None = None,
    encoding: Encoding = "bare",
    headers: Mapping[str, str] | None = None,
    runner: str | None = None,
    disable_metadata_lookup: bool = False,
    timeout: float | None = 90.0,
    max_message_size: int | None = 65536,
    max_incoming_message_size: int | None = 16 * 1024 * 1024,
    max_response_head_size: int = 64 * 1024,
    max_response_size: int = 4 * 1024 * 1024,
    connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
    skip_ready_wait: bool = False,
    http_transport: HTTPTransport | httpx.AsyncBaseTransport | None = None,
    retry: Classifier = classify,
    backoff: Backoff | None = None,
) -> Client:
    """Make a client for a Rivet endpoint (RivetKit engine, or actorbind's embedded server).

    Args:
        endpoint: ``http(s)://[namespace:token@]host[:port][/path]``; defaults to
            ``RIVET_ENGINE``/``RIVET_ENDPOINT`` or ``http://localhost:6420``.
        token: defaults to the URL's password or ``RIVET_TOKEN``.
        namespace: defaults to the URL's user, ``RIVET_NAMESPACE`` or ``"default"``.
        encoding: ``"bare"`` (default, like upstream), ``"cbor"`` or ``"json"``.
        headers: extra headers for HTTP requests (not WebSockets, like upstream).
        runner: the runner pool (``RIVET_POOL`` or ``"default"``).
        disable_metadata_lookup: skip ``GET /metadata`` (its endpoint redirect too).
        timeout: seconds an HTTP call may take in all, connect to the reply's last byte, and
            a WebSocket may take to open (the gateway holds both while it places the actor);
            ``None``: no bound.
        max_message_size: refuse to send an action bigger than this (RivetKit's default
            incoming limit) instead of letting the server drop the socket; ``None`` disables.
        max_incoming_message_size: the largest frame accepted from a server.
        max_response_head_size: the largest HTTP reply head (status line and headers), bytes.
        max_response_size: the largest HTTP reply body, bytes (RivetKit sends at most 1 MiB).
        connect_timeout: seconds an action made on a connection that is not connected waits
            for it before failing with :class:`~actorbind.ConnectTimeout` (the connection
            keeps trying); ``None``: forever.
        skip_ready_wait: RivetKit's ``gateway.skipReadyWait`` for every call (each call can
            override it): the gateway forwards at once instead of waiting for the actor to
            be ready.
        http_transport: what sends the HTTP requests: an
            :class:`actorbind.transport.HTTPTransport` (tests pass
            :class:`actorbind.transport.MockTransport`), or an httpx transport (every request
            then goes through httpx); default: a keep-alive HTTP/1.1 pool, httpx for https.
        retry: which failures are tried again: a function from an exception to a
            :class:`~actorbind.protocol.Retry` verdict; default
            :func:`actorbind.protocol.classify` (its table says why for each error code).
        backoff: how long to wait before trying again (reconnects, and stateless requests
            retried on a lifecycle error); default ``Backoff()``: 0.25 s doubling to 30 s with
            jitter, see :class:`actorbind.protocol.Backoff`.

    Raises:
        ValueError: unknown encoding, malformed endpoint, or a timeout that is not positive.
    """
    config = resolve_config(
        endpoint,
        token=token,
        namespace=namespace,
        encoding=encoding,
        headers=headers,
        runner=runner,
        disable_metadata_lookup=disable_metadata_lookup,
        timeout=timeout,
        max_message_size=max_message_size,
        max_incoming_message_size=max_incoming_message_size,
        max_response_head_size=max_response_head_size,
        max_response_size=max_response_size,
        connect_timeout=connect_timeout,
        skip_ready_wait=skip_ready_wait,
    )
    return Client(config, http_transport=http_transport, retry=retry, backoff=backoff)
