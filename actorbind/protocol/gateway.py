"""The gateway's query address, built (client) and parsed (server) in one place.

A query URL names an actor by name and key: ``/gateway/{name}{path}?{own query}&rvt-*``. The
``rvt-*`` params are the Rivet Engine guard's (``deny_unknown_fields``): ``namespace``,
``method`` (``get`` / ``getOrCreate``), ``key`` (parts joined by ``,``), and for
``getOrCreate`` ``runner`` (or ``pool``), ``input`` (unpadded base64url of compat CBOR),
``region`` and ``crash-policy``; ``token`` and ``skip-ready-wait`` with either. An id URL,
``/gateway/{id}[@token]{path}``, carries no ``rvt-*`` params.

A request may also name its actor outside the path (the engine's header routing, used by
``skipReadyWait`` with a known id): HTTP headers ``x-rivet-target: actor`` and
``x-rivet-actor: {id}``, or WebSocket subprotocols ``rivet_target.actor`` and
``rivet_actor.{id}``; a socket's token travels as ``rivet_token.{token}``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, unquote, urlencode

import cbor2

from .keys import ActorKey, query_key
from .values import to_compat

__all__ = [
    "ACTOR_HEADER",
    "ACTOR_PROTOCOL",
    "GATEWAY_PREFIX",
    "MAX_INPUT_SIZE",
    "QUERY_FIELDS",
    "TARGET_HEADER",
    "TARGET_PROTOCOL",
    "TOKEN_PROTOCOL",
    "GatewayAddress",
    "GatewayQueryError",
    "IdTarget",
    "QueryTarget",
    "RoutedTarget",
    "encode_input_query",
    "gateway_query",
    "parse_gateway_address",
    "read_target_headers",
    "read_target_protocols",
    "read_token_protocols",
    "target_headers",
    "target_protocols",
    "token_protocol",
]

GATEWAY_PREFIX: Final = "/gateway/"
MAX_INPUT_SIZE = 4096
QUERY_FIELDS: Final = (
    "namespace",
    "method",
    "runner",
    "pool",
    "key",
    "input",
    "region",
    "crash-policy",
    "token",
    "skip-ready-wait",
)
_CREATE_ONLY: Final = ("runner", "pool", "input", "region", "crash-policy")


@dataclass(frozen=True, slots=True)
class QueryTarget:
    """An actor addressed by name and key; the gateway resolves (or creates) it."""

    name: str
    key: ActorKey
    method: Literal["get", "getOrCreate"]
    input: Any = None
    has_input: bool = False
    region: str | None = None
    runner: str = "default"


@dataclass(frozen=True, slots=True)
class IdTarget:
    """An actor addressed by id."""

    actor_id: str


def _cbor_input(value: Any) -> bytes:
    return bytes(cbor2.dumps(to_compat(value)))


def encode_input_query(value: Any) -> str | None:
    """``rvt-input``: unpadded base64url of compat CBOR, or ``None`` if over 4096 bytes."""
    raw = _cbor_input(value)
    if len(raw) > MAX_INPUT_SIZE:
        return None
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def gateway_query(
    target: QueryTarget, *, namespace: str, token: str | None = None, skip_ready_wait: bool = False
) -> str:
    """The ``rvt-*`` query string of a query target.

    Raises:
        ValueError: the key cannot travel in ``rvt-key`` (see
            :func:`~actorbind.protocol.keys.query_key`) or the input is over 4096 bytes.
    """
    params: list[tuple[str, str]] = [("rvt-namespace", namespace), ("rvt-method", target.method)]
    if target.method == "getOrCreate":
        params.append(("rvt-runner", target.runner))
    if target.key:
        key = query_key(target.key)
        if key is None:
            raise ValueError("this key cannot travel in rvt-key; resolve the actor id first")
        params.append(("rvt-key", key))
    if target.method == "getOrCreate":
        if target.has_input:
            encoded = encode_input_query(target.input)
            if encoded is None:
                raise ValueError("input is over 4096 bytes; resolve the actor id first")
            params.append(("rvt-input", encoded))
        if target.region is not None:
            params.append(("rvt-region", target.region))
        params.append(("rvt-crash-policy", "sleep"))
    if token:
        params.append(("rvt-token", token))
    if skip_ready_wait:
        params.append(("rvt-skip-ready-wait", "true"))
    return urlencode(params)


class GatewayQueryError(ValueError):
    """A gateway path or query the guard refuses. ``no_route``: no target segment (404);
    otherwise ``detail`` is the guard's ``query_invalid_params`` detail (400)."""

    def __init__(self, detail: str, *, no_route: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.no_route = no_route


@dataclass(frozen=True, slots=True)
class GatewayAddress:
    """A parsed gateway path: the target, and the path/query the actor sees.

    ``actor_id`` is set for an id URL; ``name`` and the rest for a query URL. ``input`` is
    the raw CBOR of ``rvt-input`` (checked to decode). ``token`` is a secret: no ``repr``.
    """

    path: str
    query: str
    actor_id: str | None = None
    name: str | None = None
    method: str | None = None
    namespace: str = "default"
    key: ActorKey = ()
    input: bytes | None = None
    runner: str = "default"
    region: str | None = None
    crash_policy: str = "sleep"
    token: str | None = field(default=None, repr=False)
    skip_ready_wait: bool = False


def parse_gateway_address(
    raw_path: str, query_string: str, too_deep: Callable[[Any], bool] | None = None
) -> GatewayAddress:
    """Parse a gateway path (still percent-encoded) and its query string, as the guard does;
    ``too_deep`` refuses a decoded ``rvt-input`` (the server's nesting limit).

    Raises:
        GatewayQueryError: no target segment, or ``rvt-*`` params the guard refuses.
    """
    rest = raw_path[len(GATEWAY_PREFIX) :] if raw_path.startswith(GATEWAY_PREFIX) else ""
    segment, slash, tail = rest.partition("/")
    path = "/" + tail if slash else "/"
    if not segment:
        raise GatewayQueryError("no route", no_route=True)
    pairs = parse_qsl(query_string, keep_blank_values=True)
    rvt = [(k, v) for k, v in pairs if k.startswith("rvt-")]
    if not rvt:
        actor_id = unquote(segment.partition("@")[0])
        return GatewayAddress(path=path, query=query_string, actor_id=actor_id)

    params: dict[str, str] = {}
    for k, v in rvt:
        name = k[len("rvt-") :]
        if name not in QUERY_FIELDS:
            expected = ", ".join(f"`{f}`" for f in QUERY_FIELDS)
            raise GatewayQueryError(f"unknown field `{name}`, expected one of {expected}")
        if name in params:
            raise GatewayQueryError(f"duplicate field `{name}`")
        params[name] = v
    for required in ("namespace", "method"):
        if required not in params:
            raise GatewayQueryError(f"missing field `{required}`")
    method = params["method"]
    if method not in ("get", "getOrCreate"):
        raise GatewayQueryError(f"unknown variant `{method}`, expected `get` or `getOrCreate`")
    if method == "get":
        for name in _CREATE_ONLY:
            if name in params:
                raise GatewayQueryError(f"`{name}` is not allowed with method `get`")
    elif "runner" not in params and "pool" not in params:
        raise GatewayQueryError("missing field `runner`")
    raw_key = params.get("key")
    key: ActorKey = tuple(raw_key.split(",")) if raw_key else ()
    input_: bytes | None = None
    if "input" in params:
        try:
            text = params["input"]
            input_ = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            decoded = cbor2.loads(input_)
            if too_deep is not None and too_deep(decoded):
                raise ValueError("too deep")
        except (binascii.Error, ValueError, RecursionError, cbor2.CBORDecodeError):
            raise GatewayQueryError("`input` is not base64url-encoded CBOR") from None
    return GatewayAddress(
        path=path,
        query=urlencode([(k, v) for k, v in pairs if not k.startswith("rvt-")]),
        name=unquote(segment),
        method=method,
        namespace=params["namespace"],
        key=key,
        input=input_,
        runner=params.get("runner") or params.get("pool") or "default",
        region=params.get("region"),
        crash_policy=params.get("crash-policy", "sleep"),
        token=params.get("token"),
        skip_ready_wait=params.get("skip-ready-wait") == "true",
    )


# --- header and subprotocol routing -------------------------------------------------------

TARGET_HEADER: Final = "x-rivet-target"
ACTOR_HEADER: Final = "x-rivet-actor"
TARGET_PROTOCOL: Final = "rivet_target."
ACTOR_PROTOCOL: Final = "rivet_actor."
TOKEN_PROTOCOL: Final = "rivet_token."
_ACTOR_TARGET: Final = "actor"


@dataclass(frozen=True, slots=True)
class RoutedTarget:
    """What a request names outside its path: ``target`` (only ``"actor"`` reaches an
    actor) and the actor id (``None``: the request named none)."""

    target: str
    actor_id: str | None = None

    @property
    def is_actor(self) -> bool:
        return self.target == _ACTOR_TARGET


def target_headers(actor_id: str) -> dict[str, str]:
    """The HTTP headers that route a request to the actor ``actor_id``."""
    return {TARGET_HEADER: _ACTOR_TARGET, ACTOR_HEADER: actor_id}


def target_protocols(actor_id: str, token: str | None = None) -> list[str]:
    """The WebSocket subprotocols that route a socket to ``actor_id`` (and carry ``token``)."""
    protocols = [TARGET_PROTOCOL + _ACTOR_TARGET, ACTOR_PROTOCOL + actor_id]
    if token:
        protocols.append(token_protocol(token))
    return protocols


def token_protocol(token: str) -> str:
    """The ``rivet_token.{token}`` subprotocol (the token as it is, as RivetKit sends it)."""
    return TOKEN_PROTOCOL + token


def read_target_headers(headers: Iterable[tuple[str, str]]) -> RoutedTarget | None:
    """The target that HTTP ``headers`` (names in any case) name; ``None``: no header routing."""
    target: str | None = None
    actor_id: str | None = None
    for name, value in headers:
        lowered = name.lower()
        if lowered == TARGET_HEADER:
            target = value
        elif lowered == ACTOR_HEADER:
            actor_id = value
    return None if target is None else RoutedTarget(target, actor_id or None)


def read_target_protocols(offered: Iterable[str]) -> RoutedTarget | None:
    """The target that a socket's offered subprotocols name; ``None``: no routing by them."""
    target: str | None = None
    actor_id: str | None = None
    for proto in offered:
        if proto.startswith(TARGET_PROTOCOL):
            target = proto[len(TARGET_PROTOCOL) :]
        elif proto.startswith(ACTOR_PROTOCOL):
            actor_id = unquote(proto[len(ACTOR_PROTOCOL) :])
    return None if target is None else RoutedTarget(target, actor_id or None)


def read_token_protocols(offered: Iterable[str]) -> Iterator[str]:
    """Every token a socket's offered subprotocols carry (a secret: never log them)."""
    for proto in offered:
        if proto.startswith(TOKEN_PROTOCOL):
            yield unquote(proto[len(TOKEN_PROTOCOL) :])
