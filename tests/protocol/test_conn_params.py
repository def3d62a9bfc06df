"""Connection params in pairs: what the client writes (header, subprotocol), the server reads
back with the same module (``actorbind.protocol.http``), h11's ConnectionPair idea."""

from __future__ import annotations

from typing import Any

import pytest

from actorbind.protocol.gateway import RoutedTarget, read_target_protocols, target_protocols
from actorbind.protocol.http import (
    CONN_PARAMS_HEADER,
    DEFAULT_ENCODING,
    RIVET_PROTOCOL,
    bearer_header,
    conn_params_header,
    conn_params_protocol,
    read_bearer,
    read_conn_params_header,
    read_subprotocols,
    socket_protocols,
)

PARAMS: list[Any] = [
    {"authToken": "t"},
    {"name": "zoë 🦀", "path": "a/b?c=d&e#f", "pct": "100%", "q": "'\"", "sp": "a b,c;d"},
    ["list", 1, 2.5, True, None],
    "just a string",
    0,
    {"nested": {"deep": [{"x": [1, {"y": 2}]}]}},
]


@pytest.mark.parametrize("params", PARAMS)
def test_header_round_trip(params: Any) -> None:
    value = conn_params_header(params)
    assert value is not None
    assert read_conn_params_header(value) == params


@pytest.mark.parametrize("params", PARAMS)
def test_subprotocol_round_trip(params: Any) -> None:
    offered = ["rivet", "rivet_encoding.cbor", *conn_params_protocol(params)]
    # A subprotocol is an HTTP token: no spaces, commas or non-ASCII may travel raw.
    assert all(p.isascii() and " " not in p and "," not in p for p in offered)
    assert read_subprotocols(offered) == ("cbor", params, True)


def test_no_params_travel_as_nothing() -> None:
    assert conn_params_header(None) is None
    assert conn_params_protocol(None) == []
    assert read_subprotocols(["rivet"]) == ("json", None, True)


def test_a_refused_params_subprotocol_is_reported() -> None:
    def refuse(text: str) -> Any:
        raise ValueError("too deep")

    offered = ["rivet", *conn_params_protocol({"a": 1})]
    assert read_subprotocols(offered, refuse) == ("json", None, False)
    assert read_subprotocols(["rivet_conn_params.%7Bnot-json"]) == ("json", None, False)
    with pytest.raises(ValueError):
        read_conn_params_header("{not json")


def test_the_header_name_is_upstreams() -> None:
    assert CONN_PARAMS_HEADER == "x-rivet-conn-params"


@pytest.mark.parametrize("params", [None, *PARAMS])
@pytest.mark.parametrize("encoding", ["json", "cbor", "bare"])
@pytest.mark.parametrize("route", [[], target_protocols("actor-1", "tok")])
def test_socket_protocols_round_trip(params: Any, encoding: str, route: list[str]) -> None:
    offered = socket_protocols(encoding, params, route)
    assert offered[0] == RIVET_PROTOCOL  # the one the server accepts
    assert read_subprotocols(offered) == (encoding, params, True)
    expected = RoutedTarget("actor", "actor-1") if route else None
    assert read_target_protocols(offered) == expected


def test_a_socket_without_encoding_is_json() -> None:
    assert read_subprotocols([RIVET_PROTOCOL])[0] == DEFAULT_ENCODING == "json"


@pytest.mark.parametrize("token", ["t0k", "a.b-c_d~e"])
def test_bearer_round_trip(token: str) -> None:
    (name, value), *_ = bearer_header(token).items()
    assert name == "authorization" and read_bearer(value) == token
    assert read_bearer(value.replace("Bearer", "bearer")) == token
    assert bearer_header(None) == bearer_header("") == {}
    assert read_bearer(f"Basic {token}") is None
