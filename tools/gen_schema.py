"""Kept for old habits: every generated file is written by ``python -m pulumi_workdocs.codegen``."""

from __future__ import annotations

import sys

from pulumi_workdocs.codegen.__main__ import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
