"""HTTP actions, queues and raw requests on the embedded server, checked byte for byte against
the RivetKit 2.3.19 captures (shared/wire-captures/WIRE.md, tests/rivetkit_app/FACTS.md)."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any

import cbor2
import httpx
import pytest

from actorbind.protocol import codec_for
from actorbind.server import run_in_thread
from tests.support.actors import registry


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with run_in_thread(registry) as ep:
        yield ep


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def key() -> str:
    return "k-" + uuid.uuid4().hex[:10]


def gw(endpoint: str, name: str, k: str, path: str, method: str = "getOrCreate") -> str:
    q = f"rvt-namespace=default&rvt-method={method}"
    if method == "getOrCreate":
        q += "&rvt-runner=default"
    q += f"&rvt-key={k}"
    if method == "getOrCreate":
        q += "&rvt-crash-policy=sleep"
    return f"{endpoint}/gateway/{name}{path}?{q}"


CT = {
    "json": "application/json",
    "cbor": "application/octet-stream",
    "bare": "application/octet-stream",
}


def post(
    client: httpx.Client, url: str, body: bytes, enc: str = "json", **headers: str
) -> httpx.Response:
    h = {"x-rivet-encoding": enc, "content-type": CT[enc], **headers}
    return client.post(url, content=body, headers=h)


# --- round trips, byte for byte -----------------------------------------------------------

INCREMENT_5 = {
    "json": (b'{"args":[5]}', b'{"output":5}'),
    "cbor": (bytes.fromhex("b9000164617267738105"), bytes.fromhex("a1666f757470757405")),
    "bare": (bytes.fromhex("0400028105"), bytes.fromhex("04000105")),
}


@pytest.mark.parametrize("enc", ["json", "cbor", "bare"])
def test_increment_round_trip_bytes(endpoint: str, client: httpx.Client, enc: str) -> None:
    k = key()
    request, expected = INCREMENT_5[enc]
    r = post(client, gw(endpoint, "counter", k, "/action/increment"), request, enc)
    assert r.status_code == 200
    assert r.content == expected
    assert r.headers["content-type"] == CT[enc]
    assert r.headers["x-rivet-actor-key"] == k
    assert r.headers["x-rivet-actor-generation"] == "1"
    actor_id = r.headers["x-rivet-actor"]
    # the same actor, addressed by id
    r2 = post(
        client,
        f"{endpoint}/gateway/{actor_id}/action/getCount",
        codec_for(enc).encode_action_request([]),
        enc,
    )
    assert r2.status_code == 200
    assert codec_for(enc).decode_action_response(r2.content) == 5


def test_json_defaults_and_leniency(endpoint: str, client: httpx.Client) -> None:
    url = gw(endpoint, "counter", key(), "/action/getCount")
    # no x-rivet-encoding header: json assumed; {} means no args
    assert client.post(url, content=b'{"args":[]}').content == b'{"output":0}'
    assert client.post(url, content=b"{}").content == b'{"output":0}'


@pytest.mark.parametrize("enc", ["json", "cbor", "bare"])
def test_compat_values_round_trip(endpoint: str, client: httpx.Client, enc: str) -> None:
    codec = codec_for(enc)
    args = [b"\x01\x02\x03", 12345678901234567890, None, {"x": [1]}, ["$x", 1], 1.5]
    r = post(
        client,
        gw(endpoint, "counter", key(), "/action/echo"),
        codec.encode_action_request(args),
        enc,
    )
    assert r.status_code == 200
    assert codec.decode_action_response(r.content) == args


def test_bytes_output_is_compat_tagged(endpoint: str, client: httpx.Client) -> None:
    r = post(client, gw(endpoint, "counter", key(), "/action/bytes"), b'{"args":[16]}')
    assert r.content == b'{"output":["$Uint8Array","AAECAwQFBgcICQoLDA0ODw=="]}'
    r = post(
        client,
        gw(endpoint, "counter", key(), "/action/bytes"),
        bytes.fromhex("a164617267738110"),
        "cbor",
    )
    assert cbor2.loads(r.content) == {"output": ["$Uint8Array", "AAECAwQFBgcICQoLDA0ODw=="]}


def test_multi_part_key_via_rvt_key(endpoint: str, client: httpx.Client) -> None:
    base = key()
    url = gw(endpoint, "counter", f"{base}%2Cb%2Fc%2Cd%2Ce", "/action/getKey")
    r = post(client, url, b'{"args":[]}')
    assert json.loads(r.content) == {"output": [base, "b/c", "d", "e"]}
    assert r.headers["x-rivet-actor-key"] == f"{base}/b\\/c/d/e"


def test_empty_key(endpoint: str, client: httpx.Client) -> None:
    url = (
        f"{endpoint}/gateway/counter/action/getKey"
        "?rvt-namespace=emptykey&rvt-method=getOrCreate&rvt-runner=default"
    )
    r = post(client, url, b'{"args":[]}')
    assert json.loads(r.content) == {"output": []}
    assert r.headers["x-rivet-actor-key"] == ""


def test_input_via_rvt_input(endpoint: str, client: httpx.Client) -> None:
    raw = cbor2.dumps({"name": "bob", "startCount": 3})
    b64 = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    url = gw(endpoint, "withInput", key(), "/action/getInput") + f"&rvt-input={b64}"
    assert json.loads(post(client, url, b"{}").content) == {
        "output": {"name": "bob", "startCount": 3}
    }
    url = gw(endpoint, "withInput", key(), "/action/getCount")
    assert post(client, url, b"{}").content == b'{"output":0}'


# --- errors -------------------------------------------------------------------------------


def _actor(r: httpx.Response, k: str) -> dict[str, Any]:
    return {"actorId": r.headers["x-rivet-actor"], "generation": 1, "key": k}


def test_user_error_bytes(endpoint: str, client: httpx.Client) -> None:
    k = key()
    r = post(client, gw(endpoint, "errors", k, "/action/failUser"), b'{"args":["because"]}')
    assert r.status_code == 500
    assert "x-rivet-error" not in r.headers
    actor_id = r.headers["x-rivet-actor"]
    expected = (
        f'{{"actor":{{"actorId":"{actor_id}","generation":1,"key":"{k}"}},"code":"custom_code",'
        '"group":"user","message":"user error: because","metadata":{"n":42,"reason":"because"}}'
    )
    assert r.content == expected.encode()


def test_plain_user_error_and_masked_internal(endpoint: str, client: httpx.Client) -> None:
    k = key()
    r = post(client, gw(endpoint, "errors", k, "/action/failPlain"), b'{"args":[]}')
    assert (r.status_code, json.loads(r.content)) == (
        500,
        {"actor": _actor(r, k), "code": "user_error", "group": "user", "message": "plain failure"},
    )
    r = post(client, gw(endpoint, "errors", k, "/action/failInternal"), b'{"args":[]}')
    assert r.status_code == 500
    body = json.loads(r.content)
    assert body == {
        "actor": _actor(r, k),
        "code": "internal_error",
        "group": "rivetkit",
        "message": "An internal error occurred",
    }
    assert b"secret" not in r.content


@pytest.mark.parametrize("enc", ["cbor", "bare"])
def test_errors_follow_the_request_encoding(endpoint: str, client: httpx.Client, enc: str) -> None:
    codec = codec_for(enc)
    r = post(
        client,
        gw(endpoint, "errors", key(), "/action/failUser"),
        codec.encode_action_request(["x"]),
        enc,
    )
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/octet-stream"
    err = codec.decode_http_error(r.content)
    assert (err.group, err.code, err.metadata) == ("user", "custom_code", {"n": 42, "reason": "x"})
    assert err.actor is not None and err.actor.actor_id == r.headers["x-rivet-actor"]


def test_action_not_found(endpoint: str, client: httpx.Client) -> None:
    k = key()
    r = post(client, gw(endpoint, "counter", k, "/action/noSuchAction"), b'{"args":[]}')
    assert r.status_code == 404
    assert json.loads(r.content) == {
        "actor": _actor(r, k),
        "code": "action_not_found",
        "group": "actor",
        "message": "Action `noSuchAction` was not found.",
    }


def test_action_timeout(endpoint: str, client: httpx.Client) -> None:
    k = key()
    r = post(client, gw(endpoint, "slow", k, "/action/sleepMs"), b'{"args":[2000]}')
    assert r.status_code == 408
    assert json.loads(r.content)["code"] == "action_timed_out"
    assert json.loads(r.content)["message"] == "Action timed out"
    r = post(client, gw(endpoint, "slow", k, "/action/sleepMs"), b'{"args":[10]}')
    assert r.content == b'{"output":10}'


def test_guarded_params(endpoint: str, client: httpx.Client) -> None:
    k = key()
    url = gw(endpoint, "guarded", k, "/action/whoami")
    r = post(client, url, b'{"args":[]}')
    assert r.status_code == 500
    assert json.loads(r.content)["metadata"] == {"got": None}
    assert json.loads(r.content)["code"] == "unauthorized"
    r = post(client, url, b'{"args":[]}', **{"x-rivet-conn-params": '{"authToken":"bad"}'})
    assert json.loads(r.content)["metadata"] == {"got": "bad"}
    r = post(client, url, b'{"args":[]}', **{"x-rivet-conn-params": '{"authToken":"good-token"}'})
    assert r.content == b'{"output":{"authToken":"good-token","user":"u1"}}'
    r = post(client, url, b'{"args":[]}', **{"x-rivet-conn-params": "{not json"})
    assert r.status_code == 400
    assert json.loads(r.content)["code"] == "internal_error"


@pytest.mark.parametrize(
    ("enc", "body"),
    [
        ("json", b""),
        ("json", b"{not json"),
        ("json", b"[1,2"),
        ("cbor", bytes.fromhex("a164617267738143010203")),  # a real CBOR byte string
        ("cbor", bytes.fromhex("b90001646172677381d84043010203")),  # typed-array tag 64
        ("cbor", b"\xff\xff"),
        ("bare", b"\x04\x00\x05"),
        ("bare", b"\x09\x00\x01\x05"),
    ],
)
def test_malformed_bodies(endpoint: str, client: httpx.Client, enc: str, body: bytes) -> None:
    k = key()
    r = post(client, gw(endpoint, "counter", k, "/action/echo"), body, enc)
    assert r.status_code == 400
    err = codec_for(enc).decode_http_error(r.content)
    assert (err.group, err.code, err.message) == (
        "core",
        "internal_error",
        "An internal error occurred",
    )
    # the actor is still fine
    ok = post(client, gw(endpoint, "counter", k, "/action/getCount"), b"{}")
    assert ok.content == b'{"output":0}'


def test_cbor_compat_bytes_are_accepted(endpoint: str, client: httpx.Client) -> None:
    body = bytes.fromhex("b90001646172677381826b2455696e743841727261796441514944")
    r = post(client, gw(endpoint, "counter", key(), "/action/echo"), body, "cbor")
    assert r.status_code == 200
    assert cbor2.loads(r.content) == {"output": [["$Uint8Array", "AQID"]]}


def test_method_not_allowed(endpoint: str, client: httpx.Client) -> None:
    r = client.get(gw(endpoint, "counter", key(), "/action/getCount"))
    assert r.status_code == 405
    body = json.loads(r.content)
    assert (body["group"], body["code"], body["message"]) == (
        "actor",
        "method_not_allowed",
        "Method not allowed",
    )
    assert body["metadata"] == {"method": "GET", "path": "/action/getCount"}


# --- limits -------------------------------------------------------------------------------


def test_incoming_limit_is_65536_bytes(endpoint: str, client: httpx.Client) -> None:
    url = gw(endpoint, "counter", key(), "/action/argLength")
    overhead = len(b'{"args":[""]}')
    ok = post(client, url, b'{"args":["' + b"y" * (65536 - overhead) + b'"]}')
    assert ok.status_code == 200
    assert json.loads(ok.content) == {"output": 65536 - overhead}
    too_big = post(client, url, b'{"args":["' + b"y" * (65537 - overhead) + b'"]}')
    assert too_big.status_code == 400
    body = json.loads(too_big.content)
    assert (body["group"], body["code"], body["message"]) == (
        "message",
        "incoming_too_long",
        "Incoming message too long",
    )


@pytest.mark.parametrize("enc", ["json", "cbor", "bare"])
def test_outgoing_limit(endpoint: str, client: httpx.Client, enc: str) -> None:
    codec = codec_for(enc)
    url = gw(endpoint, "counter", key(), "/action/bigString")
    ok = post(client, url, codec.encode_action_request([100_000]), enc)
    assert ok.status_code == 200
    assert codec.decode_action_response(ok.content) == "x" * 100_000
    r = post(client, url, codec.encode_action_request([2_000_000]), enc)
    assert r.status_code == 400
    err = codec.decode_http_error(r.content)
    assert (err.group, err.code, err.message) == (
        "message",
        "outgoing_too_long",
        "Outgoing message too long",
    )


# --- gateway errors -----------------------------------------------------------------------


def _gateway_error(r: httpx.Response, status: int, group_code: str) -> dict[str, Any]:
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-rivet-error"] == group_code
    body: dict[str, Any] = json.loads(r.content)
    assert f"{body['group']}.{body['code']}" == group_code
    assert "actor" not in body
    return body


@pytest.mark.parametrize("enc", ["json", "cbor", "bare"])
def test_get_missing_actor(endpoint: str, client: httpx.Client, enc: str) -> None:
    r = post(client, gw(endpoint, "counter", key(), "/action/getCount", method="get"), b"{}", enc)
    assert r.content == (
        b'{"group":"actor","code":"not_found",'
        b'"message":"The actor does not exist or was destroyed."}'
    )
    _gateway_error(r, 404, "actor.not_found")


def test_bogus_and_destroyed_ids(endpoint: str, client: httpx.Client) -> None:
    r = post(client, f"{endpoint}/gateway/00000000000000000000000000/action/getCount", b"{}")
    body = _gateway_error(r, 500, "core.internal_error")
    assert body["message"] == "An internal error occurred"
    created = client.post(
        f"{endpoint}/actors?namespace=default", json={"name": "counter", "key": key()}
    )
    actor_id = created.json()["actor"]["actor_id"]
    assert client.delete(f"{endpoint}/actors/{actor_id}?namespace=default").json() == {}
    r = post(client, f"{endpoint}/gateway/{actor_id}/action/getCount", b"{}")
    _gateway_error(r, 404, "actor.not_found")


def test_unknown_actor_name(endpoint: str, client: httpx.Client) -> None:
    r = post(client, gw(endpoint, "noSuchActor", "k", "/action/x"), b"{}")
    _gateway_error(r, 503, "guard.actor_wake_retries_exceeded")


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("rvt-namespace=default&rvt-key=k", "missing field `method`"),
        ("rvt-method=get&rvt-key=k", "missing field `namespace`"),
        (
            "rvt-namespace=default&rvt-method=put",
            "unknown variant `put`, expected `get` or `getOrCreate`",
        ),
        ("rvt-namespace=default&rvt-method=get&rvt-bogus=1", None),
        (
            "rvt-namespace=default&rvt-method=get&rvt-input=oA",
            "`input` is not allowed with method `get`",
        ),
        (
            "rvt-namespace=default&rvt-method=get&rvt-runner=default",
            "`runner` is not allowed with method `get`",
        ),
        ("rvt-namespace=default&rvt-method=getOrCreate&rvt-key=k", "missing field `runner`"),
        ("rvt-namespace=default&rvt-method=getOrCreate&rvt-runner=d&rvt-input=!!", None),
        ("rvt-namespace=default&rvt-method=get&rvt-method=get", "duplicate field `method`"),
    ],
)
def test_query_invalid_params(
    endpoint: str, client: httpx.Client, query: str, detail: str | None
) -> None:
    r = client.post(f"{endpoint}/gateway/counter/action/getCount?{query}", content=b"{}")
    body = _gateway_error(r, 400, "guard.query_invalid_params")
    assert body["message"] == f"invalid query gateway params: {body['metadata']['detail']}"
    if detail is not None:
        assert body["metadata"]["detail"] == detail


def test_missing_rvt_method_bytes(endpoint: str, client: httpx.Client) -> None:
    r = client.post(
        f"{endpoint}/gateway/counter/action/getCount?rvt-namespace=default&rvt-key=c", content=b"{}"
    )
    assert r.content == (
        b'{"group":"guard","code":"query_invalid_params","message":"invalid query gateway params: '
        b'missing field `method`","metadata":{"detail":"missing field `method`"}}'
    )


# --- queues -------------------------------------------------------------------------------


def test_queue_semantics_json(endpoint: str, client: httpx.Client) -> None:
    k = key()
    url = gw(endpoint, "queued", k, "/queue/jobs")
    r = post(client, url, b'{"body":{"job":1},"wait":true}')
    assert r.content == b'{"response":{"body":{"job":1},"index":0,"ok":true},"status":"completed"}'
    assert (
        post(client, url, b'{"body":{"job":2},"wait":false}').content == b'{"status":"completed"}'
    )
    assert post(client, url, b'{"body":{"job":3}}').content == b'{"status":"completed"}'
    r = post(client, url, b'{"body":"s","wait":true,"timeout":5000}')
    assert json.loads(r.content)["status"] == "completed"
    assert post(client, url, b'{"wait":false}').content == b'{"status":"completed"}'
    r = client.post(url, content=b'{"body":7,"wait":true}')  # no encoding header
    assert json.loads(r.content)["response"]["body"] == 7
    assert (
        post(client, url, b'{"body":1,"wait":true,"timeout":0}').content == b'{"status":"timedOut"}'
    )
    # undeclared queue: "completed" at once, message dropped
    other = gw(endpoint, "queued", k, "/queue/other")
    assert (
        post(client, other, b'{"body":1,"wait":true,"timeout":1000}').content
        == b'{"status":"completed"}'
    )
    for bad in (b"", b'{"wait":"yes"}', b'{"body":1,"timeout":-5}'):
        r = post(client, url, bad)
        assert r.status_code == 400
        assert json.loads(r.content)["code"] == "internal_error"
    r = client.get(url)
    assert r.status_code == 405
    received = post(client, gw(endpoint, "queued", k, "/action/received"), b"{}")
    assert json.loads(received.content) == {
        "output": [{"job": 1}, {"job": 2}, {"job": 3}, "s", None, 7, 1]
    }


@pytest.mark.parametrize("enc", ["cbor", "bare"])
def test_queue_binary_encodings(endpoint: str, client: httpx.Client, enc: str) -> None:
    from actorbind.protocol import HttpQueueSendRequest

    codec = codec_for(enc)
    url = gw(endpoint, "queued", key(), "/queue/jobs")
    r = post(
        client,
        url,
        codec.encode_queue_send(HttpQueueSendRequest(b"\x00\x01", "jobs", True, 5000)),
        enc,
    )
    assert r.status_code == 200
    resp = codec.decode_queue_response(r.content)
    assert resp.status == "completed"
    assert resp.response == {"ok": True, "index": 0, "body": b"\x00\x01"}


def test_queue_respects_on_before_connect(endpoint: str, client: httpx.Client) -> None:
    r = post(client, gw(endpoint, "guarded", key(), "/queue/jobs"), b'{"body":1}')
    assert r.status_code == 500
    assert json.loads(r.content)["code"] == "unauthorized"


# --- raw requests -------------------------------------------------------------------------


def test_raw_request(endpoint: str, client: httpx.Client) -> None:
    k = key()
    base = f"rvt-namespace=default&rvt-method=getOrCreate&rvt-runner=default&rvt-key={k}"
    r = client.post(f"{endpoint}/gateway/raw/request/foo/bar?x=1&{base}&y=2", content=b"hello")
    assert r.json() == {
        "method": "POST",
        "path": "/foo/bar",
        "query": {"x": "1", "y": "2"},
        "body": "hello",
    }
    for path in ("/request", "/request/"):
        r = client.get(f"{endpoint}/gateway/raw{path}?{base}")
        assert r.json()["path"] == "/"
    r = client.get(f"{endpoint}/gateway/raw/request/a%2Fb/c%20d?q=%2F%20&{base}")
    assert r.json()["path"] == "/a%2Fb/c%20d"
    assert r.json()["query"] == {"q": "/ "}


def test_raw_request_without_handler(endpoint: str, client: httpx.Client) -> None:
    # RivetKit 2.3.19: an empty 404 with the actor headers.
    r = client.get(gw(endpoint, "counter", key(), "/request/x"))
    assert (r.status_code, r.content) == (404, b"")
    assert r.headers["x-rivet-actor"]


def test_actor_framework_routes(endpoint: str, client: httpx.Client) -> None:
    assert client.get(gw(endpoint, "counter", key(), "/health")).text == "ok"
    assert client.get(gw(endpoint, "counter", key(), "/metadata")).json()["runtime"] == "rivetkit"
