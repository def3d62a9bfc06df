"""Client configuration: arguments, environment variables and URL auth, resolved once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .._version import __version__
from ..protocol.codecs import ENCODINGS, Encoding
from ..protocol.urls import parse_endpoint

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_ENDPOINT",
    "USER_AGENT",
    "ClientConfig",
    "resolve_config",
]

DEFAULT_ENDPOINT = "http://localhost:6420"
USER_AGENT = f"actorbind/{__version__} (RivetKit/2.3.19 compatible)"
DEFAULT_CONNECT_TIMEOUT = 30.0
"""Seconds an action made on a connection waits for it to connect before it fails."""


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Everything a client needs to address actors. Never printed with its token."""

    endpoint: str
    namespace: str
    token: str | None = field(repr=False)
    encoding: Encoding
    headers: Mapping[str, str] = field(repr=False)
    runner: str
    disable_metadata_lookup: bool
    timeout: float | None
    max_message_size: int | None
    max_incoming_message_size: int | None
    max_response_head_size: int = 64 * 1024
    max_response_size: int = 4 * 1024 * 1024
    connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT
    skip_ready_wait: bool = False

    def with_overrides(
        self, endpoint: str | None, namespace: str | None, token: str | None
    ) -> ClientConfig:
        """The config after a ``/metadata`` answer redirected the client."""
        if endpoint is None:
            return self
        parsed = parse_endpoint(endpoint)
        return replace(
            self,
            endpoint=parsed.base,
            namespace=namespace or parsed.namespace or self.namespace,
            token=token or parsed.token or self.token,
        )


def resolve_config(
    endpoint: str | None,
    *,
    token: str | None,
    namespace: str | None,
    encoding: str,
    headers: Mapping[str, str] | None,
    runner: str | None,
    disable_metadata_lookup: bool,
    timeout: float | None,
    max_message_size: int | None,
    max_incoming_message_size: int | None,
    max_response_head_size: int = 64 * 1024,
    max_response_size: int = 4 * 1024 * 1024,
    connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
    skip_ready_wait: bool = False,
    environ: Mapping[str, str] | None = None,
) -> ClientConfig:
    """Resolve arguments > URL auth > environment > defaults, like RivetKit's ``createClient``.

    Raises:
        ValueError: an unknown encoding, a malformed endpoint, or a negative timeout.
    """
    env = os.environ if environ is None else environ
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}: expected one of 'json', 'cbor', 'bare'")
    raw = endpoint or env.get("RIVET_ENGINE") or env.get("RIVET_ENDPOINT") or DEFAULT_ENDPOINT
    parsed = parse_endpoint(raw)
    for label, seconds in (("timeout", timeout), ("connect_timeout", connect_timeout)):
        if seconds is not None and not seconds > 0:
            raise ValueError(f"{label} must be a positive number of seconds or None")
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValueError("headers must map str to str")
    return ClientConfig(
        endpoint=parsed.base,
        namespace=namespace or parsed.namespace or env.get("RIVET_NAMESPACE") or "default",
        token=token or parsed.token or env.get("RIVET_TOKEN") or None,
        encoding=encoding,  # checked above
        headers=dict(headers or {}),
        runner=runner or env.get("RIVET_POOL") or "default",
        disable_metadata_lookup=disable_metadata_lookup,
        timeout=timeout,
        max_message_size=max_message_size,
        max_incoming_message_size=max_incoming_message_size,
        max_response_head_size=_positive("max_response_head_size", max_response_head_size),
        max_response_size=_positive("max_response_size", max_response_size),
        connect_timeout=connect_timeout,
        skip_ready_wait=skip_ready_wait,
    )


def _positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive int (bytes)")
    return value
