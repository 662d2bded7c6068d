"""examples/github-actions: the workflow's shape, and that every command in it is one the CLI takes."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_workdocs.cli import _parser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "github-actions"
WORKFLOW: dict[Any, Any] = yaml.safe_load((EXAMPLE / "workdocs-users.yml").read_text())
JOBS = WORKFLOW["jobs"]


def runs(job: str) -> list[str]:
    return [step["run"] for step in JOBS[job]["steps"] if "run" in step]


def cli_calls(job: str) -> list[list[str]]:
    """Each `workdocs-users ...` command in a job: its arguments up to a redirection or `;`."""
    calls = []
    for script in runs(job):
        for line in script.splitlines():
            words = shlex.split(line, comments=True)
            for start in [i for i, w in enumerate(words) if w.endswith("bin/workdocs-users")]:
                args = []
                for word in words[start + 1 :]:
                    if word.startswith((">", "2>", ";", "|", "&")):
                        break
                    args.append(word)
                calls.append(args)
    return calls


def test_every_pull_request_is_validated_and_main_is_applied() -> None:
    triggers: dict[str, Any] = WORKFLOW.get("on") or WORKFLOW[True]  # YAML 1.1 reads a bare `on` as true
    pull_request = triggers["pull_request"]
    assert "paths" not in pull_request  # no paths filter: every pull request
    # the default activity types, and the label that approves a large removal coming or going
    assert set(pull_request["types"]) == {"opened", "synchronize", "reopened", "labeled", "unlabeled"}
    assert triggers["push"] == {"branches": ["main"]}
    assert [c[0] for c in cli_calls("plan")] == ["validate", "plan"]
    assert [c[0] for c in cli_calls("apply")] == ["validate", "up"]


@pytest.mark.parametrize("job", ["plan", "apply"])
def test_the_commands_parse(job: str) -> None:
    for call in cli_calls(job):
        args = _parser().parse_args(call)  # exits (and fails the test) on an unknown flag or bad value
        assert args.command == call[0]


def test_state_secrets_come_from_repository_secrets_and_applies_never_overlap() -> None:
    for job in ("plan", "apply"):
        env = JOBS[job]["env"]
        assert env["PULUMI_BACKEND_URL"] == "${{ secrets.PULUMI_BACKEND_URL }}"
        assert env["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
    assert JOBS["apply"]["concurrency"] == {"group": "workdocs-users-apply", "cancel-in-progress": False}
    assert JOBS["plan"]["concurrency"]["group"] != JOBS["apply"]["concurrency"]["group"]
    assert WORKFLOW["permissions"]["pull-requests"] == "write"
    for job in ("plan", "apply"):  # the seed lives in the committed stack config; a CI run must not mint one
        assert any('test -f "Pulumi.$WORKDOCS_STACK.yaml"' in script for script in runs(job))
