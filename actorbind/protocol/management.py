"""The engine's management API, sans-I/O: every call built and read on both sides.

The client and the runner build requests (:class:`ApiRequest`) and read replies; the embedded
server reads requests and builds replies, with the functions below (tested in pairs and
against RivetKit 2.3.19's captures). Always JSON, ``?namespace=`` on every call:

- ``GET /metadata`` -> ``{runtime, version, ..., clientEndpoint?, clientNamespace?, clientToken?}``
- ``GET /actors?actor_ids=ID`` or ``?name=N[&key=K]`` -> ``{actors: [Actor], pagination}``
- ``PUT /actors`` (get or create) -> ``{actor, created}``; ``POST /actors`` -> ``{actor}``, with
  the body ``{name, key, runner_name_selector, crash_policy, input?, datacenter?}``
- ``DELETE /actors/{id}`` -> ``{}``
- ``GET /datacenters`` -> ``{datacenters: [{name}]}``; ``PUT /runner-configs/{pool}``

``key`` is the serialized key (:func:`~actorbind.protocol.keys.serialize_key`); ``input`` is
padded standard base64 of compat CBOR (unlike the gateway's unpadded base64url).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote, urlencode

import cbor2

from .errors import MalformedMessage
from .gateway import _cbor_input
from .keys import ActorKey, deserialize_key, serialize_key

__all__ = [
    "DEFAULT_DATACENTER",
    "DEFAULT_NAMESPACE",
    "ActorRecord",
    "ApiRequest",
    "BadApiRequest",
    "CreateRequest",
    "ListQuery",
    "Metadata",
    "actor_by_id_request",
    "actor_by_key_request",
    "actor_list_reply",
    "actor_object",
    "create_actor_request",
    "create_reply",
    "datacenters_request",
    "destroy_actor_request",
    "encode_input_rest",
    "get_or_create_reply",
    "metadata_reply",
    "metadata_request",
    "read_actor_list",
    "read_create_body",
    "read_create_reply",
    "read_datacenters",
    "read_get_or_create_reply",
    "read_list_query",
    "read_metadata",
    "read_namespace",
    "runner_config_request",
]

DEFAULT_NAMESPACE: Final = "default"
DEFAULT_DATACENTER: Final = "default"


def encode_input_rest(value: Any) -> str:
    """``input`` for ``PUT/POST /actors``: padded standard base64 of compat CBOR."""
    return base64.b64encode(_cbor_input(value)).decode("ascii")


# --- requests (client and runner build them, the server reads them) ----------------------


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One management call: ``method``, ``path``, its query and a JSON ``body`` (``None``:
    no body). ``what`` names the call in error messages."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: Any = None
    what: str = ""

    def url(self, endpoint: str) -> str:
        """The full URL on ``endpoint`` (no trailing ``/``)."""
        return f"{endpoint}{self.path}?{urlencode(self.query)}"


def _request(
    method: str, path: str, namespace: str, what: str, *params: tuple[str, str], body: Any = None
) -> ApiRequest:
    # The namespace goes last, as RivetKit's client writes it.
    return ApiRequest(method, path, (*params, ("namespace", namespace)), body, what)


def metadata_request(namespace: str) -> ApiRequest:
    return _request("GET", "/metadata", namespace, "metadata lookup")


def actor_by_id_request(actor_id: str, namespace: str) -> ApiRequest:
    return _request("GET", "/actors", namespace, "get actor", ("actor_ids", actor_id))


def actor_by_key_request(name: str, key: ActorKey, namespace: str) -> ApiRequest:
    params = (("name", name), ("key", serialize_key(key)))
    return _request("GET", "/actors", namespace, "get actor", *params)


def create_actor_request(
    name: str,
    key: ActorKey,
    *,
    namespace: str,
    runner: str,
    input: Any = None,
    has_input: bool = False,
    region: str | None = None,
    get_or_create: bool = False,
) -> ApiRequest:
    """``PUT /actors`` (``get_or_create``) or ``POST /actors``."""
    body: dict[str, Any] = {
        "name": name,
        "key": serialize_key(key),
        "runner_name_selector": runner,
        "crash_policy": "sleep",
    }
    if has_input:
        body["input"] = encode_input_rest(input)
    if region is not None:
        body["datacenter"] = region
    if get_or_create:
        return _request("PUT", "/actors", namespace, "get or create actor", body=body)
    return _request("POST", "/actors", namespace, "create actor", body=body)


def destroy_actor_request(actor_id: str, namespace: str) -> ApiRequest:
    return _request("DELETE", f"/actors/{quote(actor_id, safe='')}", namespace, "destroy actor")


def datacenters_request(namespace: str) -> ApiRequest:
    return _request("GET", "/datacenters", namespace, "list datacenters")


def runner_config_request(pool: str, datacenter: str, namespace: str) -> ApiRequest:
    """A ``normal`` runner config for ``pool`` in ``datacenter`` (what RivetKit sets locally)."""
    body = {"datacenters": {datacenter: {"normal": {}, "drain_on_version_upgrade": True}}}
    path = f"/runner-configs/{quote(pool, safe='')}"
    return _request("PUT", path, namespace, "set runner config", body=body)


class BadApiRequest(ValueError):
    """A request the API refuses with ``400 api.bad_request``; the message is public."""


def read_namespace(query: Mapping[str, str]) -> str:
    return query.get("namespace") or DEFAULT_NAMESPACE


@dataclass(frozen=True, slots=True)
class ListQuery:
    """``GET /actors``: by ids, or by name (and key; ``key is None``: every key)."""

    actor_ids: tuple[str, ...] = ()
    name: str | None = None
    key: ActorKey | None = None


def read_list_query(query: Mapping[str, str]) -> ListQuery:
    """Raises: BadApiRequest: neither ids nor a name, or a key that does not deserialize."""
    if query.get("actor_ids"):
        return ListQuery(actor_ids=tuple(i.strip() for i in query["actor_ids"].split(",")))
    name = query.get("name")
    if not name:
        raise BadApiRequest("either `actor_ids` or `name` is required")
    if "key" not in query:
        return ListQuery(name=name)
    try:
        return ListQuery(name=name, key=deserialize_key(query["key"]))
    except ValueError:
        raise BadApiRequest("invalid key") from None


@dataclass(frozen=True, slots=True)
class CreateRequest:
    """A ``PUT/POST /actors`` body: ``input`` is the raw CBOR; ``None`` fields were not sent."""

    name: str
    key: ActorKey = ()
    input: bytes | None = None
    runner: str | None = None
    crash_policy: str | None = None
    datacenter: str | None = None


def read_create_body(body: Any, too_deep: Callable[[Any], bool] | None = None) -> CreateRequest:
    """The body of ``PUT/POST /actors`` (already JSON-decoded).

    ``too_deep`` refuses a decoded ``input`` (the server's nesting limit).

    Raises:
        BadApiRequest: no ``name``, a ``key`` that is not a string, or an ``input`` that is
            not base64 CBOR.
    """
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
        raise BadApiRequest("`name` is required")
    raw_key = body.get("key")
    if raw_key is not None and not isinstance(raw_key, str):
        raise BadApiRequest("`key` must be a string")
    input_: bytes | None = None
    if body.get("input") is not None:
        try:
            input_ = base64.b64decode(body["input"], validate=True)
            decoded = cbor2.loads(input_)
            if too_deep is not None and too_deep(decoded):
                raise ValueError("too deep")
        except (binascii.Error, ValueError, TypeError, RecursionError, cbor2.CBORDecodeError):
            raise BadApiRequest("`input` is not base64-encoded CBOR") from None

    def text(name: str) -> str | None:
        value = body.get(name)
        return value if isinstance(value, str) else None

    return CreateRequest(
        body["name"],
        deserialize_key(raw_key) if raw_key else (),
        input_,
        text("runner_name_selector"),
        text("crash_policy"),
        text("datacenter"),
    )


# --- replies (the server builds them, the client reads them) -----------------------------


def actor_object(
    *,
    actor_id: str,
    name: str,
    key: ActorKey,
    namespace: str,
    datacenter: str,
    runner: str,
    crash_policy: str,
    create_ts: int,
    start_ts: int | None,
    connectable_ts: int | None,
    sleep_ts: int | None,
    destroy_ts: int | None,
) -> dict[str, Any]:
    """An ``Actor`` as the engine writes it (timestamps in milliseconds)."""
    return {
        "actor_id": actor_id,
        "name": name,
        "key": serialize_key(key),
        "namespace_id": namespace,
        "datacenter": datacenter,
        "runner_name_selector": runner,
        "crash_policy": crash_policy,
        "create_ts": create_ts,
        "start_ts": start_ts,
        "pending_allocation_ts": None,
        "connectable_ts": connectable_ts,
        "sleep_ts": sleep_ts,
        "reschedule_ts": None,
        "destroy_ts": destroy_ts,
    }


def actor_list_reply(actors: list[dict[str, Any]], cursor: str | None = None) -> dict[str, Any]:
    return {"actors": actors, "pagination": {"cursor": cursor}}


def get_or_create_reply(actor: dict[str, Any], created: bool) -> dict[str, Any]:
    return {"actor": actor, "created": created}


def create_reply(actor: dict[str, Any]) -> dict[str, Any]:
    return {"actor": actor}


@dataclass(frozen=True, slots=True)
class ActorRecord:
    """What the management API says about one actor (``raw``: the whole object)."""

    actor_id: str
    name: str
    key: str
    raw: dict[str, Any]

    @classmethod
    def parse(cls, obj: Any) -> ActorRecord:
        """Raises: MalformedMessage: not an actor object."""
        if not isinstance(obj, dict) or not isinstance(obj.get("actor_id"), str):
            raise MalformedMessage("the management API returned a malformed actor")
        return cls(obj["actor_id"], str(obj.get("name", "")), str(obj.get("key", "")), obj)


def read_actor_list(reply: Any) -> list[ActorRecord]:
    """Raises: MalformedMessage: not an actor list."""
    if not isinstance(reply, dict) or not isinstance(reply.get("actors"), list):
        raise MalformedMessage("the management API returned a malformed actor list")
    return [ActorRecord.parse(actor) for actor in reply["actors"]]


def read_get_or_create_reply(reply: Any) -> tuple[ActorRecord, bool]:
    """Raises: MalformedMessage: not a ``{actor, created}`` object."""
    if not isinstance(reply, dict):
        raise MalformedMessage("get or create actor: malformed reply")
    return ActorRecord.parse(reply.get("actor")), bool(reply.get("created"))


def read_create_reply(reply: Any) -> ActorRecord:
    """Raises: MalformedMessage: not a ``{actor}`` object."""
    if not isinstance(reply, dict):
        raise MalformedMessage("create actor: malformed reply")
    return ActorRecord.parse(reply.get("actor"))


@dataclass(frozen=True, slots=True)
class Metadata:
    """What ``/metadata`` redirects a client to (``None``: keep its own); the token is a
    secret: no ``repr``."""

    client_endpoint: str | None = None
    client_namespace: str | None = None
    client_token: str | None = field(default=None, repr=False)


def metadata_reply(version: str, redirect: Metadata | None = None, **extra: Any) -> dict[str, Any]:
    """``/metadata`` as the engine writes it (``runtime: engine``), with ``extra`` fields and,
    if given, the client redirect (``clientEndpoint``, ``clientNamespace``, ``clientToken``)."""
    reply: dict[str, Any] = {"runtime": "engine", "version": version, **extra}
    if redirect is not None:
        for name, value in (
            ("clientEndpoint", redirect.client_endpoint),
            ("clientNamespace", redirect.client_namespace),
            ("clientToken", redirect.client_token),
        ):
            if value is not None:
                reply[name] = value
    return reply


def read_metadata(reply: Any) -> Metadata:
    """Raises: MalformedMessage: not a JSON object."""
    if not isinstance(reply, dict):
        raise MalformedMessage("metadata lookup: the reply is not a JSON object")
    endpoint = reply.get("clientEndpoint")
    return Metadata(
        endpoint if isinstance(endpoint, str) else None,
        _opt_str(reply.get("clientNamespace")),
        _opt_str(reply.get("clientToken")),
    )


def read_datacenters(reply: Any) -> list[str]:
    """The datacenter names (``["default"]`` when the engine lists none).

    Raises:
        MalformedMessage: not a ``{datacenters: [{name}]}`` object.
    """
    if not isinstance(reply, dict):
        raise MalformedMessage("list datacenters: malformed reply")
    listed = reply.get("datacenters")
    if not listed:
        return [DEFAULT_DATACENTER]
    if not isinstance(listed, list) or not all(
        isinstance(dc, dict) and isinstance(dc.get("name"), str) for dc in listed
    ):
        raise MalformedMessage("list datacenters: malformed reply")
    return [str(dc["name"]) for dc in listed]


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
