"""`workdocs-users validate`: every problem at once, as file:line:column: message."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_workdocs.cli import main
from pulumi_workdocs.core.fields import ENTRY_KEYS
from pulumi_workdocs.users_file import UsersFileError, load, parse_size

BROKEN = Path(__file__).parent / "broken"
ROOT = Path(__file__).resolve().parents[2]
# An entry's keys, as an unknown key's message lists them (today: adopt, deletion_policy, email_address,
# given_name, locale, password, protect, status, storage, surname, time_zone_id, type, username).
KNOWN = ", ".join(sorted((*ENTRY_KEYS, "password", "protect")))


def validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["validate", str(path)])
    return code, capsys.readouterr().err.replace(str(path), "F").splitlines()


def test_schema_errors_each_with_line_column_and_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = shutil.copy(BROKEN / "schema_errors.yaml", tmp_path / "users.yaml")
    code, lines = validate(Path(path), capsys)
    assert code == 1
    assert lines == [
        "F:3:3: defaults.storage must match the pattern "
        "^(?:unlimited|[0-9]+(?:\\.[0-9]+)? ?(?:B|KB|MB|GB|TB|KiB|MiB|GiB|TiB))$ "
        "(fix: use only the characters the pattern allows)",
        "F:5:5: users[0].username must match the pattern ^(?:[\\w\\-+.]+(@[a-zA-Z0-9.\\-]+\\.[a-zA-Z]+)?)$ "
        "(fix: use only the characters the pattern allows)",
        "F:8:5: users[0].type must be one of USER, ADMIN, POWERUSER, MINIMALUSER, WORKSPACESUSER "
        "(fix: write one of the listed values exactly as shown)",
        "F:10:5: users[1].given_name must be at least 1 characters (fix: give a value)",
        f"F:12:5: users[1].colour is not a known field (known: {KNOWN}) (fix: remove it or correct its spelling)",
        "F:13:5: users[2].given_name must be of type string "
        "(fix: quote the value: YAML reads no, yes, on, off, numbers and dates as other types)",
        "F:13:5: users[2].username is required (fix: add it)",
        "F:15:5: users[2].password must be of type object "
        "(fix: write {config: KEY} (a Pulumi secret) or {env: NAME}, one of them; never the password itself)",
    ]
    assert "hunter2" not in "\n".join(lines)  # a password put in the file is never echoed


def test_semantic_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = shutil.copy(BROKEN / "semantic_errors.yaml", tmp_path / "users.yaml")
    code, lines = validate(Path(path), capsys)
    assert code == 1
    assert lines == [
        "F:9:5: users[1].username 'ALICE' duplicates users[0] (usernames are unique regardless of case) "
        "(fix: give each user a distinct username)",
        "F:12:5: users[1].email_address duplicates users[0] (fix: give each user their own email address)",
        "F:16:5: users[2].time_zone_id 'Mars/Olympus_Mons' is not an IANA time zone "
        "(fix: use a name such as Europe/Paris or America/New_York)",
    ]


def test_schema_and_semantic_problems_all_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each missing and each unknown field named; semantic checks beside schema errors; sizes in whole bytes."""
    path = shutil.copy(BROKEN / "mixed_errors.yaml", tmp_path / "users.yaml")
    code, lines = validate(Path(path), capsys)
    known = f"(known: {KNOWN}) (fix: remove it or correct its spelling)"
    whole = "(fix: use a whole number of bytes in some unit, such as 1536 KiB or 50 GB)"
    assert code == 1
    assert lines == [
        f"F:3:3: defaults.storage is not a whole number of bytes {whole}",
        "F:5:5: users[0].given_name is required (fix: add it)",
        "F:5:5: users[0].surname is required (fix: add it)",
        "F:5:5: users[0].username is required (fix: add it)",
        f"F:9:5: users[1].colour is not a known field {known}",
        f"F:10:5: users[1].shoe is not a known field {known}",
        "F:11:5: users[1].time_zone_id 'Mars/Base' is not an IANA time zone "
        "(fix: use a name such as Europe/Paris or America/New_York)",
        "F:12:5: users[2].username 'ALICE' duplicates users[1] (usernames are unique regardless of case) "
        "(fix: give each user a distinct username)",
        "F:15:5: users[2].type must be one of USER, ADMIN, POWERUSER, MINIMALUSER, WORKSPACESUSER "
        "(fix: write one of the listed values exactly as shown)",
        f"F:16:5: users[2].storage is not a whole number of bytes {whole}",
    ]


