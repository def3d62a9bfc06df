"""``python -m actorbind_demo``: the team-room demo (``--help`` for the options)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "parse_args"]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m actorbind_demo",
        description=(
            "A shared team room on live actors: a counter, a chat and who is here. By default "
            "it runs the embedded actor server in-process; --endpoint uses a Rivet/RivetKit "
            "engine instead."
        ),
    )
    parser.add_argument(
        "--windows", type=int, default=2, help="windows on the same room, 1-6 (default: 2)"
    )
    parser.add_argument("--user", help="the first window's user name (default: alice)")
    parser.add_argument("--room", default="lobby", help="the room (actor key); default: lobby")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--data",
        type=Path,
        help="the embedded server's state file (default: <user data folder>/room.db)",
    )
    where.add_argument("--endpoint", help="a Rivet/RivetKit endpoint, e.g. http://127.0.0.1:6420")
    where.add_argument(
        "--rivetkit",
        action="store_true",
        help="start a real RivetKit 2.3.19 engine for this run (needs node and npm)",
    )
    parser.add_argument("--token", help="the endpoint's token (with --endpoint)")
    parser.add_argument("--namespace", help="the endpoint's namespace (with --endpoint)")
    parser.add_argument(
        "--encoding", choices=("bare", "cbor", "json"), default="bare", help="wire encoding"
    )
    parser.add_argument(
        "--qml", action="store_true", help="QML windows (the same room, the same models)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument(
        "--quit-after-first-frame",
        action="store_true",
        help="quit once the first window has painted (measures the time to the first window)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.windows <= 6:
        parser.error("--windows takes 1 to 6")
    if (args.token or args.namespace) and not args.endpoint:
        parser.error("--token and --namespace go with --endpoint")
    if args.user is not None and not args.user.strip():
        parser.error("--user cannot be blank")
    return args


def configure_logging(*, verbose: bool) -> None:
    """Warnings only; ``-v``: the demo's INFO and every ``actorbind.*`` record down to DEBUG
    (each connect attempt, failure, backoff delay and status change; never a secret)."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    if verbose:
        logging.getLogger("actorbind").setLevel(logging.DEBUG)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(verbose=args.verbose)
    from .app import DemoOptions, run

    options = DemoOptions(
        room=args.room,
        windows=args.windows,
        user=args.user.strip() if args.user else None,
        data=args.data,
        endpoint=args.endpoint,
        token=args.token,
        namespace=args.namespace,
        rivetkit=args.rivetkit,
        encoding=args.encoding,
        quit_after_first_frame=args.quit_after_first_frame,
        qml=args.qml,
    )
    return run(options)


if __name__ == "__main__":
    raise SystemExit(main())
