"""Endpoint parsing and gateway URLs (rivetkit-protocol.md §1.1/§1.4, WIRE.md §3/§5)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import cbor2
import pytest

from actorbind.protocol import (
    MAX_INPUT_SIZE,
    Endpoint,
    IdTarget,
    QueryTarget,
    encode_input_query,
    encode_input_rest,
    gateway_url,
    parse_endpoint,
    to_websocket_url,
)

CAPTURES = Path("/work/shared/wire-captures")
TOKEN = "s3cr3t-T0KEN"


# --- parse_endpoint -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "base", "namespace", "token"),
    [
        ("http://localhost:6420", "http://localhost:6420", None, None),
        ("http://localhost:6420/", "http://localhost:6420", None, None),
        ("https://api.rivet.dev", "https://api.rivet.dev", None, None),
        ("https://host/api/rivet", "https://host/api/rivet", None, None),
        ("https://host/api/rivet/", "https://host/api/rivet", None, None),
        ("http://ns:tok@host", "http://host", "ns", "tok"),
        ("https://ns:tok@host:8443/base", "https://host:8443/base", "ns", "tok"),
        ("http://ns@host", "http://host", "ns", None),
        ("http://n%20s:t%2Fo%40k@host", "http://host", "n s", "t/o@k"),
        ("http://[::1]:6420", "http://[::1]:6420", None, None),
        ("HTTP://Host.Example:80", "http://host.example:80", None, None),
    ],
)
def test_parse_endpoint(url: str, base: str, namespace: str | None, token: str | None) -> None:
    ep = parse_endpoint(url)
    assert ep == Endpoint(base, namespace, token)


def test_endpoint_repr_hides_token() -> None:
    ep = parse_endpoint(f"http://ns:{TOKEN}@host")
    assert ep.token == TOKEN
    assert TOKEN not in repr(ep)
    assert TOKEN not in str(ep)


@pytest.mark.parametrize(
    "url",
    [
        f"http://ns:{TOKEN}@host?x=1",
        f"http://ns:{TOKEN}@host/path?",
        f"http://ns:{TOKEN}@host#frag",
        f"http://ns:{TOKEN}@host#",
        f"http://:{TOKEN}@host",
        f"ftp://ns:{TOKEN}@host",
        f"ws://ns:{TOKEN}@host",
        f"ns:{TOKEN}@host",
        f"http://ns:{TOKEN}@",
        f"http://ns:{TOKEN}@host:99999",
        f"http://ns:{TOKEN}@host:port",
        "",
        "localhost:6420",
        "/relative",
    ],
)
def test_parse_endpoint_errors_never_leak_the_token(url: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_endpoint(url)
    assert TOKEN not in str(info.value)
    assert TOKEN not in repr(info.value)
    assert info.value.__cause__ is None or TOKEN not in str(info.value.__cause__)


def test_parse_endpoint_rejects_non_strings() -> None:
    with pytest.raises(ValueError):
        parse_endpoint(None)  # type: ignore[arg-type]


def test_specific_messages() -> None:
    with pytest.raises(ValueError, match="query string or fragment"):
        parse_endpoint("http://host?x")
    with pytest.raises(ValueError, match="token but no namespace"):
        parse_endpoint("http://:tok@host")
    with pytest.raises(ValueError, match="http:// or https://"):
        parse_endpoint("ftp://host")
    with pytest.raises(ValueError, match="no host"):
        parse_endpoint("http:///path")


# --- gateway_url ----------------------------------------------------------------------------


def _capture_urls() -> set[str]:
    urls: set[str] = set()
    for enc in ("json", "cbor", "bare", "raw"):
        path = CAPTURES / f"{enc}.jsonl"
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            r = json.loads(line)
            if r["kind"] in ("http_request", "ws_upgrade_request"):
                urls.add(r["url"])
    return urls


CAPTURED = _capture_urls()
needs_captures = pytest.mark.skipif(not CAPTURED, reason="wire captures not available")
EP = "http://127.0.0.1:6500"


def _goc(key: tuple[str, ...], **kw: Any) -> QueryTarget:
    return QueryTarget("counter", key, "getOrCreate", **kw)


@pytest.mark.parametrize(
    ("target", "path", "expected"),
    [
        (
            _goc(("probe-json-mwzj4dyu",)),
            "/action/increment",
            "/gateway/counter/action/increment?rvt-namespace=default&rvt-method=getOrCreate"
            "&rvt-runner=default&rvt-key=probe-json-mwzj4dyu&rvt-crash-policy=sleep",
        ),
        (
            QueryTarget("counter", ("probe-json-mwzj4dyu",), "get"),
            "/action/getCount",
            "/gateway/counter/action/getCount?rvt-namespace=default&rvt-method=get"
            "&rvt-key=probe-json-mwzj4dyu",
        ),
        (
            IdTarget("5rr231o8jw14f6kuzauxyog548dl00"),
            "/action/getCount",
            "/gateway/5rr231o8jw14f6kuzauxyog548dl00/action/getCount",
        ),
        (
            # ["a-json-…","b/c","d","e"]: parts joined with "," then form-encoded
            _goc(("a-json-mwzj4dyu", "b/c", "d", "e")),
            "/action/increment",
            "/gateway/counter/action/increment?rvt-namespace=default&rvt-method=getOrCreate"
            "&rvt-runner=default&rvt-key=a-json-mwzj4dyu%2Cb%2Fc%2Cd%2Ce&rvt-crash-policy=sleep",
        ),
        (
            _goc(("probe-bare-mwzj5ez5",)),
            "/connect",
            "/gateway/counter/connect?rvt-namespace=default&rvt-method=getOrCreate"
            "&rvt-runner=default&rvt-key=probe-bare-mwzj5ez5&rvt-crash-policy=sleep",
        ),
        (
            IdTarget("dlkjjce72fzejy6gnc50vdij0kal00"),
            "/connect",
            "/gateway/dlkjjce72fzejy6gnc50vdij0kal00/connect",
        ),
        (
            QueryTarget("counter", ("raw-mwzj5wt3-missing",), "get"),
            "/connect",
            "/gateway/counter/connect?rvt-namespace=default&rvt-method=get&rvt-key=raw-mwzj5wt3-missing",
        ),
        (
            _goc(()),
            "/action/getCount",
            "/gateway/counter/action/getCount?rvt-namespace=default&rvt-method=getOrCreate"
            "&rvt-runner=default&rvt-crash-policy=sleep",
        ),
    ],
)
def test_gateway_url_matches_capture(target: Any, path: str, expected: str) -> None:
    url = gateway_url(EP, target, path, namespace="default")
    assert url == EP + expected
    if CAPTURED:
        assert expected in CAPTURED


@needs_captures
def test_rvt_input_against_capture() -> None:
    expected_prefix = (
        "/gateway/withInput/action/getState?rvt-namespace=default&rvt-method=getOrCreate"
        "&rvt-runner=default&rvt-key=in2-json-mwzj4dyu&rvt-input="
    )
    captured = next(u for u in CAPTURED if u.startswith(expected_prefix))
    ts_input = captured[len(expected_prefix) :].split("&")[0]
    assert ts_input == "uQABZG5hbWVjYm9i"
    assert captured.endswith("&rvt-crash-policy=sleep")

    # The TS client's cbor-x writes a map16 header (b9 0001); cbor2 writes a1. Different
    # bytes, same value: the engine accepts any CBOR map.
    ts_bytes = base64.urlsafe_b64decode(ts_input + "=" * (-len(ts_input) % 4))
    assert ts_bytes.hex() == "b90001646e616d6563626f62"
    ours = encode_input_query({"name": "bob"})
    assert ours == "oWRuYW1lY2JvYg"
    assert "=" not in ours
    our_bytes = base64.urlsafe_b64decode(ours + "=" * (-len(ours) % 4))
    assert cbor2.loads(our_bytes) == cbor2.loads(ts_bytes) == {"name": "bob"}

    url = gateway_url(
        EP,
        QueryTarget("withInput", ("in2-json-mwzj4dyu",), "getOrCreate", {"name": "bob"}, True),
        "/action/getState",
        namespace="default",
    )
    assert url == EP + expected_prefix + ours + "&rvt-crash-policy=sleep"


def test_rest_input_against_capture() -> None:
    # POST /actors body "input" for {"name":"alice","startCount":7}
    ts = "uQACZG5hbWVlYWxpY2Vqc3RhcnRDb3VudAc="
    ours = encode_input_rest({"name": "alice", "startCount": 7})
    assert ours.endswith("=") or len(ours) % 4 == 0
    assert cbor2.loads(base64.b64decode(ours)) == cbor2.loads(base64.b64decode(ts))
    assert ours == base64.b64encode(cbor2.dumps({"name": "alice", "startCount": 7})).decode()


def test_input_uses_compat_encoding() -> None:
    raw = base64.b64decode(encode_input_rest({"b": b"\x01", "n": 2**60}))
    assert cbor2.loads(raw) == {"b": ["$Uint8Array", "AQ=="], "n": ["$BigInt", str(2**60)]}
    q = encode_input_query([b"\xff\xfe"])
    assert q is not None and "+" not in q and "/" not in q


@pytest.mark.parametrize("value", [None, 0, "", False])
def test_falsy_input_is_sent_in_query_urls(value: Any) -> None:
    url = gateway_url(EP, _goc(("k",), input=value, has_input=True), "/connect", namespace="d")
    assert "&rvt-input=" in url


def test_input_size_limit() -> None:
    fits = "x" * (MAX_INPUT_SIZE - 3)  # 79 0ffd + payload = 4096 bytes of CBOR
    assert len(cbor2.dumps(fits)) == MAX_INPUT_SIZE
    assert encode_input_query(fits) is not None
    over = fits + "x"
    assert encode_input_query(over) is None
    gateway_url(EP, _goc(("k",), input=fits, has_input=True), "/connect", namespace="d")
    with pytest.raises(ValueError, match="4096"):
        gateway_url(EP, _goc(("k",), input=over, has_input=True), "/connect", namespace="d")
    # REST has no such limit
    assert encode_input_rest(over)


def test_input_ignored_for_get_and_when_absent() -> None:
    url = gateway_url(
        EP, QueryTarget("c", ("k",), "get", input={"a": 1}, has_input=True), "/x", namespace="d"
    )
    assert "rvt-input" not in url and "rvt-runner" not in url and "crash-policy" not in url
    url = gateway_url(EP, _goc(("k",), input={"a": 1}), "/x", namespace="d")
    assert "rvt-input" not in url


def test_param_order_with_everything() -> None:
    url = gateway_url(
        EP,
        QueryTarget("my actor", ("a b", "c"), "getOrCreate", 1, True, "eu west", "pool/1"),
        "/action/x",
        namespace="ns 1",
        token="t&k",
    )
    assert url == (
        EP + "/gateway/my%20actor/action/x?rvt-namespace=ns+1&rvt-method=getOrCreate"
        "&rvt-runner=pool%2F1&rvt-key=a+b%2Cc&rvt-input=AQ&rvt-region=eu+west"
        "&rvt-crash-policy=sleep&rvt-token=t%26k"
    )


def test_token_placement() -> None:
    assert (
        gateway_url(EP, IdTarget("abc"), "/connect", namespace="d", token="tok")
        == EP + "/gateway/abc@tok/connect"
    )
    assert (
        gateway_url(EP, IdTarget("a/b"), "/connect", namespace="d", token="t@k/")
        == EP + "/gateway/a%2Fb@t%40k%2F/connect"
    )
    url = gateway_url(EP, QueryTarget("c", ("k",), "get"), "/connect", namespace="d", token="tok")
    assert url.endswith("&rvt-key=k&rvt-token=tok")
    assert "rvt-token" not in gateway_url(EP, QueryTarget("c", ("k",), "get"), "/x", namespace="d")
    assert "@" not in gateway_url(EP, IdTarget("abc"), "/connect", namespace="d", token=None)
    assert "@" not in gateway_url(EP, IdTarget("abc"), "/connect", namespace="d", token="")


def test_path_normalisation_and_own_query() -> None:
    assert gateway_url(EP, IdTarget("a"), "connect", namespace="d") == EP + "/gateway/a/connect"
    assert (
        gateway_url(EP, IdTarget("a"), "/request/p?x=1&y=2", namespace="d")
        == EP + "/gateway/a/request/p?x=1&y=2"
    )
    url = gateway_url(EP, QueryTarget("c", ("k",), "get"), "/request/p?x=1", namespace="d")
    assert url == EP + "/gateway/c/request/p?x=1&rvt-namespace=d&rvt-method=get&rvt-key=k"


def test_empty_path_is_the_bare_gateway_url() -> None:
    # getGatewayUrl(): "…/gateway/{name}?rvt-…" and "…/gateway/{id}@tok", no trailing slash
    assert (
        gateway_url(EP, QueryTarget("c", ("k",), "get"), "", namespace="d")
        == EP + "/gateway/c?rvt-namespace=d&rvt-method=get&rvt-key=k"
    )
    assert gateway_url(EP, IdTarget("a"), "", namespace="d", token="t") == EP + "/gateway/a@t"


def test_base_path_is_kept() -> None:
    ep = parse_endpoint("https://ns:tok@host/api/rivet/")
    url = gateway_url(ep.base, IdTarget("a"), "/connect", namespace="ns", token=ep.token)
    assert url == "https://host/api/rivet/gateway/a@tok/connect"


@pytest.mark.parametrize("key", [("a,b",), ("a", ""), ("",)])
def test_unsafe_keys_refuse_query_urls(key: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="rvt-key"):
        gateway_url(EP, _goc(key), "/connect", namespace="d")


@pytest.mark.parametrize(
    ("url", "ws"),
    [
        ("http://h/gateway/a/connect", "ws://h/gateway/a/connect"),
        ("https://h/x?http://y", "wss://h/x?http://y"),
        ("ws://already", "ws://already"),
    ],
)
def test_to_websocket_url(url: str, ws: str) -> None:
    assert to_websocket_url(url) == ws


@needs_captures
def test_websocket_upgrade_urls_match_capture() -> None:
    url = to_websocket_url(
        gateway_url(EP, _goc(("probe-json-mwzj4dyu",)), "/connect", namespace="default")
    )
    assert url.startswith("ws://127.0.0.1:6500/")
    assert url[len("ws://127.0.0.1:6500") :] in CAPTURED


# --- fragments and skipReadyWait -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected_path", "own_query"),
    [
        ("/request/test/path#fragment", "/request/test/path", ""),
        ("/request/test/path?foo=bar#frag", "/request/test/path", "foo=bar"),
        ("/request/a#b?c=d", "/request/a", ""),  # '?' after '#' is part of the fragment
        ("/websocket/echo#", "/websocket/echo", ""),
        ("request/x#y", "/request/x", ""),
    ],
)
def test_fragment_is_dropped_before_the_gateway_query(
    path: str, expected_path: str, own_query: str
) -> None:
    # Like RivetKit's fetch (``new URL(...)`` drops the fragment): the actor sees the path
    # without it, and the rvt-* params stay in the query instead of inside the fragment.
    url = gateway_url(EP, _goc(("k",)), path, namespace="d", token="t")
    assert "#" not in url
    parts = urlsplit(url)
    assert parts.path == "/gateway/counter" + expected_path
    query = parts.query
    if own_query:
        assert query.startswith(own_query + "&rvt-namespace=d&")
    else:
        assert query.startswith("rvt-namespace=d&")
    assert query.endswith("&rvt-token=t")
    by_id = gateway_url(EP, IdTarget("abc"), path, namespace="d")
    assert by_id == f"{EP}/gateway/abc{expected_path}" + (f"?{own_query}" if own_query else "")


def test_skip_ready_wait_goes_last_in_query_urls() -> None:
    url = gateway_url(EP, _goc(("k",)), "/action/x", namespace="d", token="t", skip_ready_wait=True)
    assert url.endswith("&rvt-token=t&rvt-skip-ready-wait=true")
    get = gateway_url(
        EP, QueryTarget("c", ("k",), "get"), "/connect", namespace="d", skip_ready_wait=True
    )
    assert get.endswith("rvt-key=k&rvt-skip-ready-wait=true")
    assert "skip" not in gateway_url(EP, _goc(("k",)), "/action/x", namespace="d")
    # By id the URL has no query to carry it: the header/subprotocol does.
    assert gateway_url(EP, IdTarget("abc"), "/connect", namespace="d", skip_ready_wait=True) == (
        f"{EP}/gateway/abc/connect"
    )
