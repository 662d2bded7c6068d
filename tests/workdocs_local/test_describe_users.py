"""DescribeUsers: scoping, UserIds, Query, Include, Sort/Order, Limit, Marker and Fields."""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import make_client
from tests.workdocs_local.helpers import SITE_ADMIN, create_user, raw_request
from workdocs_local import WorkDocsLocalServer

ORG_A = "d-aaaaaaaaaa"
ORG_B = "d-bbbbbbbbbb"


@pytest.fixture(scope="module")
def directory() -> Iterator[tuple[Any, dict[str, dict[str, Any]]]]:
    """One server for the module (read-only tests): five users in ORG_A, one in ORG_B, and each
    organization's site admin (Site Administrator, ADMIN, the default 1 TiB quota)."""
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
    assert sorted(_names(in_a)) == ["alice", "bob.smith", "carol", "emile", SITE_ADMIN]
    assert in_a["TotalNumberOfUsers"] == 5
    assert _names(in_b) == [SITE_ADMIN, "zed"]
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
    assert sorted(_names(everyone)) == ["alice", "bob.smith", "carol", "dan", "emile", SITE_ADMIN]
    assert everyone["TotalNumberOfUsers"] == 6
    [dan] = [u for u in everyone["Users"] if u["Username"] == "dan"]
    assert dan["Status"] == "INACTIVE"


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("USER_NAME", "ASCENDING", ["alice", "bob.smith", "carol", "dan", "emile", SITE_ADMIN]),
        ("USER_NAME", "DESCENDING", [SITE_ADMIN, "emile", "dan", "carol", "bob.smith", "alice"]),
        # Full name: "alice liddell" < "bob smith" < "carol smithers" < "dan brown"
        # < "site administrator" < "émile ørsted" (code point order)
        ("FULL_NAME", "ASCENDING", ["alice", "bob.smith", "carol", "dan", SITE_ADMIN, "emile"]),
        ("STORAGE_LIMIT", "ASCENDING", ["bob.smith", "dan", "alice", "emile", "carol", SITE_ADMIN]),
        ("STORAGE_LIMIT", "DESCENDING", [SITE_ADMIN, "carol", "emile", "alice", "dan", "bob.smith"]),
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
    assert statuses == ["ACTIVE"] * 5 + ["INACTIVE"]


def test_default_order_is_ascending_by_user_name(directory: tuple[Any, dict[str, Any]]):
    client, _ = directory
    assert _names(client.describe_users(OrganizationId=ORG_A)) == ["alice", "bob.smith", "carol", "emile", SITE_ADMIN]


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
    assert first["TotalNumberOfUsers"] == 6
    assert first["Marker"]
    second = client.describe_users(OrganizationId=ORG_A, Include="ALL", Limit=2, Marker=first["Marker"])
    assert _names(second) == ["carol", "dan"]
    assert second["Marker"] and second["Marker"] != first["Marker"]
    last = client.describe_users(OrganizationId=ORG_A, Include="ALL", Limit=2, Marker=second["Marker"])
    assert _names(last) == ["emile", SITE_ADMIN]
    assert last["Marker"] == ""  # the last page answers an empty marker


INVALID_MARKER = "The pagination marker or limit fields are not valid."


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def _forged_markers(issued: str) -> list[str]:
    """Markers the service never issued: garbage, offsets that were never signed, a changed one."""
    flipped = issued[:-2] + ("A" if issued[-2] != "A" else "B") + issued[-1]
    return [
        "not-a-marker",
        _b64(json.dumps({"offset": 10**30})),  # a huge offset
        _b64(json.dumps({"offset": 2})),
        _b64(f"{2**63}:{'0' * 64}"),
        _b64("2:" + "0" * 64),
        _b64("-1"),
        "é" * 10,
        "x" * 2048,
        flipped,
    ]


def test_a_marker_not_issued_by_the_service_is_rejected(directory: tuple[Any, dict[str, Any]]):
    client, _ = directory
    issued = client.describe_users(OrganizationId=ORG_A, Limit=2)["Marker"]
    for marker in _forged_markers(issued):
        with pytest.raises(client.exceptions.InvalidArgumentException) as caught:
            client.describe_users(OrganizationId=ORG_A, Limit=2, Marker=marker)
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400, marker
        assert caught.value.response["Error"]["Message"] == INVALID_MARKER, marker


@pytest.mark.parametrize(
    "marker",
    [_b64(json.dumps({"offset": 2**70})), _b64(f"{10**40}:feed"), "%C3%A9%00", "%FF" * 10],
    ids=["huge-json-offset", "huge-offset", "nul", "not-utf8"],
)
def test_a_forged_marker_on_the_wire_is_a_400(workdocs_server: WorkDocsLocalServer, marker: str):
    query = f"organizationId={workdocs_server.organization_id}&marker={urllib.parse.quote(marker, safe='%')}"
    status, headers, body = raw_request(workdocs_server.url, "GET", f"/api/v1/users?{query}")
    assert (status, headers["x-amzn-errortype"]) == (400, "InvalidArgumentException")
    assert json.loads(body) == {"__type": "InvalidArgumentException", "Message": INVALID_MARKER}


