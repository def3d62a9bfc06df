"""``ctx.client()`` under the runner: the injected factory is called with the envoy's
namespace, token and pool, never shows the token, and the CLI loads it by name."""

from __future__ import annotations

from typing import Any

import pytest

import actorbind
from actorbind.runner.__main__ import load_factory
from actorbind.runner.envoy import Envoy
from actorbind.server.registry import Registry
from tests.support.actors import registry


async def test_ctx_client_is_made_with_the_envoys_namespace_token_and_pool() -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def factory(endpoint: str, **options: Any) -> object:
        calls.append((endpoint, options))
        return object()

    envoy = Envoy(
        registry,
        endpoint="http://127.0.0.1:6420",
        namespace="ns",
        pool="python",
        token="s3cret",
        client=factory,
    )
    try:
        first = envoy.host.client()
        assert envoy.host.client() is first  # made once, shared by the actors
        assert calls == [
            ("http://127.0.0.1:6420", {"namespace": "ns", "token": "s3cret", "runner": "python"})
        ]
        assert "s3cret" not in repr(envoy.host.client_factory)
    finally:
        envoy.host.storage.close()


async def test_without_a_factory_ctx_client_says_what_is_missing() -> None:
    envoy = Envoy(Registry(), endpoint="http://127.0.0.1:6420")
    try:
        with pytest.raises(RuntimeError, match="client factory"):
            envoy.host.client()
    finally:
        envoy.host.storage.close()


def test_cli_loads_the_factory_by_name() -> None:
    assert load_factory("actorbind:create_client") is actorbind.create_client
    assert load_factory("none") is None
    with pytest.raises(Exception, match="module:attribute"):
        load_factory("create_client")
    with pytest.raises(Exception, match="AttributeError"):
        load_factory("actorbind:no_such_factory")
