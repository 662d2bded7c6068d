"""Server-side validation of every constraint kind, with boto3's own validation turned off."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_client
from tests.workdocs_local.helpers import PASSWORD, UNVALIDATED
from workdocs_local import WorkDocsLocalServer


@pytest.fixture
def raw_client(workdocs_server: WorkDocsLocalServer) -> Any:
    """A boto3 client with client-side parameter validation off (Config(parameter_validation=False))."""
    return make_client(workdocs_server.url, config=UNVALIDATED)


def _user_params(org: str, **overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "OrganizationId": org,
        "Username": "valid.user",
        "GivenName": "Valid",
        "Surname": "User",
        "Password": PASSWORD,
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def _invalid(client: Any, call: Any) -> str:
    with pytest.raises(client.exceptions.InvalidArgumentException) as caught:
        call()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(caught.value.response["Error"]["Message"])


CREATE_CASES = [
    # (overrides, field named in the message, rule named in the message)
    ({"Surname": None}, "Surname", "must not be null"),
    ({"Password": None}, "Password", "must not be null"),
    ({"GivenName": 12345}, "GivenName", "must be a string"),
    (
        {"StorageRule": {"StorageAllocatedInBytes": "lots"}},
        "StorageRule.StorageAllocatedInBytes",
        "type long",
    ),
    ({"Password": "Zq9"}, "Password", "length greater than or equal to 4"),
    ({"GivenName": ""}, "GivenName", "length greater than or equal to 1"),
    ({"GivenName": "G" * 65}, "GivenName", "length less than or equal to 64"),
    ({"Password": "Pw" * 17}, "Password", "length less than or equal to 32"),
    ({"Username": "u" * 257}, "Username", "length less than or equal to 256"),
    (
        {"StorageRule": {"StorageAllocatedInBytes": -1}},
        "StorageRule.StorageAllocatedInBytes",
        "value greater than",
    ),
    (
        {"StorageRule": {"StorageType": "INFINITE"}},
        "StorageRule.StorageType",
        "enum value set: [UNLIMITED, QUOTA]",
    ),
    ({"Username": "john smith"}, "Username", "regular expression pattern"),
    ({"Username": "alice!"}, "Username", "regular expression pattern"),  # a prefix matches: full match needed
    # The model's patterns are Java regexes, where \w is ASCII-only.
    ({"Username": "émile"}, "Username", "regular expression pattern"),
    ({"EmailAddress": "someone@example"}, "EmailAddress", "regular expression pattern"),  # no TLD
    ({"EmailAddress": "someone@example.c"}, "EmailAddress", "regular expression pattern"),  # 1-letter TLD
    ({"Password": "pass\u0100word"}, "Password", "regular expression pattern"),
    ({"OrganizationId": "d 123"}, "OrganizationId", "regular expression pattern"),
]


@pytest.mark.parametrize(("overrides", "field", "rule"), CREATE_CASES)
def test_create_user_constraint_is_enforced(
    raw_client: Any, workdocs_server: WorkDocsLocalServer, overrides: dict[str, Any], field: str, rule: str
):
    message = _invalid(
        raw_client,
        lambda: raw_client.create_user(**_user_params(workdocs_server.organization_id, **overrides)),
    )
    assert f"Value at '{field}' failed to satisfy constraint" in message
    assert rule in message
    assert raw_client.describe_users(OrganizationId=workdocs_server.organization_id)["Users"] == []


DESCRIBE_CASES = [
    ({"Limit": 0}, "Limit", "value greater than or equal to 1"),
    ({"Limit": 1000}, "Limit", "value less than or equal to 999"),
    ({"Limit": "ten"}, "Limit", "be of type integer"),
    ({"Include": "EVERYONE"}, "Include", "enum value set: [ALL, ACTIVE_PENDING]"),
    ({"Order": "RANDOM"}, "Order", "enum value set: [ASCENDING, DESCENDING]"),
    ({"Sort": "AGE"}, "Sort", "enum value set"),
    ({"Fields": "STORAGE METADATA"}, "Fields", "regular expression pattern"),
    ({"Query": "x" * 513}, "Query", "length less than or equal to 512"),
    ({"UserIds": "id/with/slashes"}, "UserIds", "regular expression pattern"),
]


@pytest.mark.parametrize(("params", "field", "rule"), DESCRIBE_CASES)
def test_describe_users_constraint_is_enforced(
    raw_client: Any, workdocs_server: WorkDocsLocalServer, params: dict[str, Any], field: str, rule: str
):
    message = _invalid(
        raw_client,
        lambda: raw_client.describe_users(OrganizationId=workdocs_server.organization_id, **params),
    )
    assert f"Value at '{field}' failed to satisfy constraint" in message
    assert rule in message


@pytest.mark.parametrize("limit", [1, 999])
def test_limit_bounds_are_inclusive(raw_client: Any, workdocs_server: WorkDocsLocalServer, limit: int):
    result = raw_client.describe_users(OrganizationId=workdocs_server.organization_id, Limit=limit)
    assert result["Users"] == []


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"Type": "ROOT"}, "Type", "enum value set: [USER, ADMIN, POWERUSER"),
        ({"Locale": "tlh"}, "Locale", "enum value set"),
        ({"GrantPoweruserPrivileges": "YES"}, "GrantPoweruserPrivileges", "enum value set: [TRUE, FALSE]"),
        ({"TimeZoneId": ""}, "TimeZoneId", "length greater than or equal to 1"),
        ({"Surname": "S" * 65}, "Surname", "length less than or equal to 64"),
    ],
)
def test_update_user_constraint_is_enforced(raw_client: Any, params: dict[str, Any], field: str, rule: str):
    message = _invalid(raw_client, lambda: raw_client.update_user(UserId="some-user", **params))
    assert f"Value at '{field}'" in message
    assert rule in message


def test_all_violations_are_reported_together(raw_client: Any, workdocs_server: WorkDocsLocalServer):
    params = _user_params(workdocs_server.organization_id, GivenName="", Surname=None, Username="a b")
    message = _invalid(raw_client, lambda: raw_client.create_user(**params))
    assert message.startswith("3 validation errors detected")
    for field in ("GivenName", "Surname", "Username"):
        assert f"'{field}'" in message


@pytest.mark.parametrize(
    "password",
    ["Zq9", "TooLong-" + "p" * 30, "bad\u0101pass", "has\u0100\u0100char"],
    ids=["too-short", "too-long", "pattern", "pattern-2"],
)
def test_password_never_appears_in_an_error(raw_client: Any, workdocs_server: WorkDocsLocalServer, password: str):
    with pytest.raises(raw_client.exceptions.InvalidArgumentException) as caught:
        raw_client.create_user(**_user_params(workdocs_server.organization_id, Password=password, Username="a b"))
    response = caught.value.response
    assert "'Password'" in response["Error"]["Message"]
    assert password not in str(response)
    assert password not in str(caught.value)


def test_valid_password_does_not_appear_in_other_errors(raw_client: Any, workdocs_server: WorkDocsLocalServer):
    org = workdocs_server.organization_id
    raw_client.create_user(**_user_params(org))
    with pytest.raises(raw_client.exceptions.EntityAlreadyExistsException) as caught:
        raw_client.create_user(**_user_params(org))
    assert PASSWORD not in str(caught.value.response)
    with pytest.raises(raw_client.exceptions.InvalidArgumentException) as invalid:
        raw_client.create_user(**_user_params(org, GivenName="G" * 65))
    assert PASSWORD not in str(invalid.value.response)
