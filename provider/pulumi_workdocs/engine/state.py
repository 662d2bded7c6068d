"""The stack's state, read with ``pulumi stack export`` (no ``--show-secrets``: nothing is decrypted)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from pulumi_workdocs.engine import pulumi_command, workspace_env
from pulumi_workdocs.engine.root_stack import PROJECT


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
    return dict(json.loads(result.stdout).get("deployment") or {})
