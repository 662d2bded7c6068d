"""``workdocs-users``: validate, plan, up, drift and export for a users file.

Exit codes (``core.errors.Exit``): 0 success / no changes, 1 error, 2 changes (plan) or
drift (drift), 3 only unapplied changes (drift), 70 an internal error (a bug).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from pulumi_workdocs.commands.context import Context
from pulumi_workdocs.errors import Exit, UsageError, WorkDocsAPIError, WorkDocsError

DEBUG_ENV = "WORKDOCS_DEBUG"  # set to 1 for the traceback of an unexpected error


def _context(args: argparse.Namespace) -> Context:
    users_path = Path(args.file)
    if args.run is not cmd_validate and not args.backend:
        # An empty value is what a CI secret that is missing (say, on a fork's pull request) gives.
        raise UsageError("the state backend is empty (PULUMI_BACKEND_URL set to ''?); give --backend URL or folder")
    if args.run is not cmd_validate and not args.stack:
        raise UsageError("the stack name is empty (WORKDOCS_STACK set to ''?); give --stack NAME")
    return Context(
        users_path=users_path,
        stack_name=args.stack,
        backend=args.backend,
        endpoint_flag=args.endpoint,
        work_dir=users_path.resolve().parent,
    )


def cmd_validate(args: argparse.Namespace) -> int:
    ctx = _context(args)
    users_file = ctx.users_file()
    print(f"{ctx.users_path}: {len(users_file.users)} users, no problems")
    return Exit.OK


def cmd_plan(args: argparse.Namespace) -> int:
    from pulumi_workdocs.commands.plan import run_plan

    return run_plan(_context(args), args.format, args.max_removals, args.always_preview)


def cmd_up(args: argparse.Namespace) -> int:
    from pulumi_workdocs.commands.plan import run_up

    return run_up(_context(args), args.max_removals, verbose=args.verbose, always_preview=args.always_preview)


def cmd_drift(args: argparse.Namespace) -> int:
    from pulumi_workdocs.commands.drift import run_drift

    return run_drift(_context(args), args.format, args.baseline)


def cmd_export(args: argparse.Namespace) -> int:
    from pulumi_workdocs.commands.export import run_export, run_import_export

    if args.format == "pulumi-import":
        if args.all:
            raise UsageError("--all writes a users file; --format pulumi-import writes only the unmanaged users")
        return run_import_export(_context(args), args.output, args.organization_id, args.provider)
    if args.provider is not None:
        raise UsageError("--provider goes with --format pulumi-import")
    return run_export(_context(args), args.output, args.all, args.organization_id)


def _max_removals(text: str) -> str:
    """Checked when the command line is read, before the engine runs."""
    from pulumi_workdocs.core.plan import removal_limit

    try:
        removal_limit(text, 100)
    except UsageError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("--max-removals ")) from None
    return text


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 1, as every error does: 2 means "changes" to CI scripts."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(Exit.ERROR, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="workdocs-users", description=__doc__)
    common = _Parser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", help=f"show the traceback of an unexpected error (or {DEBUG_ENV}=1)"
    )
    common.add_argument("--file", "-f", default="users.yaml", help="the users file (default users.yaml)")
    common.add_argument(
        "--stack", default=os.environ.get("WORKDOCS_STACK", "dev"), help="stack name (default $WORKDOCS_STACK or dev)"
    )
    common.add_argument(
        "--backend",
        default=os.environ.get("PULUMI_BACKEND_URL", ".pulumi-state"),
        help="state backend URL or folder (default $PULUMI_BACKEND_URL or .pulumi-state)",
    )
    common.add_argument(
        "--endpoint",
        default=None,
        help="WorkDocs endpoint, e.g. workdocs-local's URL (default: $AWS_ENDPOINT_URL_WORKDOCS, then the stack's "
        "workdocs:endpoint, then AWS); never written into the stack's config",
    )
    formats = ["text", "markdown", "json"]
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", parents=[common], help="check the users file (exit 1 on any problem)")
    validate.add_argument("path", nargs="?", default=None, help="the users file (same as --file)")
    validate.set_defaults(run=cmd_validate)
    for name, run, text in (
        ("plan", cmd_plan, "preview with the engine and render what the change does (exit 2 on changes)"),
        ("up", cmd_up, "apply the users file, refusing more removals than allowed"),
    ):
        sub = commands.add_parser(name, parents=[common], help=text)
        sub.add_argument(
            "--max-removals",
            default=os.environ.get("WORKDOCS_MAX_REMOVALS") or "25%",
            type=_max_removals,
            help="most users that may be deleted or deactivated: N or P%% of the managed users "
            "(default $WORKDOCS_MAX_REMOVALS, else 25%%)",
        )
        sub.add_argument(
            "--always-preview",
            action="store_true",
            help="preview with the engine even when the users file, the state and WorkDocs already agree "
            "(slower at scale; the plan is the same)",
        )
        if name == "plan":
            sub.add_argument("--format", choices=formats, default="text")
        else:
            sub.add_argument("--verbose", "-v", action="store_true", help="show the engine's full output")
        sub.set_defaults(run=run)
    drift = commands.add_parser("drift", parents=[common], help="report what differs in WorkDocs (read-only)")
    drift.add_argument("--format", choices=formats, default="text")
    drift.add_argument("--baseline", type=Path, default=None, help="ignore file of known drift")
    drift.set_defaults(run=cmd_drift)
    export = commands.add_parser(
        "export", parents=[common], help="write users-file entries for existing users, or a `pulumi import` file"
    )
    export.add_argument("--output", "-o", default="-", help="where to write (default stdout)")
    export.add_argument("--all", action="store_true", help="a whole users file from the organization")
    export.add_argument("--organization-id", default=None, help="with no users file: the organization to export")
    export.add_argument(
        "--format",
        choices=["yaml", "pulumi-import"],
        default="yaml",
        help="yaml: users-file entries (default); pulumi-import: the JSON `pulumi import --file` reads, "
        "for the unmanaged users as workdocs:index:User",
    )
    export.add_argument(
        "--provider",
        default=None,
        metavar="NAME=URN",
        help="with --format pulumi-import: the program's explicit workdocs provider to import with",
    )
    export.set_defaults(run=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "path", None):
        args.file = args.path
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return int(run(args))
    except WorkDocsAPIError as err:
        print(f"workdocs-users {args.command}: {err}", file=sys.stderr)
    except WorkDocsError as err:
        from pulumi_workdocs.users_file import UsersFileError

        print(err if isinstance(err, UsersFileError) else f"workdocs-users: {err}", file=sys.stderr)
    except OSError as err:  # a file named on the command line: one line, no traceback
        print(f"workdocs-users: {err.filename or ''}: {err.strerror or err}".replace(": : ", ": "), file=sys.stderr)
    except KeyboardInterrupt:
        print("workdocs-users: interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if args.debug or os.environ.get(DEBUG_ENV):
            raise
        print(
            f"workdocs-users: internal error (a bug, not your input): {type(err).__name__}: {err}\n"
            f"  run again with --debug (or {DEBUG_ENV}=1) for the traceback, and report it",
            file=sys.stderr,
        )
        return Exit.BUG
    return Exit.ERROR


if __name__ == "__main__":
    sys.exit(main())
