"""API calls per user under the real engine: a refresh reads N users in ceil(N/999) pages, and
a plain create is one CreateUser (workdocs-local's request log counts them)."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from tests.e2e.conftest import StackRunner
from tests.e2e.test_workdocs_user import changes, client, users_program

pytestmark = pytest.mark.e2e
N = 40


def test_refresh_of_n_users_costs_a_listing_and_a_create_one_call(runner: StackRunner) -> None:
    users = [{"username": f"reader{i:02d}", "given_name": f"Reader{i}", "surname": "Tester"} for i in range(N)]
    runner.up(users_program(runner, users))
    created = Counter(e["operation"] for e in runner.server.app.requests.entries())
    assert created == {"CreateUser": N}  # nothing follows CreateUser for a plain user

    wd = client(runner)
    ids = {name: r["id"] for name, r in runner.resources().items()}
    wd.update_user(UserId=ids["reader07"], GivenName="Changed")  # drift the refresh must see
    wd.delete_user(UserId=ids["reader08"])  # gone: described alone, then dropped
    runner.server.app.requests.clear()
    result = runner.refresh()

    operations = Counter(e["operation"] for e in runner.server.app.requests.entries())
    assert set(operations) == {"DescribeUsers"}
    assert operations["DescribeUsers"] <= math.ceil(N / 999) + 2
    assert operations["DescribeUsers"] == 2  # one page of 999, then the deleted user alone
    assert changes(result) == {"same": N - 2 + 1, "update": 1, "delete": 1}  # + 1: the stack
    state = runner.resources()
    assert "reader08" not in state and state["reader07"]["outputs"]["given_name"] == "Changed"
