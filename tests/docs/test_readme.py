"""README.md stays a page a newcomer reads in ten minutes; the rest lives in docs/."""

from __future__ import annotations

import re

from tests.docs.harness import ROOT

README = ROOT / "README.md"
MAX_LINES = 200


def section(title: str) -> str:
    text = README.read_text()
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert found, f"README.md has no '## {title}' section"
    return found.group(1)


def test_readme_is_short() -> None:
    lines = len(README.read_text().splitlines())
    assert lines <= MAX_LINES, f"README.md has {lines} lines, more than {MAX_LINES}: move detail to docs/"


def test_quick_start_is_the_two_commands() -> None:
    blocks = re.findall(r"^```\w*\n(.*?)^```", section("Quick start"), re.MULTILINE | re.DOTALL)
    commands = [line.removeprefix("$ ").strip() for block in blocks for line in block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


def test_the_two_commands_are_make_targets() -> None:
    targets = re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert {"demo", "test"} <= set(targets)


# Written on another branch at the same time; drop it here once merged.


def test_links_resolve() -> None:
    """Every relative link of README.md and docs/*.md leads to a file of the repo."""
    missing = []
    for page in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for link in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            target = (page.parent / link).resolve()
            if not target.exists():
                missing.append(f"{page.relative_to(ROOT)} -> {link}")
    assert not missing, f"links to missing files: {missing}"
