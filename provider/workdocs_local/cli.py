"""``workdocs-local serve``: the start-up contract tools and tests rely on."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from types import FrameType

from workdocs_local.faults import KINDS, Fault
from workdocs_local.models import DEFAULT_SITE_ADMIN, DEFAULT_STORAGE_QUOTA_BYTES
from workdocs_local.server import WorkDocsLocalServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workdocs-local", description="A WorkDocs-compatible local service.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the service in the foreground")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=4567, help="0 picks a free port")
    serve.add_argument("--db", default=".workdocs-local/workdocs.db", help="SQLite file or :memory:")
    serve.add_argument(
        "--organization",
        action="append",
        default=[],
        metavar="ID",
        help="organization to create if missing (repeatable); default: one is made",
    )
    serve.add_argument(
        "--access-key",
        action="append",
        default=[],
        metavar="KEY:SECRET",
        help="accept this access key pair besides test/test (repeatable)",
    )
    serve.add_argument(
        "--access-keys-file",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="file of KEY:SECRET lines",
    )
    serve.add_argument(
        "--default-storage-quota",
        type=int,
        default=DEFAULT_STORAGE_QUOTA_BYTES,
        metavar="BYTES",
        help="StorageRule for CreateUser calls that give none",
    )
    serve.add_argument(
        "--site-admin",
        default=DEFAULT_SITE_ADMIN,
        metavar="USERNAME",
        help="username of the ADMIN each new organization starts with",
    )
    serve.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help=f"inject a fault: kind=({'|'.join(KINDS)}),operation=OP,probability=P,count=N,seed=S,latency_ms=MS",
    )
    serve.add_argument("--verbose", action="store_true", help="log each request")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    try:
        faults = [Fault.from_spec(spec) for spec in args.fault]
        if args.db != ":memory:":
            Path(args.db).parent.mkdir(parents=True, exist_ok=True)
        server = WorkDocsLocalServer(
            host=args.host,
            port=args.port,
            db=args.db,
            organizations=args.organization,
            access_keys=args.access_key,
            access_key_files=args.access_keys_file,
            default_storage_quota_bytes=args.default_storage_quota,
            faults=faults,
            site_admin=args.site_admin,
        )
    except (ValueError, OSError) as err:
        print(f"workdocs-local: {err}", file=sys.stderr)
        return 2

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        # Inside the try: a SIGTERM that lands right after the banner must still exit 0.
        print(server.banner(), flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
