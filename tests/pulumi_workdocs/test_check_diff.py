"""check() and diff(): pure functions of (olds, news); no server needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN

from pulumi_workdocs.provider import WorkDocsUserProvider
from tests.pulumi_workdocs.conftest import ALICE

ARGS: dict[str, Any] = {"organization_id": "d-1234567890", **ALICE}
OUTS: dict[str, Any] = {
    **{k: v for k, v in ARGS.items() if k != "password"},
    "type": "USER",
    "locale": "default",
    "time_zone_id": "GMT",
    "storage_rule": {"storage_type": "QUOTA", "storage_allocated_in_bytes": 1024**4},
    "root_folder_id": "f" * 64,
}
provider = WorkDocsUserProvider()


def failures(news: dict[str, Any], olds: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in provider.check(olds or {}, news).failures]


def test_valid_inputs_pass() -> None:
    assert failures(ARGS) == []


@pytest.mark.parametrize(
    ("change", "prop", "rule"),
    [
        ({"username": "al ice"}, "username", "must match the pattern"),
        ({"username": "émile"}, "username", "must match the pattern"),  # \w is ASCII, as the service reads it
        ({"username": ""}, "username", "must be at least 1 characters"),
        ({"given_name": "x" * 65}, "given_name", "must be at most 64 characters"),
        ({"email_address": "alice@example"}, "email_address", "must match the pattern"),
        ({"type": "OWNER"}, "type", "must be one of USER, ADMIN"),
        ({"locale": "xx"}, "locale", "must be one of en"),
        ({"status": "PENDING"}, "status", "must be one of ACTIVE, INACTIVE"),
        ({"deletion_policy": "KEEP"}, "deletion_policy", "must be one of DEACTIVATE, DELETE"),
        (
            {"storage_rule": {"storage_type": "QUOTA", "storage_allocated_in_bytes": -1}},
            "storage_rule",
            "storage_rule.storage_allocated_in_bytes must be at least 0",
        ),
        ({"storage_rule": {"storage_type": "QUOTA"}}, "storage_rule", "required when storage_type is QUOTA"),
        ({"surname": None}, "surname", "is required"),
        ({"adopt": "yes"}, "adopt", "must be of type boolean"),
        ({"time_zone_id": "Mars/Olympus"}, "time_zone_id", "is not an IANA time zone"),
    ],
)
def test_each_rule_names_the_property_and_the_rule(change: dict[str, Any], prop: str, rule: str) -> None:
    found = failures({**ARGS, **change})
    assert {p for p, _ in found} == {prop}, found
    assert any(rule in reason and reason.startswith(prop) for _, reason in found), found


def test_password_value_never_appears_in_a_failure() -> None:
    found = failures({**ARGS, "password": "ab"})
    assert found == [("password", "password must be at least 4 characters")]
    long_secret = "S3cret-" + "x" * 40
    assert long_secret not in repr(failures({**ARGS, "password": long_secret}))


def test_every_violation_is_reported_at_once() -> None:
    found = failures({**ARGS, "username": "a b", "given_name": "", "type": "BOSS"})
    assert {p for p, _ in found} == {"username", "given_name", "type"}


def test_unknown_values_are_not_validated() -> None:
    assert failures({**ARGS, "organization_id": UNKNOWN, "given_name": UNKNOWN}) == []


def test_a_new_password_is_ignored_with_the_old_one_kept() -> None:
    result = provider.check(ARGS, {**ARGS, "password": "Another-pass"})
    assert result.failures == []
    assert result.inputs["password"] == ARGS["password"]


def test_same_username_replace_under_deactivate_is_refused_at_preview() -> None:
    found = failures({**ARGS, "email_address": "new@example.com"}, olds=ARGS)
    assert len(found) == 1 and found[0][0] == "email_address"
    assert "deletion_policy DELETE" in found[0][1] and "new username" in found[0][1]
    olds_delete = {**ARGS, "deletion_policy": "DELETE"}
    assert failures({**olds_delete, "email_address": "new@example.com"}, olds=olds_delete) == []
    assert failures({**ARGS, "username": "alice2", "email_address": "n@example.com"}, olds=ARGS) == []


def diff(news: dict[str, Any], olds: dict[str, Any] = OUTS) -> tuple[bool | None, list[str], bool | None]:
    result = provider.diff("id", olds, news)
    return result.changes, list(result.replaces or []), result.delete_before_replace


def test_no_change_is_an_explicit_no() -> None:
    assert diff(ARGS) == (False, [], False)


def test_undeclared_fields_keep_the_live_value() -> None:
    assert diff({**ARGS, "type": None, "time_zone_id": None, "storage_rule": None}) == (False, [], False)


@pytest.mark.parametrize(
    "change",
    [
        {"given_name": "Alicia"},
        {"surname": "Hargreaves"},
        {"type": "ADMIN"},
        {"locale": "fr"},
        {"time_zone_id": "Europe/Paris"},
        {"storage_rule": {"storage_type": "UNLIMITED"}},
        {"status": "INACTIVE"},
        {"deletion_policy": "DELETE"},
        {"adopt": True},
    ],
)
def test_in_place_changes(change: dict[str, Any]) -> None:
    assert diff({**ARGS, **change}) == (True, [], False)


def test_username_change_replaces_create_before_delete() -> None:
    assert diff({**ARGS, "username": "alice2"}) == (True, ["username"], False)


@pytest.mark.parametrize("prop", ["email_address", "organization_id"])
def test_same_username_replace_deletes_first(prop: str) -> None:
    value = "new@example.com" if prop == "email_address" else "d-0987654321"
    olds = {**OUTS, "deletion_policy": "DELETE"}
    result = provider.diff("u-1", olds, {**ARGS, "deletion_policy": "DELETE", prop: value})
    assert (result.changes, result.replaces, result.delete_before_replace) == (True, [prop], True)


def test_unknown_replace_field_is_a_replace() -> None:
    """Not refused: the new value may turn out the same."""
    assert diff({**ARGS, "email_address": UNKNOWN}) == (True, ["email_address"], True)


def test_an_unset_password_variable_keeps_an_existing_users_password(hand_off: Callable[..., Any]) -> None:
    """The password is used once, at creation: later runs need not have its variable set."""
    hand_off(unset_password_env={"alice": "ALICE_PASSWORD"})
    news = {k: v for k, v in ARGS.items() if k != "password"}  # the program passes none
    result = provider.check(ARGS, news)
    assert result.failures == [] and result.inputs["password"] == ARGS["password"]


def test_an_unset_password_variable_refuses_to_create(hand_off: Callable[..., Any]) -> None:
    hand_off(unset_password_env={"alice": "ALICE_PASSWORD"})
    news = {**ARGS, "password": None}
    assert failures(news) == [
        (
            "password",
            "password.env names ALICE_PASSWORD, which is not set; it is needed to create WorkDocs user 'alice'",
        )
    ]
    assert failures({**news, "given_name": ""}) == [
        ("given_name", "given_name must be at least 1 characters"),
        (
            "password",
            "password.env names ALICE_PASSWORD, which is not set; it is needed to create WorkDocs user 'alice'",
        ),
    ]


def test_an_unset_password_variable_after_a_refresh_is_still_an_existing_user(hand_off: Callable[..., Any]) -> None:
    """read() keeps no password, so refreshed olds have none: the user still exists."""
    hand_off(unset_password_env={"alice": "ALICE_PASSWORD"})
    refreshed = {k: v for k, v in ARGS.items() if k != "password"}
    news = {**ARGS, "password": None}
    result = provider.check(refreshed, news)
    assert result.failures == [] and "password" not in result.inputs


def test_an_unset_password_variable_does_not_stop_an_adoption(hand_off: Callable[..., Any]) -> None:
    hand_off(unset_password_env={"alice": "ALICE_PASSWORD"})
    news = {**ARGS, "adopt": True, "password": None}
    assert failures(news) == []
