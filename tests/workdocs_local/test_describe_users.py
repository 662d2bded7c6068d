"""DescribeUsers: scoping, UserIds, Query, Include, Sort/Order, Limit, Marker and Fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import make_client
from tests.workdocs_local.helpers import create_user
from workdocs_local import WorkDocsLocalServer

ORG_A = "d-aaaaaaaaaa"
ORG_B = "d-bbbbbbbbbb"


@pytest.fixture(scope="module")
def directory() -> Iterator[tuple[Any, dict[str, dict[str, Any]]]]:
    """One server for the module (read-only tests): five users in ORG_A, one in ORG_B."""
    with WorkDocsLocalServer(organizations=[ORG_A, ORG_B]) as server:
        client = make_client(server.url)
        people = [
            ("alice", "Alice", "Liddell", 3 * 1024**3),
            ("bob.smith", "Bob", "Smith", 1 * 1024**3),
            ("carol", "Carol", "Smithers", 5 * 1024**3),
            ("dan", "Dan", "Brown", 2 * 1024**3),
            ("emile", "Émile", "Ørsted", 4 * 1024**3),
        ]
        users = {
            username: create_user(
                client,
                ORG_A,
                username,
                GivenName=given,
                Surname=surname,
                StorageRule={"StorageType": "QUOTA", "StorageAllocatedInBytes": quota},
            )
            for username, given, surname, quota in people
        }
        client.deactivate_user(UserId=users["dan"]["Id"])
        users["zed"] = create_user(client, ORG_B, "zed", GivenName="Alice", Surname="Zed")
        yield client, users


def _names(response: dict[str, Any]) -> list[str]:
    return [u["Username"] for u in response["Users"]]


def test_organization_scopes_the_result(directory: tuple[Any, dict[str, Any]]):
    client, _ = directory
    in_a = client.describe_users(OrganizationId=ORG_A)
    in_b = client.describe_users(OrganizationId=ORG_B)
    assert sorted(_names(in_a)) == ["alice", "bob.smith", "carol", "emile"]
    assert in_a["TotalNumberOfUsers"] == 4
    assert _names(in_b) == ["zed"]
    assert all(u["OrganizationId"] == ORG_A for u in in_a["Users"])


def test_sigv4_caller_must_name_an_organization(directory: tuple[Any, dict[str, Any]]):
    client, _ = directory
    with pytest.raises(client.exceptions.InvalidArgumentException) as caught:
        client.describe_users()
    assert "OrganizationId" in caught.value.response["Error"]["Message"]


def test_user_ids_select_users_and_ignore_query(directory: tuple[Any, dict[str, Any]]):
    client, users = directory
    ids = f"{users['alice']['Id']},{users['carol']['Id']}"
    result = client.describe_users(OrganizationId=ORG_A, UserIds=ids, Query="nobody-matches-this")
    assert sorted(_names(result)) == ["alice", "carol"]
    assert result["TotalNumberOfUsers"] == 2
    # Without an organization, UserIds alone are enough for an administrator.
    assert _names(client.describe_users(UserIds=users["bob.smith"]["Id"])) == ["bob.smith"]


def test_user_ids_tolerate_spaces_after_commas(directory: tuple[Any, dict[str, Any]]):
    client, users = directory
    ids = f"{users['alice']['Id']}, {users['emile']['Id']}"
    assert sorted(_names(client.describe_users(OrganizationId=ORG_A, UserIds=ids))) == ["alice", "emile"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ali", ["alice"]),  # given name prefix
        ("smi", ["bob.smith", "carol"]),  # surname prefix (Smith, Smithers)
        ("bob.", ["bob.smith"]),  # username prefix
        ("SMITHERS", ["carol"]),  # case-insensitive
        ("lice", []),  # a prefix match, not a substring match
        ("smith bob", ["bob.smith"]),  # every token must match
        ("smith zzz", []),
        ("bob smith", ["bob.smith"]),  # token order does not matter
        ("émile", ["emile"]),  # non-ASCII, case-insensitive
        ("ØRS", ["emile"]),
    ],
)
def test_query_is_a_prefix_match_on_names(directory: tuple[Any, dict[str, Any]], query: str, expected: list[str]):
    client, _ = directory
    result = client.describe_users(OrganizationId=ORG_A, Query=query)
    assert sorted(_names(result)) == expected
    assert result["TotalNumberOfUsers"] == len(expected)


def test_query_does_not_treat_like_wildcards_as_wildcards(directory: tuple[Any, dict[str, Any]]):
    client, _ = directory
    assert _names(client.describe_users(OrganizationId=ORG_A, Query="%")) == []
    assert _names(client.describe_users(OrganizationId=ORG_A, Query="_lice")) == []


def test_include_defaults_to_active_pending_and_all_adds_inactive(directory: tuple[Any, dict[str, Any]]):
    client, _ = directory
    default = client.describe_users(OrganizationId=ORG_A)
    explicit = client.describe_users(OrganizationId=ORG_A, Include="ACTIVE_PENDING")
    everyone = client.describe_users(OrganizationId=ORG_A, Include="ALL")
    assert "dan" not in _names(default)
    assert sorted(_names(explicit)) == sorted(_names(default))
    assert sorted(_names(everyone)) == ["alice", "bob.smith", "carol", "dan", "emile"]
    assert everyone["TotalNumberOfUsers"] == 5
    [dan] = [u for u in everyone["Users"] if u["Username"] == "dan"]
    assert dan["Status"] == "INACTIVE"


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("USER_NAME", "ASCENDING", ["alice", "bob.smith", "carol", "dan", "emile"]),
        ("USER_NAME", "DESCENDING", ["emile", "dan", "carol", "bob.smith", "alice"]),
        # Full name: "alice liddell" < "bob smith" < "carol smithers" < "dan brown" < "émile ørsted"
        ("FULL_NAME", "ASCENDING", ["alice", "bob.smith", "carol", "dan", "emile"]),
        ("STORAGE_LIMIT", "ASCENDING", ["bob.smith", "dan", "alice", "emile", "carol"]),
        ("STORAGE_LIMIT", "DESCENDING", ["carol", "emile", "alice", "dan", "bob.smith"]),
    ],
)
def test_sort_and_order(directory: tuple[Any, dict[str, Any]], sort: str, order: str, expected: list[str]):
    client, _ = directory
    result = client.describe_users(OrganizationId=ORG_A, Include="ALL", Sort=sort, Order=order)
    assert _names(result) == expected


def test_sort_by_user_status_puts_active_before_inactive(directory: tuple[Any, dict[str, Any]]):
    client, _ = directory
    result = client.describe_users(OrganizationId=ORG_A, Include="ALL", Sort="USER_STATUS")
    statuses = [u["Status"] for u in result["Users"]]
    assert statuses == ["ACTIVE"] * 4 + ["INACTIVE"]


def test_default_order_is_ascending_by_user_name(directory: tuple[Any, dict[str, Any]]):
    client, _ = directory
    assert _names(client.describe_users(OrganizationId=ORG_A)) == ["alice", "bob.smith", "carol", "emile"]


def test_storage_is_returned_only_with_storage_metadata_field(directory: tuple[Any, dict[str, Any]]):
    client, _ = directory
    plain = client.describe_users(OrganizationId=ORG_A, Query="alice")["Users"]
    with_storage = client.describe_users(OrganizationId=ORG_A, Query="alice", Fields="STORAGE_METADATA")["Users"]
    assert "Storage" not in plain[0]
    assert with_storage[0]["Storage"] == {
        "StorageUtilizedInBytes": 0,
        "StorageRule": {"StorageType": "QUOTA", "StorageAllocatedInBytes": 3 * 1024**3},
    }


def test_limit_and_marker_page_through_the_result(directory: tuple[Any, dict[str, Any]]):
    client, _ = directory
    first = client.describe_users(OrganizationId=ORG_A, Include="ALL", Limit=2)
    assert _names(first) == ["alice", "bob.smith"]
    assert first["TotalNumberOfUsers"] == 5
    assert first["Marker"]
    second = client.describe_users(OrganizationId=ORG_A, Include="ALL", Limit=2, Marker=first["Marker"])
    assert _names(second) == ["carol", "dan"]
    assert second["Marker"] and second["Marker"] != first["Marker"]
    last = client.describe_users(OrganizationId=ORG_A, Include="ALL", Limit=2, Marker=second["Marker"])
    assert _names(last) == ["emile"]
    assert last["Marker"] == ""  # the last page answers an empty marker


def test_a_marker_not_issued_by_the_service_is_rejected(directory: tuple[Any, dict[str, Any]]):
    client, _ = directory
    with pytest.raises(client.exceptions.InvalidArgumentException) as caught:
        client.describe_users(OrganizationId=ORG_A, Marker="not-a-marker")
    assert "Marker" in caught.value.response["Error"]["Message"]


def test_limit_defaults_to_24(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    org = workdocs_server.organization_id
    for index in range(30):
        create_user(workdocs, org, f"user{index:02d}")

    first = workdocs.describe_users(OrganizationId=org)
    assert len(first["Users"]) == 24
    assert first["TotalNumberOfUsers"] == 30
    assert first["Marker"]
    rest = workdocs.describe_users(OrganizationId=org, Marker=first["Marker"])
    assert len(rest["Users"]) == 6
    assert rest["Marker"] == ""
    assert _names(first) + _names(rest) == [f"user{i:02d}" for i in range(30)]
    assert len(workdocs.describe_users(OrganizationId=org, Limit=999)["Users"]) == 30
