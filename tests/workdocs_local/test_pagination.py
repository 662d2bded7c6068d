"""Pagination over 2,500 users (the site admin and 2,499 made with boto3): paginator and Marker loop."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.config import Config

from tests.conftest import make_client
from tests.workdocs_local.helpers import SITE_ADMIN, create_user
from workdocs_local import WorkDocsLocalServer

USER_COUNT = 2500


@pytest.fixture(scope="module")
def crowd() -> Iterator[tuple[Any, str, set[str]]]:
    """A server holding 2,500 users: its site admin and 2,499 created once for the module, 8 at a time."""
    with WorkDocsLocalServer() as server:
        client = make_client(
            server.url, config=Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=8)
        )
        org = server.organization_id
        with ThreadPoolExecutor(max_workers=8) as pool:
            users = list(pool.map(lambda i: create_user(client, org, f"member{i:04d}"), range(USER_COUNT - 1)))
        [admin] = client.describe_users(OrganizationId=org, Query=SITE_ADMIN)["Users"]
        yield client, org, {u["Id"] for u in users} | {admin["Id"]}


def test_boto3_paginator_sees_every_user_once(crowd: tuple[Any, str, set[str]]):
    client, org, ids = crowd
    seen: Counter[str] = Counter()
    pages = 0
    for page in client.get_paginator("describe_users").paginate(OrganizationId=org, PaginationConfig={"PageSize": 100}):
        pages += 1
        assert page["TotalNumberOfUsers"] == USER_COUNT
        assert len(page["Users"]) <= 100
        seen.update(u["Id"] for u in page["Users"])
    assert pages == USER_COUNT // 100
    assert set(seen) == ids
    assert max(seen.values()) == 1


def test_paginator_with_default_page_size(crowd: tuple[Any, str, set[str]]):
    client, org, ids = crowd
    pages = list(client.get_paginator("describe_users").paginate(OrganizationId=org))
    assert len(pages) == -(-USER_COUNT // 24)  # default Limit is 24
    seen = [u["Id"] for page in pages for u in page["Users"]]
    assert len(seen) == USER_COUNT
    assert set(seen) == ids


def test_paginator_build_full_result(crowd: tuple[Any, str, set[str]]):
    client, org, ids = crowd
    result = (
        client.get_paginator("describe_users")
        .paginate(OrganizationId=org, PaginationConfig={"PageSize": 999})
        .build_full_result()
    )
    assert len(result["Users"]) == USER_COUNT
    assert {u["Id"] for u in result["Users"]} == ids


def test_manual_marker_loop_sees_every_user_once(crowd: tuple[Any, str, set[str]]):
    client, org, ids = crowd
    seen: list[str] = []
    usernames: list[str] = []
    marker: str | None = None
    requests = 0
    while True:
        params: dict[str, Any] = {"OrganizationId": org, "Limit": 333, "Sort": "USER_NAME"}
        if marker:
            params["Marker"] = marker
        page = client.describe_users(**params)
        requests += 1
        assert page["TotalNumberOfUsers"] == USER_COUNT
        seen += [u["Id"] for u in page["Users"]]
        usernames += [u["Username"] for u in page["Users"]]
        marker = page["Marker"]
        if not marker:
            break
        assert requests < 100, "pagination does not end"
    assert requests == -(-USER_COUNT // 333)
    assert len(seen) == USER_COUNT
    assert set(seen) == ids
    assert usernames == sorted(usernames)  # pages continue the sort order


def test_pagination_of_a_filtered_query(crowd: tuple[Any, str, set[str]]):
    client, org, _ = crowd
    # "member1" prefixes member1000..member1999: 1,000 users.
    pages = list(
        client.get_paginator("describe_users").paginate(
            OrganizationId=org, Query="member1", PaginationConfig={"PageSize": 150}
        )
    )
    names = [u["Username"] for page in pages for u in page["Users"]]
    assert all(page["TotalNumberOfUsers"] == 1000 for page in pages)
    assert names == [f"member{i}" for i in range(1000, 2000)]
