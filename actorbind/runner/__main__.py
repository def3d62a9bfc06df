"""``python -m actorbind.runner my_module:registry --endpoint URL [--namespace NS] [--pool P]
[--token T] [--client MODULE:ATTR|none]``: host the registry's actors on a Rivet Engine.

The RivetKit environment variables stand in for missing flags: ``RIVET_ENDPOINT``,
``RIVET_NAMESPACE``, ``RIVET_TOKEN``, ``RIVET_POOL``, ``RIVET_ENVOY_VERSION``. Logs
``actorbind runner connected to URL (pool P, envoy KEY)`` once the engine accepted it; SIGTERM
or SIGINT drains (the engine moves the actors away) and exits 0. ``--client`` names the factory
of ``ctx.client()`` (default ``actorbind:create_client``; ``none``: no client), loaded by name
here, in the program's entry point, so the runner's modules never import the client.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, cast

from actorbind.server.__main__ import CliError, load_registry
from actorbind.server.registry import Registry

from .envoy import EnvoyError
from .serve import serve_engine

log = logging.getLogger("actorbind.runner")


def load_factory(spec: str) -> Callable[..., Any] | None:
    """``module:attribute`` of a client factory, or ``None`` for ``none``."""
    if spec == "none":
        return None
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise CliError(f"--client: expected module:attribute or none, got {spec!r}")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as error:
        raise CliError(f"--client {spec}: {type(error).__name__}") from error
    if not callable(factory):
        raise CliError(f"--client {spec} is not callable")
    return cast("Callable[..., Any]", factory)


async def _run(
    registry: Registry, args: argparse.Namespace, client: Callable[..., Any] | None
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    ensure = {"auto": None, "yes": True, "no": False}[args.ensure_pool]
    async with serve_engine(
        registry,
        endpoint=args.endpoint,
        namespace=args.namespace,
        pool=args.pool,
        token=args.token,
        version=args.version,
        ensure_pool=ensure,
        client=client,
    ) as envoy:
        log.info(
            "actorbind runner connected to %s (pool %s, envoy %s)",
            args.endpoint,
            args.pool,
            envoy.envoy_key,
        )
        done = loop.create_task(stop.wait())
        ended = loop.create_task(envoy.ended.wait())
        await asyncio.wait([done, ended], return_when=asyncio.FIRST_COMPLETED)
        done.cancel()
        ended.cancel()
        if envoy.error is not None:
            raise envoy.error


def main(argv: Sequence[str] | None = None) -> int:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m actorbind.runner", description=__doc__)
    parser.add_argument("registry", help="the registry to host, as module:attribute")
    parser.add_argument("--endpoint", default=env.get("RIVET_ENDPOINT"), help="engine URL")
    parser.add_argument("--namespace", default=env.get("RIVET_NAMESPACE", "default"))
    parser.add_argument("--pool", default=env.get("RIVET_POOL", "default"))
    parser.add_argument("--token", default=env.get("RIVET_TOKEN"), help="engine admin token")
    parser.add_argument(
        "--version",
        type=int,
        default=int(env.get("RIVET_ENVOY_VERSION", "1")),
        help="deploy version (the engine prefers the highest)",
    )
    parser.add_argument(
        "--ensure-pool",
        choices=("auto", "yes", "no"),
        default="auto",
        help="PUT the pool's runner config first (auto: for a loopback engine)",
    )
    parser.add_argument(
        "--client",
        default="actorbind:create_client",
        help="the factory of ctx.client() as module:attribute, or none",
    )
    args = parser.parse_args(argv)
    if not args.endpoint:
        parser.error("--endpoint (or RIVET_ENDPOINT) is required")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        registry = load_registry(args.registry)
        client = load_factory(args.client)
    except CliError as exc:
        parser.error(str(exc))
    try:
        asyncio.run(_run(registry, args, client))
    except EnvoyError as exc:
        log.error("actorbind runner: %s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
