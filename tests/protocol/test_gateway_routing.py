"""Header and subprotocol routing in pairs: what the client builds (``gateway_route``, through
``target_headers`` / ``target_protocols``) the server reads back (``read_target_headers`` /
``read_target_protocols``, and ``server.gateway.header_target`` on an ASGI scope)."""

from __future__ import annotations

from typing import Any

import pytest

from actorbind.protocol.gateway import (
    ACTOR_HEADER,
    TARGET_HEADER,
    IdTarget,
    QueryTarget,
    RoutedTarget,
    read_target_headers,
    read_target_protocols,
    read_token_protocols,
    target_headers,
    target_protocols,
    token_protocol,
)
from actorbind.protocol.urls import gateway_route
from actorbind.server.errors import RivetError
from actorbind.server.gateway import header_target, scope_target

ENDPOINT = "http://127.0.0.1:6420"
IDS = ["lbi18hrxpf48jggx3f2rxq9oy6dl00", "a-b_c.d~e"]


def _http_scope(headers: dict[str, str], path: str = "/request/x", query: str = "") -> Any:
    return {
        "type": "http",
        "path": path,
        "query_string": query.encode("latin-1"),
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
    }


def _ws_scope(protocols: list[str], path: str = "/connect") -> Any:
    return {
        "type": "websocket",
        "path": path,
        "query_string": b"",
        "headers": [],
        "subprotocols": protocols,
    }


@pytest.mark.parametrize("actor_id", IDS)
@pytest.mark.parametrize("token", [None, "tok3n-x"])
def test_route_by_id_round_trip(actor_id: str, token: str | None) -> None:
    route = gateway_route(
        ENDPOINT,
        IdTarget(actor_id),
        "/request/a?b=1",
        namespace="ns",
        token=token,
        skip_ready_wait=True,
    )
    assert read_target_headers(route.headers.items()) == RoutedTarget("actor", actor_id)
    assert read_target_protocols(route.subprotocols) == RoutedTarget("actor", actor_id)
    assert list(read_token_protocols(route.subprotocols)) == ([token] if token else [])

    routed = header_target(_http_scope(route.headers, "/request/a", "b=1"), "/request/a")
    assert routed is not None
    assert (routed.actor_id, routed.path, routed.query) == (actor_id, "/request/a", "b=1")
    ws = header_target(_ws_scope(route.subprotocols), "/connect")
    assert ws is not None and ws.actor_id == actor_id


def test_query_targets_and_plain_routes_name_no_header_target() -> None:
    query = gateway_route(
        ENDPOINT,
        QueryTarget("counter", ("k",), "get"),
        "/connect",
        namespace="ns",
        skip_ready_wait=True,
    )
    plain = gateway_route(ENDPOINT, IdTarget("abc"), "/connect", namespace="ns")
    for route in (query, plain):
        assert read_target_headers(route.headers.items()) is None
        assert read_target_protocols(route.subprotocols) is None
        assert scope_target(_http_scope(route.headers)) is None
        assert scope_target(_ws_scope(route.subprotocols)) is None


def test_builders_are_the_wire_names() -> None:
    # RivetKit 2.3.19 (reference §1.4 (c)): these exact names and values.
    assert target_headers("ID") == {"x-rivet-target": "actor", "x-rivet-actor": "ID"}
    assert target_protocols("ID", "T") == ["rivet_target.actor", "rivet_actor.ID", "rivet_token.T"]
    assert target_protocols("ID") == ["rivet_target.actor", "rivet_actor.ID"]
    assert token_protocol("T") == "rivet_token.T"


def test_header_names_in_any_case() -> None:
    headers = [("X-Rivet-Target", "actor"), ("X-RIVET-ACTOR", "id1")]
    assert read_target_headers(headers) == RoutedTarget("actor", "id1")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({TARGET_HEADER: "actor"}, RoutedTarget("actor", None)),
        ({TARGET_HEADER: "actor", ACTOR_HEADER: ""}, RoutedTarget("actor", None)),
        ({TARGET_HEADER: "elsewhere", ACTOR_HEADER: "x"}, RoutedTarget("elsewhere", "x")),
        ({ACTOR_HEADER: "x"}, None),
    ],
)
def test_incomplete_header_targets(headers: dict[str, str], expected: RoutedTarget | None) -> None:
    got = read_target_headers(headers.items())
    assert got == expected
    if got is not None:
        assert got.is_actor is (got.target == "actor")


def test_server_refuses_what_the_guard_refuses() -> None:
    with pytest.raises(RivetError) as missing:
        header_target(_http_scope({TARGET_HEADER: "actor"}), "/request/x")
    assert (missing.value.code, missing.value.status) == ("missing_header", 400)
    assert missing.value.metadata == {"header": ACTOR_HEADER}
    with pytest.raises(RivetError) as other:
        header_target(_ws_scope(["rivet_target.runner", "rivet_actor.x"]), "/connect")
    assert (other.value.code, other.value.status) == ("no_route", 404)
    with pytest.raises(RivetError) as action:
        # Over HTTP only raw /request paths reach the actor, as on the engine.
        header_target(_http_scope(target_headers("x"), "/action/a"), "/action/a")
    assert action.value.code == "no_route"


def test_percent_encoded_actor_subprotocol_is_read_decoded() -> None:
    assert read_target_protocols(["rivet_target.actor", "rivet_actor.a%2Fb"]) == RoutedTarget(
        "actor", "a/b"
    )
