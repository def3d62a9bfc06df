"""Endpoint parsing and gateway URL building (no I/O); the ``rvt-*`` query is :mod:`.gateway`'s."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from .gateway import (
    MAX_INPUT_SIZE,
    IdTarget,
    QueryTarget,
    encode_input_query,
    gateway_query,
    target_headers,
    target_protocols,
)
from .management import encode_input_rest

__all__ = [
    "MAX_INPUT_SIZE",
    "SKIP_READY_WAIT_HEADER",
    "SKIP_READY_WAIT_PROTOCOL",
    "Endpoint",
    "GatewayRoute",
    "IdTarget",
    "QueryTarget",
    "encode_input_query",
    "encode_input_rest",
    "gateway_route",
    "gateway_url",
    "parse_endpoint",
    "to_websocket_url",
]

SKIP_READY_WAIT_HEADER = "x-rivet-skip-ready-wait"
"""HTTP header (value ``"1"``) asking the gateway not to wait for the actor to be ready."""
SKIP_READY_WAIT_PROTOCOL = "rivet_skip_ready_wait"
"""The WebSocket subprotocol form of :data:`SKIP_READY_WAIT_HEADER`."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the engine is, and the namespace/token that URL auth syntax may carry."""

    base: str
    namespace: str | None = None
    token: str | None = field(default=None, repr=False)


def parse_endpoint(url: str) -> Endpoint:
    """Parse ``http(s)://[namespace:token@]host[:port][/base/path]``.

    Raises:
        ValueError: not an http(s) URL, no host, a query or fragment, or a token without a
            namespace. The message never repeats the token.
    """
    if not isinstance(url, str) or not url:
        raise ValueError("endpoint must be a non-empty http(s) URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("endpoint is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("endpoint must start with http:// or https://")
    if not parts.hostname:
        raise ValueError("endpoint has no host")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise ValueError("endpoint must not have a query string or fragment")
    namespace = parts.username or None
    token = parts.password or None
    if token and not namespace:
        raise ValueError("endpoint has a token but no namespace (use http://namespace:token@host)")
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    base = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    return Endpoint(
        base=base,
        namespace=unquote(namespace) if namespace else None,
        token=unquote(token) if token else None,
    )


def gateway_url(
    endpoint: str,
    target: QueryTarget | IdTarget,
    path: str,
    *,
    namespace: str,
    token: str | None = None,
    skip_ready_wait: bool = False,
) -> str:
    """The gateway URL of ``path`` (``/action/x``, ``/connect``, ...) on an actor.

    A ``#fragment`` in ``path`` is dropped (a fragment never reaches a server, and the gateway's
    ``rvt-*`` query must not end up inside it); the path's own ``?query`` is kept, before the
    ``rvt-*`` params. ``skip_ready_wait`` adds ``rvt-skip-ready-wait=true`` to query URLs (an id
    URL carries it in a header or subprotocol instead, see :data:`SKIP_READY_WAIT_HEADER`).

    Raises:
        ValueError: the query target cannot be expressed as a query URL (see
            :func:`~actorbind.protocol.keys.query_key`) or its input is over 4096 bytes; address
            it by id instead.
    """
    path = path.partition("#")[0]
    if path and not path.startswith("/"):
        path = "/" + path
    path, _, own_query = path.partition("?")
    if isinstance(target, IdTarget):
        segment = quote(target.actor_id, safe="")
        if token:
            segment += "@" + quote(token, safe="")
        url = f"{endpoint}/gateway/{segment}{path}"
        return f"{url}?{own_query}" if own_query else url

    query = gateway_query(target, namespace=namespace, token=token, skip_ready_wait=skip_ready_wait)
    if own_query:
        query = own_query + "&" + query
    return f"{endpoint}/gateway/{quote(target.name, safe='')}{path}?{query}"


@dataclass(frozen=True, slots=True)
class GatewayRoute:
    """Where a gateway request goes: its URL plus the headers (HTTP) or subprotocols
    (WebSocket) that complete the address. ``repr`` hides both: they may carry the token."""

    url: str
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    subprotocols: list[str] = field(default_factory=list, repr=False)


def _is_direct_path(path: str) -> bool:
    # RivetKit's canUseDirectSkipReadyWaitPath: raw requests, /connect and raw sockets.
    for base in ("/request", "/connect", "/websocket"):
        rest = path[len(base) :]
        if path.startswith(base) and (not rest or rest[0] in "/?"):
            return True
    return False


def gateway_route(
    endpoint: str,
    target: QueryTarget | IdTarget,
    path: str,
    *,
    namespace: str,
    token: str | None = None,
    skip_ready_wait: bool = False,
) -> GatewayRoute:
    """The route of ``path`` on an actor, with RivetKit's ``skipReadyWait`` rules.

    Without ``skip_ready_wait`` it is :func:`gateway_url` alone. With it, a query URL gets
    ``rvt-skip-ready-wait=true``, and every request the header ``x-rivet-skip-ready-wait: 1``
    (a socket: the ``rivet_skip_ready_wait`` subprotocol). An actor id is named in headers
    (``x-rivet-target: actor``, ``x-rivet-actor``) or subprotocols (``rivet_target.actor``,
    ``rivet_actor.{id}``, ``rivet_token.{token}``), and ``/request``, ``/connect`` and
    ``/websocket`` paths then go to ``{endpoint}{path}`` without the ``/gateway`` prefix.

    Raises:
        ValueError: as :func:`gateway_url`.
    """
    if not skip_ready_wait:
        return GatewayRoute(gateway_url(endpoint, target, path, namespace=namespace, token=token))
    headers = {SKIP_READY_WAIT_HEADER: "1"}
    protocols: list[str] = []
    if isinstance(target, IdTarget):
        headers.update(target_headers(target.actor_id))
        protocols += target_protocols(target.actor_id, token)
    protocols.append(SKIP_READY_WAIT_PROTOCOL)
    own = path.partition("#")[0]
    own = own if own.startswith("/") else "/" + own
    if isinstance(target, IdTarget) and _is_direct_path(own):
        url = endpoint + own
    else:
        url = gateway_url(
            endpoint, target, path, namespace=namespace, token=token, skip_ready_wait=True
        )
    return GatewayRoute(url, headers, protocols)


def to_websocket_url(url: str) -> str:
    """``http(s)://`` -> ``ws(s)://``."""
    if url.startswith("https://"):
        return "wss://" + url[len("https://") :]
    if url.startswith("http://"):
        return "ws://" + url[len("http://") :]
    return url
