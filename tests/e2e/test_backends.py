"""The state in a bucket: the same commands on a folder (``file://``) and on an S3-compatible server
(``s3://``, moto's, in a child process), and a bucket that cannot be read refused before any call.

The YAML plugin (``up``, ``pulumi import``) runs on both backends in test_yaml_plugin.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_workdocs.commands import plan as plan_command
from pulumi_workdocs.core.drift import IGNORE_FILE
from pulumi_workdocs.engine.root_stack import PROJECT
from pulumi_workdocs.engine.state import read_state
from tests.e2e.conftest import ON_EVERY_BACKEND, UsersCli, user
from tests.e2e.test_workdocs_user import client
from tests.s3_server import S3Server, free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SITE_ADMIN_IGNORED = "ignore:\n  - username: siteadmin\n    reason: the site administrator, kept outside Pulumi\n"


class Counted:
    """The engine's previews run (the real ones: the wrapper calls through)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.previews = 0
        real = plan_command.preview_steps

        def counted(stack: Any) -> Any:
            self.previews += 1
            return real(stack)

        monkeypatch.setattr(plan_command, "preview_steps", counted)


def run(cli: UsersCli, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli(*args)
    out = capsys.readouterr()
    return code, out.out, out.err


def state_keys(request: pytest.FixtureRequest, backend: Path | str) -> list[str]:
    """The stack files the backend holds: object keys under the test's prefix, or files in the folder."""
    if isinstance(backend, Path):
        return sorted(str(p.relative_to(backend)) for p in backend.glob(".pulumi/stacks/**/*.json"))
    server: S3Server = request.getfixturevalue("s3_server")
    prefix = backend.split("?")[0].removeprefix(f"s3://{server.bucket}/") + "/"
    return sorted(
        k.removeprefix(prefix)
        for k in server.object_keys()
        if k.startswith(prefix) and "/stacks/" in k and k.endswith(".json")
    )


@ON_EVERY_BACKEND
def test_a_users_file_round_trip(
    cli: UsersCli,
    backend: Path | str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """validate, plan, up, the settled plan (no preview), drift, export and an adopting up."""
    engine = Counted(monkeypatch)
    cli.write([user("alice"), user("bob", locale="de")])
    (cli.path.parent / IGNORE_FILE).write_text(SITE_ADMIN_IGNORED)
    assert run(cli, capsys, "validate")[0] == 0
    code, out, err = run(cli, capsys, "plan")
    assert code == 2 and engine.previews == 1 and cli.mutations() == [], err
    assert "Created (2):\n  alice: new user" in out and "\n  bob: new user" in out
    assert run(cli, capsys, "up")[0] == 0 and cli.mutations().count("CreateUser") == 2
    assert state_keys(request, backend) == [f".pulumi/stacks/{PROJECT}/dev.json"]

    previews = engine.previews
    code, out, err = run(cli, capsys, "plan")
    assert (code, engine.previews) == (0, previews), err  # settled: planned without the engine's preview
    code, out, err = run(cli, capsys, "drift", "--format", "json")
    assert code == 0, err
    assert not any(json.loads(out)[k] for k in ("changed", "deleted", "unmanaged", "unapplied"))

    eve = client(cli.runner).create_user(
        OrganizationId=cli.runner.server.organization_id, Username="eve", GivenName="Eve", Surname="Outsider",
        Password="Out-Of-Band-1",
    )["User"]["Id"]  # fmt: skip
    code, fragment, err = run(cli, capsys, "export")
    assert code == 0 and [(e["username"], e["adopt"]) for e in yaml.safe_load(fragment)] == [("eve", True)], err
    cli.path.write_text(cli.path.read_text() + fragment)
    creates = cli.mutations().count("CreateUser")
    assert run(cli, capsys, "up")[0] == 0 and cli.mutations().count("CreateUser") == creates  # adopted
    state = {r["urn"].rsplit("::", 1)[1]: r["id"] for r in read_state(str(backend), "dev", cli.path.parent)
             if r["type"].endswith("workdocs:User")}  # fmt: skip
    assert set(state) == {"alice", "bob", "eve"} and state["eve"] == eve
    previews = engine.previews
    assert run(cli, capsys, "plan")[0] == 0 and engine.previews == previews
    if isinstance(backend, str):  # nothing of the state on this machine but Pulumi's home
        assert not (tmp_path / "state").exists() and not (cli.path.parent / ".pulumi-state").exists()


@pytest.fixture(scope="module")
def s3_checking() -> Iterator[S3Server]:
    """A second S3 server, that refuses any key but its IAM user's."""
    with S3Server(bucket="checked-state", check_credentials=True) as server:
        yield server


REASONS = {
    "closed port": "dial tcp 127.0.0.1:{port}: connect: connection refused",
    "missing bucket": "NoSuchBucket: The specified bucket does not exist",
    "unknown key": "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.",
    "wrong secret": "SignatureDoesNotMatch: The request signature we calculated does not match the signature you "
    "provided. Check your key and signing method.",
}


@pytest.mark.parametrize("case", list(REASONS))
def test_a_bucket_that_cannot_be_read_stops_every_command_in_one_line_before_any_call(
    cli: UsersCli,
    case: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    if case == "closed port":
        url = S3Server(port=free_port()).url()  # never started: nothing listens there
    elif case == "missing bucket":
        server: S3Server = request.getfixturevalue("s3_server")
        url = server.url().replace(f"s3://{server.bucket}", "s3://no-such-bucket", 1)
    else:  # the e2e keys (WorkDocs'), or the right key id with the e2e secret, on a server that checks
        checking: S3Server = request.getfixturevalue("s3_checking")
        url = checking.url()
        assert checking.access_key is not None
        if case == "wrong secret":
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", checking.access_key[0])
    cli.runner.backend = url
    cli.write([user("alice")])
    reason = REASONS[case].format(port=url.split("127.0.0.1:")[1].split("&")[0])
    for command in ("plan", "up", "drift", "export"):
        code, out, err = run(cli, capsys, command)
        assert code == 1 and out == "", (command, out, err)
        assert err == f"workdocs-users: the state backend {url} cannot be read: {reason}\n", (command, err)
    assert cli.runner.server.app.requests.entries() == []  # not even a listing: WorkDocs was never called
    assert not (cli.path.parent / ".pulumi-state").exists()
