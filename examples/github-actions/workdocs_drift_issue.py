#!/usr/bin/env python3
"""The nightly drift job's issue: one open issue while WorkDocs drifts from the stack, closed once clean.

Copy to .github/scripts/ next to the workflow. The job runs ``workdocs-users drift --format
markdown > drift.md`` and hands its exit code here; this decides, and acts with the ``gh`` CLI
(preinstalled on GitHub's runners; ``GH_TOKEN`` set to the job's token, ``issues: write``):

=========  ====================  ===============================================
exit code  an issue is open      what happens
=========  ====================  ===============================================
2 (drift)  no                    open one with the report (and the label)
2 (drift)  yes, same report      nothing (the issue says it all)
2 (drift)  yes, another report   its body becomes the new report, plus a comment
0 (clean)  yes                   close it with a comment
0 (clean)  no                    nothing
other      either                fail the job (1 error, 3 unapplied changes...)
=========  ====================  ===============================================

The issue is found by its fixed label and title, so renaming either starts a new one.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

LABEL = "workdocs-drift"
TITLE = "WorkDocs users drift from the stack"
START, END = "<!-- workdocs-drift report -->", "<!-- /workdocs-drift report -->"
WHY_FAILED = {
    1: "workdocs-users drift failed (an error: see its message above)",
    3: "no drift, but users.yaml has changes the stack does not have yet (exit 3): did the apply on main run?",
}


@dataclass(frozen=True)
class Issue:
    number: int
    body: str


@dataclass(frozen=True)
class Action:
    kind: str  # open, update, keep, close, none or fail
    issue: int | None = None
    why: str = ""


def report_of(body: str) -> str:
    """The drift report an issue body holds (between the markers), line endings normalised."""
    if START in body and END in body:
        body = body.split(START, 1)[1].split(END, 1)[0]
    return body.replace("\r\n", "\n").strip()


def decide(exit_code: int, issue: Issue | None, report: str) -> Action:
    """What to do with the drift issue, from ``drift``'s exit code and the open issue (if any)."""
    if exit_code == 2:
        if not report.strip():
            return Action("fail", why="workdocs-users drift exited 2 (drift) but wrote no report")
        if issue is None:
            return Action("open")
        if report_of(issue.body) == report_of(report):
            return Action("keep", issue.number)
        return Action("update", issue.number)
    if exit_code == 0:
        return Action("close", issue.number) if issue is not None else Action("none")
    return Action("fail", why=WHY_FAILED.get(exit_code, f"workdocs-users drift exited {exit_code}"))


def run_link() -> str:
    """This workflow run's page, from the variables GitHub Actions sets ('' elsewhere)."""
    server, repo, run = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else ""


def body(report: str, link: str) -> str:
    found = f"Found by the nightly drift check ({link})." if link else "Found by the nightly drift check."
    return (
        f"{found} This issue is updated while the drift lasts and closed once the stack and WorkDocs agree.\n\n"
        "Put WorkDocs back with `workdocs-users up`, take a change into users.yaml (`workdocs-users export` "
        "for unmanaged users), or list known drift in `.workdocs-drift-ignore.yaml`.\n\n"
        f"{START}\n{report.strip()}\n{END}\n"
    )


def gh(*args: str) -> str:
    return subprocess.run(["gh", *args], check=True, capture_output=True, text=True).stdout


def open_issue() -> Issue | None:
    """The open drift issue: the oldest open issue with the label and exactly the title."""
    listed = json.loads(gh("issue", "list", "--state", "open", "--label", LABEL, "--json", "number,title,body"))
    found = sorted((i for i in listed if i["title"] == TITLE), key=lambda i: i["number"])
    return Issue(found[0]["number"], found[0]["body"] or "") if found else None


def act(action: Action, report: str) -> None:
    link = run_link()
    seen = f" ({link})" if link else ""
    if action.kind in ("open", "update"):
        with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as text:
            text.write(body(report, link))
        try:
            if action.kind == "open":
                gh("label", "create", LABEL, "--color", "D93F0B", "--description", "workdocs-users drift", "--force")
                gh("issue", "create", "--title", TITLE, "--label", LABEL, "--body-file", text.name)
            else:
                gh("issue", "edit", str(action.issue), "--body-file", text.name)
                gh("issue", "comment", str(action.issue), "--body", f"The drift changed{seen}: the report is updated.")
        finally:
            os.unlink(text.name)
    elif action.kind == "close":
        gh("issue", "close", str(action.issue), "--comment", f"No drift any more{seen}: closing.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exit-code", type=int, required=True, help="workdocs-users drift's exit code")
    parser.add_argument("--report", type=Path, required=True, help="its --format markdown output")
    args = parser.parse_args(argv)
    report = args.report.read_text() if args.report.exists() else ""
    issue = open_issue() if args.exit_code in (0, 2) else None
    action = decide(args.exit_code, issue, report)
    if action.kind == "fail":
        print(f"::error::{action.why}")
        return 1
    act(action, report)
    said = {
        "open": "drift: opened an issue",
        "update": f"drift: updated issue #{action.issue}",
        "keep": f"drift: issue #{action.issue} already holds this report",
        "close": f"clean: closed issue #{action.issue}",
        "none": "clean: no open drift issue",
    }
    print(said[action.kind])
    return 0


if __name__ == "__main__":
    sys.exit(main())
