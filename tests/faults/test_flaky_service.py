"""`workdocs-users up` against a flaky workdocs-local: nothing lost, nothing doubled.

The service injects errors into every operation with fixed seeds; afterwards every user of
the organization is compared with the stack's state: 0 duplicates (one WorkDocs user per
resource, one resource per username) and 0 orphans (no WorkDocs user outside the state).
The provider runs with its defaults (adaptive retry mode, 300 s per call, no attempt limit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_workdocs.cli import main
from pulumi_workdocs.core.half_made import MARK
from pulumi_workdocs.engine.root_stack import open_stack
from pulumi_workdocs.users_file import load
from tests.e2e.conftest import ACCESS_KEY, SECRET_KEY, StackRunner, user_resources
from tests.e2e.test_workdocs_user import client
from workdocs_local import WorkDocsLocalServer
from workdocs_local.faults import Fault

pytestmark = [pytest.mark.faults, pytest.mark.e2e]


class Up:
    """A users file and `workdocs-users up` on it, against one workdocs-local."""

    def __init__(self, server: WorkDocsLocalServer, tmp_path: Path) -> None:
        self.server = server
        self.runner = StackRunner(server, tmp_path)  # the backend, and the engine check (never a skip)
        self.path = tmp_path / "users.yaml"
        self.client = client(self.runner)
        self.site_users = {u["Id"] for u in self.live()}  # the site administrator, made with the site

    def write(self, users: list[dict[str, Any]]) -> None:
        document = {"organization_id": self.server.organization_id, "users": users}
        self.path.write_text(yaml.safe_dump(document, sort_keys=False))

    def up(self) -> int:
        return main(["up", "--file", str(self.path), "--stack", "dev", "--backend", str(self.runner.backend),
                     "--endpoint", self.server.url, "--max-removals", "0"])  # fmt: skip

    def state(self) -> dict[str, dict[str, Any]]:
        """The root stack's WorkDocsUser resources by username, as `up` left them."""
        stack = open_stack(load(self.path), "dev", self.runner.backend, self.path.parent, endpoint=self.server.url)
        return user_resources(stack)

    def live(self) -> list[dict[str, Any]]:
        """Every user of the organization, any status (read with the faults removed)."""
        pages = self.client.get_paginator("describe_users").paginate(
            OrganizationId=self.server.organization_id, Include="ALL", PaginationConfig={"PageSize": 999}
        )
        return [user for page in pages for user in page["Users"]]

    def assert_state_matches_workdocs(self, usernames: list[str]) -> None:
        self.server.app.faults.clear()
        state = self.state()
        live = [u for u in self.live() if u["Id"] not in self.site_users]
        assert sorted(state) == sorted(usernames)
        state_ids = [r["id"] for r in state.values()]
        assert len(set(state_ids)) == len(state_ids), "two resources hold one WorkDocs user"
        live_ids = Counter(u["Username"].lower() for u in live)
        assert [name for name, n in live_ids.items() if n > 1] == [], "duplicates in WorkDocs"
        orphans = sorted(u["Username"] for u in live if u["Id"] not in set(state_ids))
        assert orphans == [], "WorkDocs users outside the state"
        assert {u["Id"] for u in live} == set(state_ids)
        for user in live:
            resource = state[user["Username"]]
            assert user["Status"] == resource["outputs"]["status"] == resource["inputs"].get("status", "ACTIVE")
            assert not user["GivenName"].endswith(MARK)


@pytest.fixture
def flaky(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Up]:
    """The CLI's engine and provider get the credentials and passphrase from the environment."""
    with WorkDocsLocalServer(access_keys=[f"{ACCESS_KEY}:{SECRET_KEY}"]) as server:
        up = Up(server, tmp_path)
        for name, value in up.runner.env.items():
            monkeypatch.setenv(name, value)
        yield up


def users(count: int, prefix: str = "flaky", **extra: Any) -> list[dict[str, Any]]:
    return [
        {
            "username": f"{prefix}{i:03d}",
            "given_name": f"{prefix.title()}{i}",
            "surname": "Tester",
            "email_address": f"{prefix}{i:03d}@example.com",
            **extra,
        }
        for i in range(count)
    ]


def test_up_of_200_users_succeeds_under_30_percent_503_and_10_percent_throttling(flaky: Up) -> None:
    declared = users(190) + users(10, "power", type="POWERUSER")  # these take an UpdateUser after CreateUser
    flaky.write(declared)
    flaky.server.app.faults.add(Fault(kind="unavailable", probability=0.3, seed=1101))
    flaky.server.app.faults.add(Fault(kind="throttling", probability=0.1, seed=1102))
    assert flaky.up() == 0
    errors = Counter(e["error"] for e in flaky.server.app.requests.entries())
    assert errors["ServiceUnavailableException"] > 40 and errors["ThrottlingException"] > 10  # faults really hit
    flaky.assert_state_matches_workdocs([u["username"] for u in declared])


def test_lost_create_answers_make_no_duplicates(flaky: Up) -> None:
    declared = users(20) + users(5, "admin", type="ADMIN")
    flaky.write(declared)
    for operation, seed in (("CreateUser", 2101), ("UpdateUser", 2102)):
        flaky.server.app.faults.add(Fault(kind="drop_after_commit", operation=operation, probability=0.4, seed=seed))
    assert flaky.up() == 0
    log = flaky.server.app.requests.entries("CreateUser")
    assert Counter(e["error"] for e in log)["EntityAlreadyExistsException"] > 3  # lost answers, retried
    flaky.assert_state_matches_workdocs([u["username"] for u in declared])


def test_a_half_made_user_is_finished_by_one_rerun(flaky: Up) -> None:
    declared = users(2) + [{"username": "half", "given_name": "Half", "surname": "Made", "type": "ADMIN",
                            "status": "INACTIVE", "email_address": "half@example.com"}]  # fmt: skip
    flaky.write(declared)
    # The follow-up after CreateUser fails, then the clean-up DeleteUser fails too.
    flaky.server.app.faults.add(Fault(kind="failed_dependency", operation="UpdateUser", count=1))
    flaky.server.app.faults.add(Fault(kind="failed_dependency", operation="DeleteUser", count=1))
    assert flaky.up() == 1
    [left] = [u for u in flaky.live() if u["Username"] == "half"]
    assert left["GivenName"] == "Half" + MARK and "half" not in flaky.state()

    assert flaky.up() == 0  # one rerun
    flaky.assert_state_matches_workdocs([u["username"] for u in declared])
    [user] = [u for u in flaky.live() if u["Username"] == "half"]
    assert user["Id"] == left["Id"] and user["Type"] == "ADMIN" and user["Status"] == "INACTIVE"
