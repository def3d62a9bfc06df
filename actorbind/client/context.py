"""What handles and connections share with the client that made them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..protocol.codecs import Codec
from ..protocol.http import TOKEN_HEADER
from ..protocol.retry import Backoff, Classifier, classify
from ..transport import Transport
from .config import USER_AGENT, ClientConfig
from .management import Management

if TYPE_CHECKING:
    from .conn import ActorConn

__all__ = ["ClientContext"]


@dataclass(eq=False, slots=True)
class ClientContext:
    """The client's shared machinery; one per :class:`~actorbind.Client`."""

    initial: ClientConfig
    transport: Transport
    management: Management
    codec: Codec
    retry: Classifier = classify
    backoff: Backoff = field(default_factory=Backoff)
    conns: set[ActorConn] = field(default_factory=set)
    disposed: bool = False

    def gateway_headers(self, cfg: ClientConfig) -> dict[str, str]:
        headers = {"user-agent": USER_AGENT, **cfg.headers}
        if cfg.token:
            headers[TOKEN_HEADER] = cfg.token
        return headers
