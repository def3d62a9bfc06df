"""Every public surface, pinned: ``__all__`` has no duplicates, every name in it is importable,
and the list is the one below (a change to a public surface is a change to this file too)."""

from __future__ import annotations

import importlib

import pytest

# DESIGN.md's contract and what each layer adds; sorted.
PUBLIC: dict[str, list[str]] = {
    "actorbind": [
        "ActionNotFound",
        "ActionTimedOut",
        "ActorAccessor",
        "ActorBindError",
        "ActorConn",
        "ActorError",
        "ActorHandle",
        "ActorNotFound",
        "ActorSpecifier",
        "Client",
        "ClientError",
        "ConnDisposed",
        "ConnStatus",
        "ConnectTimeout",
        "ConnectionLost",
        "ConnectionOpenFailed",
        "DuplicateKey",
        "Encoding",
        "Forbidden",
        "InternalError",
        "InvalidState",
        "MalformedMessage",
        "MessageTooLong",
        "OutcomeUnknown",
        "QueueSendResult",
        "TransportError",
        "UNDEFINED",
        "Unauthorized",
        "Unsubscribe",
        "create_client",
    ],
    "actorbind.rx": [
        "ActorEntry",
        "ActorOptions",
        "ActorStore",
        "DEFAULT_GRACE",
        "FRAME",
        "HashFunction",
        "ListChange",
        "ListInserted",
        "ListOp",
        "ListRemoved",
        "ListReset",
        "ListUpdated",
        "LiveList",
        "LiveSource",
        "LiveState",
        "LiveStatus",
        "Reducer",
        "action",
        "append",
        "call_on_loop",
        "default_hash",
        "errors",
        "events",
        "latest_per_frame",
        "live_list",
        "live_state",
        "observe_on_loop",
        "on_loop_thread",
        "remove_by_key",
        "status",
        "subscribe_on_loop",
        "upsert",
    ],
    "actorbind.runner": [
        "EngineKvStore",
        "Envoy",
        "EnvoyError",
        "PROTOCOL_VERSION",
        "StateTooLarge",
        "serve_engine",
        "serve_engine_in_thread",
    ],
    "actorbind.server": [
        "Action",
        "ActionContext",
        "Actor",
        "ActorContext",
        "ConnContext",
        "Limits",
        "QueueMessage",
        "Registry",
        "RivetError",
        "UserError",
        "__version__",
        "action",
        "create_app",
        "queue",
        "run_in_thread",
        "serve",
    ],
    "actorbind_qt": [
        "ActorBinding",
        "ActorEntry",
        "ActorListModel",
        "ActorQmlState",
        "ActorStore",
        "ITEM_ROLE",
        "LiveValue",
        "QUIT_TIMEOUT",
        "aclose_all",
        "bind",
        "bind_property",
        "default_store",
        "live_bindings",
        "release_qasync_loop",
        "run",
        "use_actor",
    ],
    "actorbind.protocol": [
        "ActionFailed",
        "ActionRequest",
        "ActionResponse",
        "ActionSucceeded",
        "ActorKey",
        "ActorSpecifier",
        "BARE_VERSION",
        "Backoff",
        "BareCodec",
        "CborCodec",
        "Classifier",
        "CloseSocket",
        "Closed",
        "Codec",
        "ConnEvent",
        "ConnStatus",
        "ConnectionProtocol",
        "DEFINITE_FAILURES",
        "ENCODINGS",
        "Encoding",
        "Endpoint",
        "Error",
        "ErrorRaised",
        "Event",
        "EventArrived",
        "GatewayRoute",
        "HttpActionRequest",
        "HttpActionResponse",
        "HttpQueueSendRequest",
        "HttpQueueSendResponse",
        "HttpResponseError",
        "IdTarget",
        "Init",
        "JsonCodec",
        "MAX_INPUT_SIZE",
        "MAX_SAFE_INTEGER",
        "Opened",
        "QueryTarget",
        "RULES",
        "Retry",
        "SKIP_READY_WAIT_HEADER",
        "SKIP_READY_WAIT_PROTOCOL",
        "ScheduleReconnect",
        "StatusChanged",
        "SubscriptionRequest",
        "ToClient",
        "ToServer",
        "UNDEFINED",
        "Undefined",
        "classify",
        "codec_for",
        "deserialize_key",
        "encode_input_query",
        "encode_input_rest",
        "from_compat",
        "gateway_route",
        "gateway_url",
        "is_retryable",
        "normalize_key",
        "parse_close_reason",
        "parse_endpoint",
        "query_key",
        "serialize_key",
        "to_compat",
        "to_websocket_url",
    ],
    # The I/O seam: what a test (or a user) implements to replace the network.
    "actorbind.transport": [
        "HTTPTransport",
        "MockTransport",
        "Request",
        "RequestFailed",
        "SocketRequest",
        "Transport",
        "WebSocketTransport",
        "error_from_response",
        "map_transport_errors",
        "redact",
    ],
}


@pytest.fixture(params=sorted(PUBLIC))
def module(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def test_no_duplicates(module: str) -> None:
    names = importlib.import_module(module).__all__
    assert len(names) == len(set(names))


def test_every_name_is_importable(module: str) -> None:
    mod = importlib.import_module(module)
    missing = [name for name in mod.__all__ if not hasattr(mod, name)]
    assert missing == []
    namespace: dict[str, object] = {}
    exec(f"from {module} import *", namespace)
    assert set(mod.__all__) <= set(namespace)


def test_the_list_is_pinned(module: str) -> None:
    assert sorted(importlib.import_module(module).__all__) == PUBLIC[module]


def test_public_names_are_not_private(module: str) -> None:
    names = importlib.import_module(module).__all__
    assert [n for n in names if n.startswith("_") and n != "__version__"] == []
