"""examples/github-actions: the workflow's shape, that every command in it is one the CLI takes,
and the nightly drift job's issue logic (workdocs_drift_issue.py, run with a stand-in `gh`)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import stat
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from pulumi_workdocs.cli import _parser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "github-actions"
WORKFLOW: dict[Any, Any] = yaml.safe_load((EXAMPLE / "workdocs-users.yml").read_text())
JOBS = WORKFLOW["jobs"]
TRIGGERS: dict[str, Any] = WORKFLOW.get("on") or WORKFLOW[True]  # YAML 1.1 reads a bare `on` as true
SCRIPT = EXAMPLE / "workdocs_drift_issue.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("workdocs_drift_issue", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


drift_issue = load_script()


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
    triggers = TRIGGERS
    pull_request = triggers["pull_request"]
    assert "paths" not in pull_request  # no paths filter: every pull request
    # the default activity types, and the label that approves a large removal coming or going
    assert set(pull_request["types"]) == {"opened", "synchronize", "reopened", "labeled", "unlabeled"}
    assert triggers["push"] == {"branches": ["main"]}
    assert [c[0] for c in cli_calls("plan")] == ["validate", "plan"]
    assert [c[0] for c in cli_calls("apply")] == ["validate", "up"]


@pytest.mark.parametrize("job", ["plan", "apply", "drift"])
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


# -- the nightly drift job ------------------------------------------------------------------


def test_drift_runs_nightly_and_on_demand_with_only_the_permissions_it_needs() -> None:
    [schedule] = TRIGGERS["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert minute.isdigit() and hour.isdigit() and (day, month, weekday) == ("*", "*", "*")  # once a day
    assert "workflow_dispatch" in TRIGGERS
    drift = JOBS["drift"]
    assert drift["if"] == "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'"
    assert drift["permissions"] == {"contents": "read", "issues": "write", "id-token": "write"}
    for job in ("plan", "apply"):  # neither runs on the schedule
        assert "schedule" not in JOBS[job]["if"] and "workflow_dispatch" not in JOBS[job]["if"]
        assert JOBS[job]["if"].startswith("github.event_name == '")
    assert drift["env"]["PULUMI_BACKEND_URL"] == "${{ secrets.PULUMI_BACKEND_URL }}"


def test_drift_hands_its_exit_code_to_the_script() -> None:
    assert cli_calls("drift") == [["drift", "--format", "markdown"]]
    [script] = [s for s in runs("drift") if "workdocs-users drift" in s]
    assert "set +e" in script and "code=$?" in script  # the exit code is kept, not fatal
    [call] = [line.split() for line in script.splitlines() if "workdocs_drift_issue.py" in line]
    assert call[:2] == ["python", f".github/scripts/{SCRIPT.name}"]  # where the README says to copy it
    assert call[2:] == ["--exit-code", '"$code"', "--report", "drift.md"]
    [step] = [s for s in JOBS["drift"]["steps"] if s.get("run") == script]
    assert step["env"]["GH_TOKEN"] == "${{ github.token }}"


def test_every_action_is_on_its_current_major() -> None:
    current = {
        "actions/checkout": "v7",
        "actions/setup-python": "v7",
        "actions/setup-go": "v7",
        "aws-actions/configure-aws-credentials": "v6",
        "marocchino/sticky-pull-request-comment": "v2",
    }
    used = {s["uses"] for job in JOBS.values() for s in job["steps"] if "uses" in s}
    assert {u.split("@")[0] for u in used} == set(current)
    assert used == {f"{name}@{major}" for name, major in current.items()}


Issue = drift_issue.Issue
REPORT = "## WorkDocs drift: organization `d-1234567890`\n\n**drift** (exit 2): 1 unmanaged\n"
OTHER = REPORT.replace("1 unmanaged", "2 unmanaged")


@pytest.mark.parametrize(
    ("code", "issue", "report", "kind"),
    [
        (2, None, REPORT, "open"),
        (2, Issue(7, drift_issue.body(REPORT, "https://example/run/1")), REPORT, "keep"),
        (2, Issue(7, drift_issue.body(REPORT, "").replace("\n", "\r\n")), REPORT, "keep"),  # GitHub's line ends
        (2, Issue(7, drift_issue.body(OTHER, "")), REPORT, "update"),
        (2, Issue(7, "edited by hand"), REPORT, "update"),
        (0, Issue(7, drift_issue.body(REPORT, "")), "", "close"),
        (0, None, "", "none"),
        (1, Issue(7, "x"), "", "fail"),
        (1, None, "", "fail"),
        (3, Issue(7, "x"), "", "fail"),
        (70, None, "", "fail"),
        (2, None, "  \n", "fail"),  # drift said 2 but wrote nothing: something is wrong
    ],
)
def test_the_decision(code: int, issue: Any, report: str, kind: str) -> None:
    action = drift_issue.decide(code, issue, report)
    assert action.kind == kind
    assert action.issue == (issue.number if kind in ("keep", "update", "close") else None)
    if kind == "fail":
        assert action.why and "\n" not in action.why


class FakeGh:
    """A stand-in `gh` on PATH: records each call and answers `issue list` with the open issues given."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch, issues: list[dict[str, Any]]) -> None:
        self.log = folder / "gh-calls.jsonl"
        bin_dir = folder / "bin"
        bin_dir.mkdir()
        (folder / "issues.json").write_text(json.dumps(issues))
        gh = bin_dir / "gh"
        gh.write_text(
            f"#!{sys.executable}\n"
            "import json, sys, pathlib\n"
            "args = sys.argv[1:]\n"
            "body = None\n"
            "if '--body-file' in args:\n"
            "    body = pathlib.Path(args[args.index('--body-file') + 1]).read_text()\n"
            f"with open({str(self.log)!r}, 'a') as log:\n"
            "    log.write(json.dumps({'args': args, 'body': body}) + '\\n')\n"
            "if args[:2] == ['issue', 'list']:\n"
            f"    print(pathlib.Path({str(folder / 'issues.json')!r}).read_text())\n"
        )
        gh.chmod(gh.stat().st_mode | stat.S_IXUSR)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        for name, value in (("GITHUB_SERVER_URL", "https://github.com"), ("GITHUB_REPOSITORY", "acme/people"),
                            ("GITHUB_RUN_ID", "42")):  # fmt: skip
            monkeypatch.setenv(name, value)

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


