"""Connection params in pairs: what the client writes (header, subprotocol), the server reads
back with the same module (``actorbind.protocol.http``), h11's ConnectionPair idea."""

from __future__ import annotations

from typing import Any

import pytest

from actorbind.protocol.http import (
    CONN_PARAMS_HEADER,
    conn_params_header,
    conn_params_protocol,
    read_conn_params_header,
    read_subprotocols,
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
