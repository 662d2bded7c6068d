"""The root stack's program for plain `pulumi up` (needs the Python language host).

`make demo` and `workdocs-users` run the same program through the Automation API instead.
"""

from pathlib import Path

from pulumi_workdocs.stack import program
from pulumi_workdocs.users_file import load

program(load(Path(__file__).parent / "users.yaml"))()