def run_script(tmp_path: Path, code: int, report: str | None) -> int:
    path = tmp_path / "drift.md"
    if report is not None:
        path.write_text(report)
    return int(drift_issue.main(["--exit-code", str(code), "--report", str(path)]))


def listing(*issues: tuple[int, str, str]) -> list[dict[str, Any]]:
    return [{"number": n, "title": t, "body": b} for n, t, b in issues]


def test_drift_opens_the_issue_with_the_report_and_a_link_to_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = (3, "Something else", "")  # the label is not enough: the title must match too
    gh = FakeGh(tmp_path, monkeypatch, listing(other))
    assert run_script(tmp_path, 2, REPORT) == 0
    calls = gh.calls()
    assert [c["args"][:2] for c in calls] == [["issue", "list"], ["label", "create"], ["issue", "create"]]
    assert calls[0]["args"][2:] == ["--state", "open", "--label", "workdocs-drift", "--json", "number,title,body"]
    create = calls[2]["args"]
    assert create[create.index("--title") + 1] == drift_issue.TITLE
    assert create[create.index("--label") + 1] == drift_issue.LABEL
    assert REPORT.strip() in calls[2]["body"] and "https://github.com/acme/people/actions/runs/42" in calls[2]["body"]
    assert "drift: opened an issue" in capsys.readouterr().out


def test_changed_drift_updates_the_oldest_open_issue_and_the_same_drift_leaves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = drift_issue.TITLE
    gh = FakeGh(tmp_path, monkeypatch, listing((12, title, drift_issue.body(OTHER, "")), (9, title, "older")))
    assert run_script(tmp_path, 2, REPORT) == 0
    calls = gh.calls()
    assert [c["args"][:3] for c in calls[1:]] == [["issue", "edit", "9"], ["issue", "comment", "9"]]
    assert REPORT.strip() in calls[1]["body"]
    assert "actions/runs/42" in calls[2]["args"][-1]

    (tmp_path / "issues.json").write_text(json.dumps(listing((9, title, calls[1]["body"]))))
    gh.log.unlink()
    assert run_script(tmp_path, 2, REPORT) == 0
    assert [c["args"][:2] for c in gh.calls()] == [["issue", "list"]]  # nothing to write


def test_clean_closes_the_open_issue_with_a_comment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gh = FakeGh(tmp_path, monkeypatch, listing((9, drift_issue.TITLE, drift_issue.body(REPORT, ""))))
    assert run_script(tmp_path, 0, "## WorkDocs drift\n\n**clean** (exit 0)\n") == 0
    close = gh.calls()[-1]["args"]
    assert close[:3] == ["issue", "close", "9"] and re.search(r"No drift any more .*runs/42", close[-1])


@pytest.mark.parametrize("code", [1, 3, 70])
def test_any_other_exit_fails_the_job_and_touches_no_issue(
    code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gh = FakeGh(tmp_path, monkeypatch, listing((9, drift_issue.TITLE, "open")))
    assert run_script(tmp_path, code, None) == 1
    assert gh.calls() == []
    out = capsys.readouterr().out
    assert out.startswith("::error::") and len(out.strip().splitlines()) == 1
