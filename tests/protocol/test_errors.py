"""The exception hierarchy and ``actor_error`` (rivetkit-protocol.md §4.4)."""

from __future__ import annotations

import pickle

import pytest

from actorbind.protocol import ActorSpecifier
from actorbind.protocol.errors import (
    ActionNotFound,
    ActionTimedOut,
    ActorBindError,
    ActorError,
    ActorNotFound,
    ClientError,
    ConnDisposed,
    ConnectionLost,
    ConnectionOpenFailed,
    DuplicateKey,
    Forbidden,
    InternalError,
    InvalidState,
    MalformedMessage,
    MessageTooLong,
    TransportError,
    Unauthorized,
    actor_error,
)


@pytest.mark.parametrize(
    ("group", "code", "cls"),
    [
        ("actor", "not_found", ActorNotFound),
        ("actor", "action_not_found", ActionNotFound),
        ("actor", "action_timed_out", ActionTimedOut),
        ("actor", "duplicate_key", DuplicateKey),
        ("message", "incoming_too_long", MessageTooLong),
        ("message", "outgoing_too_long", MessageTooLong),
        ("client", "connection_open_failed", ConnectionOpenFailed),
        ("user", "unauthorized", Unauthorized),
        ("auth", "unauthorized", Unauthorized),
        ("auth", "forbidden", Forbidden),
        ("user", "forbidden", Forbidden),
        ("rivetkit", "internal_error", InternalError),
        ("core", "internal_error", InternalError),
        ("user", "custom_code", ActorError),
        ("guard", "not_found", ActorError),  # only actor.not_found is ActorNotFound
        ("user", "action_not_found", ActorError),
        ("message", "other_too_long", ActorError),
        ("", "", ActorError),
    ],
)
def test_actor_error_picks_subclass(group: str, code: str, cls: type[ActorError]) -> None:
    err = actor_error(group, code, "msg")
    assert type(err) is cls
    assert isinstance(err, ActorError)
    assert (err.group, err.code, err.message) == (group, code, "msg")


def test_actor_error_fields() -> None:
    spec = ActorSpecifier("id", 2, "k")
    err = actor_error("user", "custom", "boom", {"n": 1}, spec, ray_id="ray", status=500)
    assert err.metadata == {"n": 1}
    assert err.actor == spec
    assert err.ray_id == "ray"
    assert err.status == 500
    assert err.args == ("boom",)
    plain = actor_error("user", "custom", "boom")
    assert plain.metadata is None and plain.actor is None and plain.ray_id is None


def test_str_and_repr() -> None:
    err = actor_error("actor", "not_found", "The actor does not exist.", {"secret": "tok"})
    assert str(err) == "[actor.not_found] The actor does not exist."
    assert repr(err) == (
        "ActorNotFound(group='actor', code='not_found', message='The actor does not exist.')"
    )
    assert "tok" not in repr(err) and "tok" not in str(err)
    assert repr(ActorError("g", "c", "m")) == "ActorError(group='g', code='c', message='m')"


@pytest.mark.parametrize(
    "err",
    [
        actor_error("actor", "not_found", "m"),
        actor_error(
            "user",
            "custom",
            "m",
            {"n": [1, 2]},
            ActorSpecifier("a", 1, None),
            ray_id="r",
            status=500,
        ),
        actor_error("message", "incoming_too_long", "m", status=400),
        ActorError("user", "unauthorized", "direct construction"),
    ],
)
def test_actor_error_pickles(err: ActorError) -> None:
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(actor_error(err.group, err.code, ""))
    assert (back.group, back.code, back.message, back.metadata, back.actor) == (
        err.group,
        err.code,
        err.message,
        err.metadata,
        err.actor,
    )
    assert (back.ray_id, back.status) == (err.ray_id, err.status)
    assert str(back) == str(err)


def test_client_errors_pickle() -> None:
    lost = pickle.loads(pickle.dumps(ConnectionLost("gone", 1006, "why")))
    assert (str(lost), lost.code, lost.reason) == ("gone", 1006, "why")
    disposed = pickle.loads(pickle.dumps(ConnDisposed()))
    assert isinstance(disposed, ConnDisposed) and "disposed" in str(disposed)
    mal = pickle.loads(pickle.dumps(MalformedMessage("bad")))
    assert str(mal) == "bad"


def test_hierarchy() -> None:
    assert issubclass(ActorError, ActorBindError)
    assert issubclass(ClientError, ActorBindError)
    assert issubclass(ActorBindError, Exception)
    for cls in (
        ActorNotFound,
        ActionNotFound,
        ActionTimedOut,
        DuplicateKey,
        MessageTooLong,
        Unauthorized,
        Forbidden,
        InternalError,
        ConnectionOpenFailed,
    ):
        assert issubclass(cls, ActorError)
        assert not issubclass(cls, ClientError)
    for cls in (ConnDisposed, TransportError, ConnectionLost, MalformedMessage, InvalidState):
        assert issubclass(cls, ClientError)
        assert not issubclass(cls, ActorError)
    assert issubclass(ConnDisposed, RuntimeError)
    assert issubclass(TransportError, ConnectionError)
    assert issubclass(ConnectionLost, TransportError)
    assert issubclass(MalformedMessage, ValueError)


def test_conn_disposed_message() -> None:
    assert str(ConnDisposed()) == "the actor connection was disposed"
    assert str(ConnDisposed("client gone")) == "client gone"
    with pytest.raises(RuntimeError):
        raise ConnDisposed()


def test_connection_lost_defaults() -> None:
    lost = ConnectionLost("x")
    assert lost.code is None and lost.reason == ""
