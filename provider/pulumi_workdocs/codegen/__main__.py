"""``python -m pulumi_workdocs.codegen [--check]``: write (or check) every generated file."""

from __future__ import annotations

import argparse
import sys

from pulumi_workdocs.codegen import stale, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pulumi_workdocs.codegen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 naming each stale file")
    args = parser.parse_args(argv)
    if args.check:
        old = stale()
        for path in old:
            print(f"stale: {path} (run python -m pulumi_workdocs.codegen, or make generate)", file=sys.stderr)
        return 1 if old else 0
    for path in write():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
