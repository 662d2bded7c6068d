"""The stack's state, read with ``pulumi stack export`` (no ``--show-secrets``: nothing is decrypted).

Every command reads the state before it calls WorkDocs, so a backend that cannot be read (a
bucket that is missing or out of reach, refused credentials) stops it there, in one line.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pulumi import automation as auto

from pulumi_workdocs.engine import pulumi_command, workspace_env
from pulumi_workdocs.engine.root_stack import PROJECT
from pulumi_workdocs.errors import EngineError

SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID")  # never in a message


class BackendUnreadable(EngineError):
    """The state backend (a folder, a bucket) could not be read; nothing was changed."""


def read_state(backend: str, stack_name: str, work_dir: Path) -> list[dict[str, Any]]:
    """The stack's resources; [] when the stack does not exist yet. Neither creates nor selects a stack."""
    return list(read_deployment(backend, stack_name, work_dir).get("resources") or [])


def read_deployment(backend: str, stack_name: str, work_dir: Path) -> dict[str, Any]:
    """The stack's deployment (resources, pending operations); {} when the stack does not exist yet."""
    env = workspace_env(backend)
    home = Path(backend) / ".pulumi-home" if "://" not in backend else work_dir / ".pulumi-home"
    env["PULUMI_HOME"] = str(home)
    command = pulumi_command()
    args = ["stack", "export", "--stack", stack_name]
    try:
        if (work_dir / "Pulumi.yaml").exists():
            result = command.run(args, str(work_dir), env)
        else:  # never run from here: a throwaway project file names the project
            with tempfile.TemporaryDirectory() as scratch:
                Path(scratch, "Pulumi.yaml").write_text(f"name: {PROJECT}\nruntime: python\n")
                result = command.run(args, scratch, env)
    except auto.StackNotFoundError:
        return {}
    except auto.CommandError as err:
        raise BackendUnreadable(
            f"the state backend {shown_url(backend)} cannot be read: {backend_reason(str(err))}"
        ) from None
    return dict(json.loads(result.stdout).get("deployment") or {})


def shown_url(backend: str) -> str:
    """The backend URL as a message may show it: any ``user:password@`` left out."""
    parts = urlsplit(backend if "://" in backend else Path(backend).resolve().as_uri())
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def backend_reason(output: str) -> str:
    """The cause in the engine's ``error:`` line, without the SDK's request ids and retry counts."""
    lines = [line.strip().removeprefix("stderr:").strip() for line in output.splitlines()]
    said = next((line.removeprefix("error:").strip() for line in lines if line.startswith("error:")), "")
    said = said or next((line for line in reversed(lines) if line), "no output")
    for pattern, shown in (
        (r"request send failed, \S+ \"[^\"]*\": (.+)$", r"\1"),  # no answer: dial tcp ...: connection refused
        (r"api error (\w+): (.+)$", r"\1: \2"),  # AWS's code and message: InvalidAccessKeyId, AccessDenied...
        (r"HostID: [^,]*, (\w+): (.+)$", r"\1: \2"),  # the same from an S3-compatible server: NoSuchBucket
    ):
        found = re.search(pattern, said)
        if found:
            said = found.expand(shown)
            break
    for name in SECRET_ENV:
        if os.environ.get(name):
            said = said.replace(os.environ[name], "***")
    return said
