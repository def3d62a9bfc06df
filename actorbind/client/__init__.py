"""The client layer: ``Client`` -> ``ActorAccessor`` -> ``ActorHandle`` -> ``ActorConn``.

It reaches the network only through :mod:`actorbind.transport` and takes every wire rule from
:mod:`actorbind.protocol`. The public names are re-exported by :mod:`actorbind`.
"""

from __future__ import annotations

from .client import ActorAccessor, Client, create_client
from .conn import ActorConn, Unsubscribe
from .handle import ActorHandle, QueueSendResult

__all__ = [
    "ActorAccessor",
    "ActorConn",
    "ActorHandle",
    "Client",
    "QueueSendResult",
    "Unsubscribe",
    "create_client",
]
