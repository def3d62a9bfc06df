"""Error bodies in pairs: what the server writes (``server/responses.py``, with its codecs),
the client reads back (``transport/errors.py``), both through ``actorbind.protocol.http``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from actorbind.protocol import ActorSpecifier, HttpResponseError, codec_for
from actorbind.protocol.errors import ActorError, TransportError
from actorbind.protocol.http import (
    ERROR_HEADER,
    error_header,
    error_reply,
    read_error_body,
    read_error_header,
    write_error_body,
)
from actorbind.server.errors import RivetError
from actorbind.server.responses import gateway_error_response, json_error_response
from actorbind.server.wire import ENCODINGS, server_codec
from actorbind.transport.errors import error_from_response

METADATA: list[Any] = [
    None,
    {"limit": 10, "nested": {"list": [1, 2.5, True, None]}, "name": "zoë 🦀"},
    ["a", 1],
    "text",
    {"raw": b"\x00\xffbytes", "big": 2**70},
]
ACTOR = ActorSpecifier("actor-1", 3, "room/1")


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("metadata", METADATA)
def test_actor_error_body_round_trip(encoding: str, metadata: Any) -> None:
    sent = HttpResponseError("user", "too_many", "slow down", metadata, ACTOR)
    server = server_codec(encoding)
    assert server is not None
    body = write_error_body(sent, server)
    client = codec_for(encoding)
    assert read_error_body(body, server.content_type, client) == sent

    response = httpx.Response(
        400, content=body, headers={"content-type": server.content_type, "x-rivet-ray-id": "r1"}
    )
    err = error_from_response(response, client)
    assert isinstance(err, ActorError)
    assert (err.group, err.code, err.message, err.metadata) == (
        "user",
        "too_many",
        "slow down",
        metadata,
    )
    assert err.actor == ACTOR and err.ray_id == "r1" and err.status == 400


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("metadata", [None, {"retry": [1, 2]}])
def test_gateway_error_is_json_whatever_the_request_encoding(encoding: str, metadata: Any) -> None:
    reply = gateway_error_response(RivetError("guard", "actor_ready_timeout", "late", metadata))
    assert reply.headers[ERROR_HEADER] == "guard.actor_ready_timeout"
    response = httpx.Response(reply.status_code, content=reply.body, headers=dict(reply.headers))
    err = error_from_response(response, codec_for(encoding))
    assert isinstance(err, ActorError)
    assert (err.group, err.code, err.message, err.metadata) == (
        "guard",
        "actor_ready_timeout",
        "late",
        metadata,
    )
    assert err.actor is None


def test_management_api_errors_carry_no_error_header() -> None:
    reply = json_error_response(RivetError("api", "bad_request", "no", status=400), named=False)
    assert ERROR_HEADER not in reply.headers
    assert read_error_body(bytes(reply.body), reply.headers["content-type"]) == HttpResponseError(
        "api", "bad_request", "no"
    )


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_body_that_is_no_error_falls_back_to_the_header(encoding: str) -> None:
    client = codec_for(encoding)
    assert read_error_body(b"<html>bad gateway</html>", "text/html", client) is None
    response = httpx.Response(
        502, content=b"<html>bad gateway</html>", headers={ERROR_HEADER: "guard.bad_gateway"}
    )
    err = error_from_response(response, client)
    assert isinstance(err, ActorError) and (err.group, err.code) == ("guard", "bad_gateway")
    bare = httpx.Response(502, content=b"<html>bad gateway</html>")
    assert isinstance(error_from_response(bare, client), TransportError)


@pytest.mark.parametrize("value", ["", "guard", "guard.", ".code"])
def test_an_error_header_without_group_and_code_names_nothing(value: str) -> None:
    assert read_error_header(value) is None


def test_error_header_is_group_dot_code() -> None:
    err = HttpResponseError("message", "incoming_too_long", "x")
    assert error_header(err) == "message.incoming_too_long"
    assert read_error_header(error_header(err)) == ("message", "incoming_too_long")


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("named", [True, False])
@pytest.mark.parametrize("actor", [None, ACTOR])
def test_error_reply_round_trip(encoding: str, named: bool, actor: ActorSpecifier | None) -> None:
    # error_reply is what every server-side writer sends (routes, admission, the handshake
    # refusals, the runner's tunnel); the client's reading gives back the same error.
    sent = HttpResponseError("user", "too_many", "slow down", {"n": [1, 2]}, actor)
    server = server_codec(encoding)
    assert server is not None
    reply = error_reply(sent, 429, server, named=named)
    assert reply.status == 429
    assert reply.headers["content-type"] == server.content_type
    assert reply.headers["content-length"] == str(len(reply.body))
    assert read_error_header(reply.headers.get(ERROR_HEADER, "")) == (
        ("user", "too_many") if named else None
    )
    client = codec_for(encoding)
    assert read_error_body(reply.body, reply.headers["content-type"], client) == sent
    assert dict(reply.raw_headers()) == {k.encode(): v.encode() for k, v in reply.headers.items()}


def test_server_responses_are_the_protocol_reply() -> None:
    err = RivetError("guard", "actor_ready_timeout", "late", {"a": 1})
    wire = HttpResponseError("guard", "actor_ready_timeout", "late", {"a": 1})
    reply = error_reply(wire, err.status)
    for response in (gateway_error_response(err), json_error_response(err)):
        assert response.status_code == reply.status and bytes(response.body) == reply.body
        assert {k: response.headers[k] for k in reply.headers} == reply.headers
