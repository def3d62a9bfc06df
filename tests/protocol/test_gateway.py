"""The gateway address in pairs: what the client builds (``gateway_url``, ``gateway_query``)
the server parses back (``parse_gateway_address``), both from ``actorbind.protocol.gateway``."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import cbor2
import pytest

from actorbind.protocol import gateway_url
from actorbind.protocol.gateway import (
    QUERY_FIELDS,
    GatewayQueryError,
    IdTarget,
    QueryTarget,
    gateway_query,
    parse_gateway_address,
)
from actorbind.protocol.values import from_compat

ENDPOINT = "http://127.0.0.1:6420/base"

TARGETS: list[QueryTarget] = [
    QueryTarget("counter", (), "get"),
    QueryTarget("chat room", ("room", "zoë 🦀", "a/b?c"), "get"),
    QueryTarget("counter", ("k",), "getOrCreate"),
    QueryTarget("counter", ("k", "2"), "getOrCreate", {"n": 1, "l": [1, 2.5]}, True, "eu", "pool"),
    QueryTarget("counter", (), "getOrCreate", None, True),
]


def _split(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    assert parts.path.startswith("/base/")
    return parts.path[len("/base") :], parts.query


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("token", [None, "s3cr&t=/"])
@pytest.mark.parametrize("skip", [False, True])
def test_query_url_round_trip(target: QueryTarget, token: str | None, skip: bool) -> None:
    url = gateway_url(
        ENDPOINT,
        target,
        "/action/inc?x=1&y=a%20b",
        namespace="ns 1",
        token=token,
        skip_ready_wait=skip,
    )
    got = parse_gateway_address(*_split(url))
    assert (got.name, got.method, got.key, got.namespace) == (
        target.name,
        target.method,
        target.key,
        "ns 1",
    )
    assert got.path == "/action/inc" and got.query == "x=1&y=a+b"
    assert got.actor_id is None and got.token == token and got.skip_ready_wait is skip
    if target.method == "getOrCreate":
        assert (got.runner, got.region, got.crash_policy) == (target.runner, target.region, "sleep")
    if target.has_input and target.method == "getOrCreate":
        assert got.input is not None
        assert from_compat(cbor2.loads(got.input)) == target.input
    else:
        assert got.input is None


@pytest.mark.parametrize("actor_id", ["abc", "id with/slash"])
@pytest.mark.parametrize("token", [None, "tok@en"])
def test_id_url_round_trip(actor_id: str, token: str | None) -> None:
    url = gateway_url(ENDPOINT, IdTarget(actor_id), "connect?q=1", namespace="ns", token=token)
    got = parse_gateway_address(*_split(url))
    assert (got.actor_id, got.path, got.query, got.name) == (actor_id, "/connect", "q=1", None)


def test_every_field_the_client_writes_is_one_the_server_knows() -> None:
    target = QueryTarget("a", ("k",), "getOrCreate", 1, True, "eu")
    query = gateway_query(target, namespace="ns", token="t", skip_ready_wait=True)
    names = {pair.partition("=")[0].removeprefix("rvt-") for pair in query.split("&")}
    assert names <= set(QUERY_FIELDS)


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("rvt-method=get", "missing field `namespace`"),
        ("rvt-namespace=n&rvt-method=get&rvt-nope=1", "unknown field `nope`"),
        ("rvt-namespace=n&rvt-method=get&rvt-method=get", "duplicate field `method`"),
        ("rvt-namespace=n&rvt-method=put", "unknown variant `put`"),
        ("rvt-namespace=n&rvt-method=get&rvt-input=oA", "`input` is not allowed with method `get`"),
        ("rvt-namespace=n&rvt-method=getOrCreate", "missing field `runner`"),
        ("rvt-namespace=n&rvt-method=getOrCreate&rvt-runner=d&rvt-input=!!", "`input` is not"),
        ("rvt-namespace=n&rvt-method=getOrCreate&rvt-runner=d&rvt-input=_w", "`input` is not"),
    ],
)
def test_the_parser_refuses_what_the_guard_refuses(query: str, detail: str) -> None:
    with pytest.raises(GatewayQueryError) as info:
        parse_gateway_address("/gateway/a/action/x", query)
    assert info.value.detail.startswith(detail) and not info.value.no_route


@pytest.mark.parametrize("path", ["/gateway/", "/other/a"])
def test_a_path_without_a_target_is_no_route(path: str) -> None:
    with pytest.raises(GatewayQueryError) as info:
        parse_gateway_address(path, "")
    assert info.value.no_route


def test_the_token_stays_out_of_the_repr() -> None:
    got = parse_gateway_address("/gateway/a", "rvt-namespace=n&rvt-method=get&rvt-token=SECRET")
    assert got.token == "SECRET" and "SECRET" not in repr(got)


def test_pool_stands_for_runner() -> None:
    got = parse_gateway_address("/gateway/a", "rvt-namespace=n&rvt-method=getOrCreate&rvt-pool=p")
    assert got.runner == "p"


def test_too_deep_input_is_refused_as_the_guard_refuses_bad_input() -> None:
    deep = base64.urlsafe_b64encode(b"\x81" * 200 + b"\x00").decode().rstrip("=")
    query = f"rvt-namespace=default&rvt-method=getOrCreate&rvt-runner=default&rvt-input={deep}"
    assert parse_gateway_address("/gateway/counter/connect", query).input is not None
    with pytest.raises(GatewayQueryError) as refused:
        parse_gateway_address("/gateway/counter/connect", query, too_deep=lambda v: True)
    assert refused.value.detail == "`input` is not base64url-encoded CBOR"