def test_an_empty_file_names_each_missing_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "users.yaml"
    path.write_text("# nothing yet\n")
    assert validate(path, capsys) == (
        1,
        ["F:1:1: organization_id is required (fix: add it)", "F:1:1: users is required (fix: add it)"],
    )


def test_repeated_keys_are_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """YAML keeps the last of a repeated key silently; a reviewer reading the first would be misled."""
    path = tmp_path / "users.yaml"
    path.write_text(
        "organization_id: d-1234567890\nusers:\n  - username: alice\n    given_name: A\n    surname: B\n"
        "    status: INACTIVE\n    status: ACTIVE\nusers:\n  - given_name: C\n    surname: D\n"
    )
    assert validate(path, capsys) == (
        1,
        [
            "F:7:5: users[0].status is given more than once; YAML keeps only the last (fix: keep one of them)",
            "F:8:1: users is given more than once; YAML keeps only the last (fix: keep one of them)",
            "F:9:5: users[0].username is required (fix: add it)",
        ],
    )


def test_a_deeply_nested_file_is_one_problem_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "users.yaml"
    deep = "{config: " * 1500 + "x" + "}" * 1500
    path.write_text(f"organization_id: d-1234567890\nusers:\n  - {{username: a, given_name: A, password: {deep}}}\n")
    message = "the document is nested more than 100 levels deep (a users file needs 4)"
    assert validate(path, capsys) == (1, [f"F:3:917: {message} (fix: close the brackets as you open them)"])