def test_a_marker_left_over_after_deletions_answers_an_empty_last_page(
    workdocs: Any, workdocs_server: WorkDocsLocalServer
):
    org = workdocs_server.organization_id
    made = [create_user(workdocs, org, f"temp{i}") for i in range(3)]
    page = workdocs.describe_users(OrganizationId=org, Limit=3)
    for user in made:
        workdocs.delete_user(UserId=user["Id"])
    rest = workdocs.describe_users(OrganizationId=org, Limit=3, Marker=page["Marker"])
    assert (rest["Users"], rest["TotalNumberOfUsers"], rest["Marker"]) == ([], 1, "")


# The API Reference's example for Query: "Ma" returns Márcia Oliveira, María García and Mateo
# Jackson; "Ma J" only Mateo Jackson. The others are there to be left out.
REFERENCE_PEOPLE = [
    ("marcia.oliveira", "Márcia", "Oliveira"),
    ("maria.garcia", "María", "García"),
    ("mateo.jackson", "Mateo", "Jackson"),
    ("jamal.ejaz", "Jamal", "Ejaz"),  # "ma" inside words only, and a J
    ("tomas.almeida", "Tomás", "Almeida"),  # "ma" inside words only
    ("ana.delacruz", "Ana Lucía", "de la Cruz"),  # names of several words
]


@pytest.fixture(scope="module")
def reference_people() -> Iterator[tuple[Any, str]]:
    with WorkDocsLocalServer() as server:
        client = make_client(server.url)
        for username, given, surname in REFERENCE_PEOPLE:
            create_user(client, server.organization_id, username, GivenName=given, Surname=surname)
        yield client, server.organization_id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Ma", ["marcia.oliveira", "maria.garcia", "mateo.jackson"]),  # the Reference's example
        ("Ma J", ["mateo.jackson"]),  # every token must match
        ("J Ma", ["mateo.jackson"]),  # in any order
        ("MÁ", ["marcia.oliveira", "maria.garcia", "mateo.jackson"]),  # case and accents both ways
        ("\uff2d\uff41", ["marcia.oliveira", "maria.garcia", "mateo.jackson"]),  # fullwidth "Ｍａ" (NFKD)
        ("marc", ["marcia.oliveira"]),
        ("GARCIA", ["maria.garcia"]),
        ("garcía maría", ["maria.garcia"]),
        ("oli", ["marcia.oliveira"]),  # surname
        ("mateo.j", ["mateo.jackson"]),  # username
        ("jack", ["mateo.jackson"]),  # a word of the username too
        ("j", ["jamal.ejaz", "mateo.jackson"]),
        ("luc", ["ana.delacruz"]),  # the second word of a given name
        ("cruz", ["ana.delacruz"]),  # the last word of a surname
        ("ackson", []),  # a prefix of a word, not a substring
        ("ma zz", []),
    ],
)
def test_query_matches_as_the_api_reference_says(reference_people: tuple[Any, str], query: str, expected: list[str]):
    client, org = reference_people
    result = client.describe_users(OrganizationId=org, Query=query)
    assert sorted(_names(result)) == expected
    assert result["TotalNumberOfUsers"] == len(expected)


def test_sort_by_storage_limit_puts_unlimited_last_ascending(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    org = workdocs_server.organization_id
    for username, rule in [
        ("unlimited", {"StorageType": "UNLIMITED"}),
        ("huge", {"StorageType": "QUOTA", "StorageAllocatedInBytes": 2**63 - 1}),
        ("small", {"StorageType": "QUOTA", "StorageAllocatedInBytes": 1}),
        ("none", {"StorageType": "QUOTA", "StorageAllocatedInBytes": 0}),
    ]:
        create_user(workdocs, org, username, StorageRule=rule)
    # The site admin has the default quota, 1 TiB.
    ascending = ["none", "small", SITE_ADMIN, "huge", "unlimited"]
    result = workdocs.describe_users(OrganizationId=org, Sort="STORAGE_LIMIT", Order="ASCENDING")
    assert _names(result) == ascending
    result = workdocs.describe_users(OrganizationId=org, Sort="STORAGE_LIMIT", Order="DESCENDING")
    assert _names(result) == ascending[::-1]
    assert _names(workdocs.describe_users(OrganizationId=org, Sort="STORAGE_LIMIT")) == ascending


def test_limit_defaults_to_24(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    org = workdocs_server.organization_id
    for index in range(30):
        create_user(workdocs, org, f"user{index:02d}")

    first = workdocs.describe_users(OrganizationId=org)
    assert len(first["Users"]) == 24
    assert first["TotalNumberOfUsers"] == 31  # with the site admin
    assert first["Marker"]
    rest = workdocs.describe_users(OrganizationId=org, Marker=first["Marker"])
    assert len(rest["Users"]) == 7
    assert rest["Marker"] == ""
    assert _names(first) + _names(rest) == [SITE_ADMIN] + [f"user{i:02d}" for i in range(30)]
    assert len(workdocs.describe_users(OrganizationId=org, Limit=999)["Users"]) == 31
