"""The management API in pairs: what the client (and the runner) builds the server reads back,
what the server builds the client reads back, all through ``actorbind.protocol.management``;
and both sides against RivetKit 2.3.19's captured ``/actors`` and ``/metadata`` traffic."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import cbor2
import httpx
import pytest

from actorbind.protocol.errors import MalformedMessage
from actorbind.protocol.keys import ActorKey, deserialize_key
from actorbind.protocol.management import (
    ActorRecord,
    ApiRequest,
    BadApiRequest,
    CreateRequest,
    ListQuery,
    Metadata,
    actor_by_id_request,
    actor_by_key_request,
    actor_list_reply,
    actor_object,
    create_actor_request,
    create_reply,
    datacenters_request,
    destroy_actor_request,
    get_or_create_reply,
    metadata_reply,
    metadata_request,
    read_actor_list,
    read_create_body,
    read_create_reply,
    read_datacenters,
    read_get_or_create_reply,
    read_list_query,
    read_metadata,
    read_namespace,
    runner_config_request,
)
from actorbind.protocol.values import from_compat
from actorbind.runner.pool import ensure_pool

CAPTURES = Path("/work/shared/wire-captures")
ENDPOINT = "http://127.0.0.1:6420/base"
KEYS: list[ActorKey] = [(), ("k",), ("a", "b/c", "d,e", ""), ("zoë 🦀", "\\")]
INPUTS: list[tuple[Any, bool]] = [(None, False), (None, True), ({"n": [1, 2.5], "s": "x"}, True)]


def _query(request: ApiRequest) -> dict[str, str]:
    # What the server's query_params hold once the URL has travelled.
    return dict(parse_qsl(urlsplit(request.url(ENDPOINT)).query, keep_blank_values=True))


def _wire(body: Any) -> Any:
    return json.loads(json.dumps(body))


# --- client-built requests, read by the server ---------------------------------------------


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize(("value", "has_input"), INPUTS)
@pytest.mark.parametrize("region", [None, "eu"])
@pytest.mark.parametrize("get_or_create", [True, False])
def test_create_request_round_trip(
    key: ActorKey, value: Any, has_input: bool, region: str | None, get_or_create: bool
) -> None:
    request = create_actor_request(
        "chat room",
        key,
        namespace="ns 1",
        runner="pool-a",
        input=value,
        has_input=has_input,
        region=region,
        get_or_create=get_or_create,
    )
    assert (request.method, request.path) == ("PUT" if get_or_create else "POST", "/actors")
    assert read_namespace(_query(request)) == "ns 1"
    got = read_create_body(_wire(request.body))
    assert got == CreateRequest(
        "chat room",
        key,
        got.input,
        runner="pool-a",
        crash_policy="sleep",
        datacenter=region,
    )
    if has_input:
        assert got.input is not None and from_compat(cbor2.loads(got.input)) == value
    else:
        assert got.input is None


@pytest.mark.parametrize("key", KEYS)
def test_list_requests_round_trip(key: ActorKey) -> None:
    by_key = actor_by_key_request("counter", key, "ns")
    assert read_list_query(_query(by_key)) == ListQuery(name="counter", key=key)
    by_id = actor_by_id_request("abc123", "ns")
    assert read_list_query(_query(by_id)) == ListQuery(actor_ids=("abc123",))
    assert read_namespace(_query(by_id)) == read_namespace(_query(by_key)) == "ns"


def test_destroy_and_runner_config_paths_carry_their_names() -> None:
    destroy = destroy_actor_request("a/b c", "ns")
    assert destroy.method == "DELETE" and destroy.body is None
    assert unquote(urlsplit(destroy.url(ENDPOINT)).path.rpartition("/")[2]) == "a/b c"
    config = runner_config_request("my pool", "dc-1", "ns")
    assert (config.method, unquote(config.path)) == ("PUT", "/runner-configs/my pool")
    assert config.body == {
        "datacenters": {"dc-1": {"normal": {}, "drain_on_version_upgrade": True}}
    }


def test_server_reads_what_it_must_refuse() -> None:
    with pytest.raises(BadApiRequest, match="`actor_ids` or `name`"):
        read_list_query({"namespace": "default"})
    assert read_list_query({"name": "counter"}) == ListQuery(name="counter")
    assert read_namespace({}) == "default"
    for body in (None, [], {}, {"name": ""}, {"name": 3}):
        with pytest.raises(BadApiRequest, match="`name` is required"):
            read_create_body(body)
    with pytest.raises(BadApiRequest, match="`key` must be a string"):
        read_create_body({"name": "x", "key": ["a"]})
    for raw in ("not base64!", base64.b64encode(b"\xff\xff").decode(), 5):
        with pytest.raises(BadApiRequest, match="`input` is not base64-encoded CBOR"):
            read_create_body({"name": "x", "input": raw})
    deep = base64.b64encode(cbor2.dumps([[1]])).decode()
    with pytest.raises(BadApiRequest, match="`input`"):
        read_create_body({"name": "x", "input": deep}, too_deep=lambda v: True)
    assert read_create_body({"name": "x", "input": deep}).input == cbor2.dumps([[1]])


# --- server-built replies, read by the client ----------------------------------------------


def _actor(key: ActorKey = ("a", "b/c")) -> dict[str, Any]:
    return actor_object(
        actor_id="id1",
        name="counter",
        key=key,
        namespace="ns",
        datacenter="default",
        runner="default",
        crash_policy="sleep",
        create_ts=1,
        start_ts=None,
        connectable_ts=None,
        sleep_ts=None,
        destroy_ts=None,
    )


@pytest.mark.parametrize("key", KEYS)
def test_replies_round_trip(key: ActorKey) -> None:
    actor = _actor(key)
    record = ActorRecord.parse(_wire(actor))
    assert (record.actor_id, record.name, deserialize_key(record.key)) == ("id1", "counter", key)
    assert read_actor_list(_wire(actor_list_reply([actor, actor]))) == [record, record]
    assert read_actor_list(_wire(actor_list_reply([]))) == []
    assert read_get_or_create_reply(_wire(get_or_create_reply(actor, True))) == (record, True)
    assert read_create_reply(_wire(create_reply(actor))) == record


@pytest.mark.parametrize(
    "redirect",
    [None, Metadata(), Metadata("http://127.0.0.1:9/x", "other", "t0k")],
)
def test_metadata_round_trip(redirect: Metadata | None) -> None:
    reply = metadata_reply("2.3.19", redirect, server="actorbind", actor_names={})
    assert reply["runtime"] == "engine" and reply["server"] == "actorbind"
    assert read_metadata(_wire(reply)) == (redirect or Metadata())
    assert "t0k" not in repr(read_metadata(_wire(reply)))


@pytest.mark.parametrize(
    "reply", [None, [], {"actors": {}}, {"actors": [{"actor_id": 1}]}, {"actors": ["x"]}]
)
def test_malformed_lists_are_malformed(reply: Any) -> None:
    with pytest.raises(MalformedMessage):
        read_actor_list(reply)


def test_datacenters() -> None:
    assert read_datacenters({"datacenters": [{"name": "dc-1"}, {"name": "dc-2"}]}) == [
        "dc-1",
        "dc-2",
    ]
    assert read_datacenters({"datacenters": []}) == ["default"]
    for bad in (None, {"datacenters": [{"label": 1}]}, {"datacenters": "x"}):
        with pytest.raises(MalformedMessage):
            read_datacenters(bad)


async def test_runner_ensure_pool_sends_the_protocol_requests() -> None:
    seen: list[tuple[str, str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        seen.append((request.method, str(request.url), body))
        if request.url.path.endswith("/datacenters"):
            return httpx.Response(200, json={"datacenters": [{"name": "dc-9"}]})
        return httpx.Response(200, json={})

    await ensure_pool(
        "http://127.0.0.1:1/", "ns", "pool", None, transport=httpx.MockTransport(answer)
    )
    wanted = [datacenters_request("ns"), runner_config_request("pool", "dc-9", "ns")]
    assert seen == [(r.method, r.url("http://127.0.0.1:1"), r.body) for r in wanted]


# --- against the captures ------------------------------------------------------------------


def _captured() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for name in ("json.jsonl", "raw.jsonl"):
        path = CAPTURES / name
        if not path.exists():
            continue
        requests: dict[int, dict[str, Any]] = {}
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record.get("kind") == "http_request" and record["url"].startswith(
                ("/actors", "/metadata")
            ):
                requests[record["id"]] = record
            elif record.get("kind") == "http_response" and record.get("id") in requests:
                pairs.append((requests.pop(record["id"]), record))
    return pairs


CAPTURED = _captured()  # empty without the captures: the two tests below are then skipped


def _text(record: dict[str, Any]) -> Any:
    body = record.get("body")
    assert body is not None and not body.get("truncated")
    return json.loads(body["text"])


def _params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _ours(request: dict[str, Any]) -> ApiRequest:
    """The request our client builds for the captured one."""
    method, url = request["method"], request["url"]
    query = _params(url)
    namespace = read_namespace(query)
    path = urlsplit(url).path
    if path == "/metadata":
        return metadata_request(namespace)
    if method == "DELETE":
        return destroy_actor_request(unquote(path.rpartition("/")[2]), namespace)
    if method == "GET":
        listed = read_list_query(query)
        if listed.actor_ids:
            return actor_by_id_request(listed.actor_ids[0], namespace)
        assert listed.name is not None and listed.key is not None
        return actor_by_key_request(listed.name, listed.key, namespace)
    got = read_create_body(_text(request))
    value: Any = None
    if got.input is not None:
        value = from_compat(cbor2.loads(got.input))
    assert got.runner is not None
    return create_actor_request(
        got.name,
        got.key,
        namespace=namespace,
        runner=got.runner,
        input=value,
        has_input=got.input is not None,
        region=got.datacenter,
        get_or_create=method == "PUT",
    )


@pytest.mark.parametrize(("request_", "response"), CAPTURED, ids=lambda r: str(r["seq"]))
def test_captured_requests_are_what_our_client_builds(
    request_: dict[str, Any], response: dict[str, Any]
) -> None:
    ours = _ours(request_)
    assert ours.method == request_["method"]
    assert urlsplit(ours.url("")).path == urlsplit(request_["url"]).path
    assert _params(ours.url("")) == _params(request_["url"])
    if ours.body is not None:
        theirs, body = _text(request_), _wire(ours.body)
        if "input" in theirs:
            # The same CBOR value (the TS client writes map16 headers, we the shortest form).
            raw = [cbor2.loads(base64.b64decode(b.pop("input"))) for b in (theirs, body)]
            assert raw[0] == raw[1]
        assert body == theirs


@pytest.mark.parametrize(("request_", "response"), CAPTURED, ids=lambda r: str(r["seq"]))
def test_captured_replies_read_and_rebuilt(
    request_: dict[str, Any], response: dict[str, Any]
) -> None:
    if response["status"] != 200:
        return  # error bodies: tests/protocol/test_error_body.py and the golden captures
    reply = _text(response)
    method, path = request_["method"], urlsplit(request_["url"]).path
    if path == "/metadata":
        assert read_metadata(reply) == Metadata()
        return
    if method == "DELETE":
        assert reply == {}
        return
    if method == "GET":
        actors = reply["actors"]
        assert [r.actor_id for r in read_actor_list(reply)] == [a["actor_id"] for a in actors]
    elif method == "PUT":
        record, created = read_get_or_create_reply(reply)
        actors = [reply["actor"]]
        assert created is reply["created"] and record.actor_id == actors[0]["actor_id"]
    else:
        actors = [read_create_reply(reply).raw]
    for actor in actors:
        # The server's builder writes the engine's object: same fields, same values.
        rebuilt = actor_object(
            actor_id=actor["actor_id"],
            name=actor["name"],
            key=deserialize_key(actor["key"]),
            namespace=actor["namespace_id"],
            datacenter=actor["datacenter"],
            runner=actor["runner_name_selector"],
            crash_policy=actor["crash_policy"],
            create_ts=actor["create_ts"],
            start_ts=actor["start_ts"],
            connectable_ts=actor["connectable_ts"],
            sleep_ts=actor["sleep_ts"],
            destroy_ts=actor["destroy_ts"],
        )
        assert rebuilt == actor