def test_line_breaks_and_control_characters_are_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A block scalar keeps its last line break: 'Pat\\n' would reach WorkDocs as a name."""
    path = tmp_path / "users.yaml"
    path.write_text(
        "organization_id: d-1234567890\nusers:\n  - username: pat\n    given_name: |\n      Pat\n"
        '    surname: "C\\r"\n    time_zone_id: "Europe/Paris\\n"\n'
    )
    fix = "(fix: write it on one line; a YAML block scalar (| or >) keeps its last line break unless written |- or >-)"
    assert validate(path, capsys) == (
        1,
        [
            f"F:4:5: users[0].given_name contains a line break or control character {fix}",
            f"F:6:5: users[0].surname contains a line break or control character {fix}",
            f"F:7:5: users[0].time_zone_id contains a line break or control character {fix}",
        ],
    )


def test_not_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = validate(BROKEN / "not_yaml.yaml", capsys)
    assert code == 1 and len(lines) >= 1 and lines[0].startswith("F:4:1: not valid YAML")


def test_the_sample_users_file_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "users.yaml")]) == 0
    assert "4 users, no problems" in capsys.readouterr().out
    assert (ROOT / "users.yaml").read_text().startswith("# yaml-language-server: $schema=./schema.json")


def test_defaults_apply_and_sizes_become_bytes(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    path.write_text(yaml.safe_dump({
        "organization_id": "d-1234567890",
        "defaults": {"storage": "50 GB", "type": "POWERUSER", "deletion_policy": "DELETE"},
        "users": [{"username": "a", "given_name": "A", "surname": "B", "type": "USER"},
                  {"username": "b", "given_name": "B", "surname": "C", "storage": "unlimited", "protect": True}],
    }))  # fmt: skip
    a, b = load(path).users
    assert a.resource_args()["type"] == "USER" and a.resource_args()["deletion_policy"] == "DELETE"
    assert a.resource_args()["storage_rule"] == {"storage_type": "QUOTA", "storage_allocated_in_bytes": 50 * 10**9}
    assert b.resource_args()["storage_rule"] == {"storage_type": "UNLIMITED"} and b.protect is True


@pytest.mark.parametrize(
    ("text", "size"),
    [("1 TiB", 1024**4), ("50 GB", 50 * 10**9), ("1.5 GiB", 3 * 1024**3 // 2), ("10MB", 10**7), ("7 B", 7)],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == {"storage_type": "QUOTA", "storage_allocated_in_bytes": size}


def test_validate_does_not_import_pulumi_or_jsonschema() -> None:
    """Reading a users file stays light: Pulumi (0.4 s to import) loads only for engine commands,
    and jsonschema (0.05 s) only to word errors jsonschema-rs found."""
    import subprocess
    import sys

    code = (
        "import sys; from pulumi_workdocs.cli import main; "
        f"code = main(['validate', {str(ROOT / 'users.yaml')!r}]); "
        "assert code == 0, code; assert 'pulumi' not in sys.modules, 'pulumi imported'; "
        "assert 'jsonschema' not in sys.modules, 'jsonschema imported'; print('light')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip().endswith("light"), done.stderr


@pytest.mark.parametrize(
    ("text", "rule"),
    [("1.5 B", "is not a whole number of bytes"), ("0.1 KiB", "is not a whole number of bytes"),
     ("9999999 TiB", "is more bytes than WorkDocs allows (9223372036854775807)")],
)  # fmt: skip
def test_parse_size_refuses_what_would_be_rounded_or_overflow(text: str, rule: str) -> None:
    with pytest.raises(ValueError, match=re.escape(rule)):
        parse_size(text)


def test_a_deactivated_user_may_share_an_address(tmp_path: Path) -> None:
    """After a rename under DEACTIVATE the old user keeps the address its successor uses."""
    path = tmp_path / "users.yaml"
    person = {"given_name": "H", "surname": "T", "email_address": "h@example.com"}
    users: list[dict[str, Any]] = [
        {"username": "henry", **person, "status": "INACTIVE", "adopt": True},
        {"username": "henry.t", **person},
    ]
    path.write_text(yaml.safe_dump({"organization_id": "d-1234567890", "users": users}))
    assert len(load(path).users) == 2
    users[0]["status"] = "ACTIVE"
    path.write_text(yaml.safe_dump({"organization_id": "d-1234567890", "users": users}))
    with pytest.raises(UsersFileError, match=r"users\[1\]\.email_address duplicates users\[0\]"):
        load(path)


ENCODINGS = [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
    ("utf-16-le", b""), ("utf-16-be", b""), ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-32-be", b"\x00\x00\xfe\xff"),
    ("utf-32-le", b""), ("utf-32-be", b""),
]  # fmt: skip


@pytest.mark.parametrize(("codec", "bom"), ENCODINGS)
def test_every_encoding_yaml_allows_is_read(tmp_path: Path, codec: str, bom: bytes) -> None:
    """UTF-8, UTF-16 and UTF-32, with a byte order mark or without (YAML 1.2, 5.2); problems at the same place."""
    line = "  - {username: zoe, given_name: Zoë, surname: 名前, type: X}"
    text = f"organization_id: d-1234567890\nusers:\n{line}\n"
    path = tmp_path / "users.yaml"
    path.write_bytes(bom + text.replace("type: X", "type: USER").encode(codec))
    (user,) = load(path).users
    assert (user.username, user.given_name, user.surname) == ("zoe", "Zoë", "名前")
    path.write_bytes(bom + text.encode(codec))
    with pytest.raises(UsersFileError) as raised:
        load(path)
    assert [(p.line, p.column) for p in raised.value.problems] == [(3, line.index("type") + 1)]
