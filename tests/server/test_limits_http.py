"""Issue 9, points 3, 5 and 7 over HTTP: bounded heads and bodies, any key, deep JSON.

Raw sockets on loopback: each over-limit input must be answered at once, before the client
sends the rest (a server that waits for it fails these tests on their socket timeout).
"""

from __future__ import annotations

import base64
import json
import socket
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from actorbind.server import Limits, run_in_thread
from tests.support.actors import registry

LIMITS = Limits(max_api_body=4096)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with run_in_thread(registry, limits=LIMITS) as ep:
        yield ep


@pytest.fixture(scope="module")
def client(endpoint: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=endpoint, timeout=10) as c:
        yield c


def _address(endpoint: str) -> tuple[str, int]:
    host, _, port = endpoint.removeprefix("http://").rpartition(":")
    return host, int(port)


def exchange(endpoint: str, *parts: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``parts`` (never the rest of a body), read one reply until the server closes."""
    with socket.create_connection(_address(endpoint), timeout=10) as sock:
        for part in parts:
            sock.sendall(part)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"closed without a reply: {data!r}"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        want = int(headers.get("content-length", "0"))
        while len(body) < want:
            chunk = sock.recv(65536)
            assert chunk, "closed in the middle of the reply"
            body += chunk
        return int(lines[0].split()[1]), headers, body


def rivet_error(body: bytes) -> dict[str, Any]:
    err = json.loads(body)
    assert {"group", "code", "message"} <= set(err), err
    return dict(err)


def test_200_mb_put_actors_is_refused_from_its_head(endpoint: str) -> None:
    head = (
        b"PUT /actors?namespace=default HTTP/1.1\r\nhost: x\r\n"
        b"content-type: application/json\r\ncontent-length: 209715200\r\n\r\n"
    )
    status, headers, body = exchange(endpoint, head, b'{"name":"counter","key":"')
    assert status == 413 and headers["connection"] == "close"
    assert rivet_error(body)["code"] == "invalid_request_body"


def test_chunked_put_actors_is_refused_at_the_limit(endpoint: str) -> None:
    head = (
        b"PUT /actors?namespace=default HTTP/1.1\r\nhost: x\r\n"
        b"content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    chunk = b" " * (LIMITS.max_api_body + 1)
    status, _, body = exchange(endpoint, head, b"%x\r\n%s\r\n" % (len(chunk), chunk))
    assert status == 413  # without the terminating chunk: the server stopped reading
    assert rivet_error(body)["group"] == "guard"


def test_big_headers_get_431_at_once(endpoint: str) -> None:
    big = b"x-big: " + b"a" * 16_000 + b"\r\n"
    status, _, body = exchange(endpoint, b"GET /health HTTP/1.1\r\nhost: x\r\n" + big * 8)
    assert status == 431
    assert rivet_error(body)["code"] == "incoming_too_long"


def test_too_many_headers_get_431(endpoint: str) -> None:
    many = b"".join(b"x-h%d: 1\r\n" % i for i in range(LIMITS.max_headers + 1))
    status, _, body = exchange(endpoint, b"GET /health HTTP/1.1\r\nhost: x\r\n" + many + b"\r\n")
    assert status == 431
    assert rivet_error(body)["code"] == "incoming_too_long"


def test_malformed_request_gets_rivet_shaped_400(endpoint: str) -> None:
    status, _, body = exchange(endpoint, b"GET /health HTTP/1.1\r\nno colon here\r\n\r\n")
    assert status == 400
    assert rivet_error(body)["group"] == "guard"


def test_deep_json_put_actors_is_400(client: httpx.Client) -> None:
    deep = b'{"name":"counter","key":"k","x":' + b"[" * 1500 + b"]" * 1500 + b"}"
    assert len(deep) < LIMITS.max_api_body
    r = client.put("/actors?namespace=default", content=deep)
    assert r.status_code == 400
    assert rivet_error(r.content)["group"] == "api"
    just_deep = b'{"name":"counter","x":' + b"[" * 129 + b"]" * 129 + b"}"
    assert client.put("/actors", content=just_deep).status_code == 400
    ok = b'{"name":"counter","x":' + b"[" * 127 + b"]" * 127 + b"}"
    assert client.put("/actors", content=ok).status_code == 200


def _action_url(endpoint: str, name: str, key: str, action: str) -> str:
    q = f"rvt-namespace=default&rvt-method=getOrCreate&rvt-runner=default&rvt-key={quote(key)}"
    return f"{endpoint}/gateway/{name}/action/{action}?{q}"


def test_deep_conn_params_header_is_400(endpoint: str, client: httpx.Client) -> None:
    url = _action_url(endpoint, "counter", "deep-" + uuid.uuid4().hex[:8], "getCount")
    deep = "[" * 5000 + "]" * 5000  # past Python's recursion limit, under the header limit
    r = client.post(url, json={"args": []}, headers={"x-rivet-conn-params": deep})
    assert r.status_code == 400
    assert rivet_error(r.content)["code"] == "internal_error"  # RivetKit's 400 for bad params
    r = client.post(url, json={"args": []}, headers={"x-rivet-conn-params": "[" * 200 + "]" * 200})
    assert r.status_code == 400
    assert client.post(url, json={"args": []}, headers={"x-rivet-conn-params": "[[]]"}).is_success


@pytest.mark.parametrize(
    "key",
    ["line\nfeed", "crlf\r\nx-evil: 1", "tab\there", "nul\x00", "bell\x07", " edge ", "ünï-ćødé"],
)
def test_any_key_keeps_its_http_replies(endpoint: str, client: httpx.Client, key: str) -> None:
    r = client.put("/actors?namespace=default", json={"name": "counter", "key": key})
    assert r.status_code == 200
    actor_id = r.json()["actor"]["actor_id"]
    for _ in range(3):
        r = client.post(f"{endpoint}/gateway/{actor_id}/action/increment", json={"args": [1]})
        assert r.status_code == 200, r.content
        assert "x-evil" not in r.headers
    assert r.json() == {"output": 3}
    sent = dict(r.headers.raw).get(b"x-rivet-actor-key")
    header_safe = key == key.strip(" \t") and all(c == "\t" or c.isprintable() for c in key)
    if header_safe:
        # Non-ASCII travels as its UTF-8 bytes.
        assert sent is not None and sent.decode("utf-8") == key
    else:
        assert sent is None  # RivetKit leaves out a key that cannot be a header value
    assert r.headers["x-rivet-actor"] == actor_id


def test_deep_cbor_input_is_400(endpoint: str, client: httpx.Client) -> None:
    deep = base64.urlsafe_b64encode(b"\x81" * 200 + b"\x00").decode().rstrip("=")
    url = _action_url(endpoint, "counter", "cbor-" + uuid.uuid4().hex[:8], "getCount")
    r = client.post(url + f"&rvt-input={deep}", json={"args": []})
    assert r.status_code == 400 and r.headers["x-rivet-error"] == "guard.query_invalid_params"
    body = {"name": "counter", "key": "c", "input": base64.b64encode(b"\x81" * 200 + b"\x00")}
    r = client.put("/actors", content=json.dumps({**body, "input": body["input"].decode()}))
    assert r.status_code == 400 and rivet_error(r.content)["group"] == "api"
