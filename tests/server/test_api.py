"""Management API (``/metadata``, ``/health``, ``/actors``) as the Rivet Engine answers it."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator

import cbor2
import httpx
import pytest

from actorbind.server import run_in_thread
from tests.support.actors import registry

ACTOR_FIELDS = {
    "actor_id",
    "name",
    "key",
    "namespace_id",
    "datacenter",
    "runner_name_selector",
    "crash_policy",
    "create_ts",
    "start_ts",
    "pending_allocation_ts",
    "connectable_ts",
    "sleep_ts",
    "reschedule_ts",
    "destroy_ts",
}


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with run_in_thread(registry) as ep, httpx.Client(base_url=ep, timeout=10) as c:
        yield c


def key() -> str:
    return "a-" + uuid.uuid4().hex[:10]


def test_metadata_and_health(client: httpx.Client) -> None:
    meta = client.get("/metadata?namespace=default").json()
    assert meta["runtime"] == "engine" and meta["version"] == "2.3.19"
    assert "clientEndpoint" not in meta
    assert client.get("/health").json() == {
        "runtime": "engine",
        "status": "ok",
        "version": "2.3.19",
    }


def test_get_or_create_then_lookups(client: httpx.Client) -> None:
    k = key()
    body = {"name": "counter", "key": k, "runner_name_selector": "default", "crash_policy": "sleep"}
    first = client.put("/actors?namespace=default", json=body)
    assert first.status_code == 200
    assert first.json()["created"] is True
    actor = first.json()["actor"]
    assert set(actor) == ACTOR_FIELDS
    assert (actor["name"], actor["key"], actor["destroy_ts"]) == ("counter", k, None)
    assert actor["start_ts"] is None  # not started yet, like the engine
    again = client.put("/actors?namespace=default", json=body).json()
    assert again["created"] is False and again["actor"]["actor_id"] == actor["actor_id"]
    by_key = client.get(f"/actors?name=counter&key={k}&namespace=default").json()
    assert [a["actor_id"] for a in by_key["actors"]] == [actor["actor_id"]]
    assert by_key["pagination"] == {"cursor": None}
    by_id = client.get(f"/actors?namespace=default&actor_ids={actor['actor_id']}").json()
    assert by_id["actors"][0]["key"] == k
    assert client.get("/actors?name=counter&key=nope-x&namespace=default").json() == {
        "actors": [],
        "pagination": {"cursor": None},
    }
    # namespaces are separate
    other = client.put("/actors?namespace=other", json=body).json()
    assert other["created"] is True and other["actor"]["actor_id"] != actor["actor_id"]


def test_create_with_input_and_duplicate_key(client: httpx.Client) -> None:
    k = key()
    raw = bytes.fromhex("b90002646e616d6565616c6963656a7374617274436f756e7407")
    assert cbor2.loads(raw) == {"name": "alice", "startCount": 7}
    body = {
        "name": "withInput",
        "key": k,
        "input": base64.b64encode(raw).decode(),
        "crash_policy": "sleep",
    }
    created = client.post("/actors?namespace=default", json=body)
    assert created.status_code == 200
    actor_id = created.json()["actor"]["actor_id"]
    out = client.post(f"/gateway/{actor_id}/action/getInput", content=b'{"args":[]}')
    assert out.json() == {"output": {"name": "alice", "startCount": 7}}
    assert client.post(f"/gateway/{actor_id}/action/getCount", content=b"{}").json() == {
        "output": 7
    }
    dup = client.post("/actors?namespace=default", json=body)
    assert dup.status_code == 400
    expected = (
        f'{{"group":"actor","code":"duplicate_key","message":"Actor key \'{k}\' already in use '
        f'for actor \'{actor_id}\'","metadata":{{"existing_actor_id":"{actor_id}","key":"{k}"}}}}'
    )
    assert dup.content == expected.encode()


def test_escaped_keys(client: httpx.Client) -> None:
    serialized = "a/b\\/c/\\0/d-" + uuid.uuid4().hex[:6]
    r = client.put("/actors?namespace=default", json={"name": "counter", "key": serialized})
    actor = r.json()["actor"]
    assert actor["key"] == serialized
    got = client.post(f"/gateway/{actor['actor_id']}/action/getKey", content=b"{}")
    assert got.json() == {"output": ["a", "b/c", "", serialized.rsplit("/", 1)[1]]}
    assert got.headers["x-rivet-actor-key"] == serialized


def test_list_by_name_and_destroy(client: httpx.Client) -> None:
    name_ids = {
        client.post("/actors", json={"name": "slow", "key": key()}).json()["actor"]["actor_id"]
        for _ in range(3)
    }
    listed = {a["actor_id"] for a in client.get("/actors?name=slow").json()["actors"]}
    assert name_ids <= listed
    victim = sorted(name_ids)[0]
    r = client.delete(f"/actors/{victim}?namespace=default")
    assert (r.status_code, r.content) == (200, b"{}")
    assert victim not in {a["actor_id"] for a in client.get("/actors?name=slow").json()["actors"]}
    gone = client.get(f"/actors?actor_ids={victim}").json()["actors"][0]
    assert gone["destroy_ts"] is not None
    again = client.delete(f"/actors/{victim}")
    assert again.status_code == 404 and again.json()["code"] == "not_found"


def test_key_is_free_again_after_destroy(client: httpx.Client) -> None:
    k = key()
    first = client.post("/actors", json={"name": "counter", "key": k}).json()["actor"]["actor_id"]
    client.delete(f"/actors/{first}")
    second = client.post("/actors", json={"name": "counter", "key": k})
    assert second.status_code == 200 and second.json()["actor"]["actor_id"] != first


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{oops",
        b"[]",
        b'{"key":"k"}',
        b'{"name":"counter","key":5}',
        b'{"name":"counter","input":"!!"}',
    ],
)
def test_bad_requests(client: httpx.Client, body: bytes) -> None:
    for method in ("PUT", "POST"):
        r = client.request(
            method, "/actors", content=body, headers={"content-type": "application/json"}
        )
        assert r.status_code == 400
        assert set(json.loads(r.content)) >= {"group", "code", "message"}


def test_unknown_routes(client: httpx.Client) -> None:
    assert client.get("/nope").status_code == 404
    assert client.get("/actors").status_code == 400
