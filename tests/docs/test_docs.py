"""Every ``sh`` command of README.md and docs/*.md runs as written (tests/docs/harness.py).

One sandbox per page: the repo's example files in a temp folder, a workdocs-local on a free
127.0.0.1 port holding the sample organization of users.yaml, and the environment a reader
sets up (docs/workdocs-local.md, "Try it here"); a page whose commands name ``$S3_ENDPOINT``
also gets an S3-compatible server (tests/s3_server.py) and its bucket in ``$S3_BUCKET``. Pages
whose commands start the Pulumi engine are marked e2e.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.docs.harness import ROOT, DocError, Sandbox, check, extract, needs_engine
from tests.s3_server import S3Server
from workdocs_local import WorkDocsLocalServer

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _params() -> list[object]:
    params: list[object] = []
    for page in PAGES:
        try:
            commands = extract(page)
        except DocError:  # reported by the page's own test, not as a collection error of all
            params.append(pytest.param(page, id=page.name))
            continue
        if commands:
            marks = [pytest.mark.e2e] if needs_engine(commands) else []
            params.append(pytest.param(page, id=page.name, marks=marks))
    return params


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    organization = yaml.safe_load((ROOT / "users.yaml").read_text())["organization_id"]
    with WorkDocsLocalServer(host="127.0.0.1", port=0, db=":memory:", organizations=[organization]) as server:
        box = Sandbox(tmp_path / "work", server.url)
        try:
            yield box
        finally:
            box.close()


@pytest.mark.parametrize("page", _params())
def test_page_commands(page: Path, sandbox: Sandbox) -> None:
    try:
        commands = extract(page)
    except DocError as err:
        pytest.fail(str(err), pytrace=False)
    with contextlib.ExitStack() as stack:
        if any("$S3_" in command.text for command in commands):  # a page about s3:// state: a bucket to use
            s3 = stack.enter_context(S3Server())
            sandbox.env.update(S3_ENDPOINT=s3.endpoint, S3_BUCKET=s3.bucket)
        for command in commands:
            code, output = sandbox.run(command)
            failure = check(command, code, output)
            if failure:
                pytest.fail(failure, pytrace=False)


def test_readme_links_every_page() -> None:
    """A page no link leads to is a page nobody reads."""
    readme = (ROOT / "README.md").read_text()
    unlinked = [p.name for p in PAGES[1:] if f"(docs/{p.name}" not in readme]
    assert not unlinked, f"README.md links none of: {', '.join(unlinked)}"
