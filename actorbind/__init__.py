"""actorbind: a Python client for Rivet Actors (RivetKit 2.3), wire-compatible in json, cbor
and bare.

>>> from actorbind import create_client
>>> client = create_client("http://127.0.0.1:6420", encoding="bare")

See the README for the quick start; ``actorbind.rx`` and ``actorbind_qt`` add ReactiveX and Qt
bindings, ``actorbind.server`` an embedded actor server.
"""

from __future__ import annotations

import logging

from ._version import __version__ as __version__
from .client.client import ActorAccessor, Client, create_client
from .client.conn import ActorConn, Unsubscribe
from .client.handle import ActorHandle, QueueSendResult
from .protocol.codecs import Encoding
from .protocol.connection import ConnStatus
from .protocol.errors import (
    ActionNotFound,
    ActionTimedOut,
    ActorBindError,
    ActorError,
    ActorNotFound,
    ClientError,
    ConnDisposed,
    ConnectionLost,
    ConnectionOpenFailed,
    ConnectTimeout,
    DuplicateKey,
    Forbidden,
    InternalError,
    InvalidState,
    MalformedMessage,
    MessageTooLong,
    OutcomeUnknown,
    TransportError,
    Unauthorized,
)
from .protocol.messages import ActorSpecifier
from .protocol.values import UNDEFINED

__all__ = [
    "UNDEFINED",
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
    "Unauthorized",
    "Unsubscribe",
    "create_client",
]


# Library logging: silent unless the application configures logging (the "actorbind" logger
# and its children: actorbind.conn, actorbind.client, actorbind.socket, actorbind.server...).
logging.getLogger("actorbind").addHandler(logging.NullHandler())
