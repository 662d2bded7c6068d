"""Property-based fuzzing of the users file: whatever the bytes, `load` returns a UsersFile
or raises UsersFileError whose every line is ``path:line:column: ...``; nothing else.

Near-valid users files (generated as documents, dumped in every style PyYAML writes),
then YAML-level mutations (aliases, tags, odd scalars, deep nesting, several documents,
truncation) and byte-level ones (every encoding YAML allows, and some it does not).
Fixed seed (derandomize) and a bounded budget, so every run tries the same examples.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_workdocs.users_file import MAX_PROBLEMS, UsersFile, UsersFileError, load

pytestmark = pytest.mark.faults

BUDGET = settings(
    derandomize=True,  # the same examples on every run, on every machine
    database=None,
    max_examples=200,
    deadline=datetime.timedelta(seconds=5),  # what the issue calls a hang
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

VALID: dict[str, list[Any]] = {
    "username": ["alice", "bob.smith", "c-3po", "user@example.com"],
    "given_name": ["Alice", "Zoë", "名前", "O'Brien"],
    "surname": ["Liddell", "Smith", "Ünal"],
    "email_address": ["alice@example.com", "b.s@example.org"],
    "type": ["USER", "ADMIN", "POWERUSER"],
    "status": ["ACTIVE", "INACTIVE"],
    "locale": ["en", "fr", "default"],
    "time_zone_id": ["Europe/Paris", "America/New_York", "UTC"],
    "storage": ["50 GB", "1 TiB", "unlimited", "1536 KiB"],
    "deletion_policy": ["DELETE", "DEACTIVATE"],
    "adopt": [True, False],
    "protect": [True, False],
    "password": [{"config": "alicePassword"}, {"env": "ALICE_PASSWORD"}],
}
REQUIRED = ("username", "given_name", "surname")
ODD: list[Any] = [
    None, True, 0, -1, 2**63, 1.5, float("nan"), float("inf"), "", " ", "x" * 300, "no", "yes", "~", "null",
    "2024-13-45", "0x1F", "1e3", "a\nb", "tab\there", "\x7f", "\u2028", "\ufeff", "\U0001f600", "*x", "&x", "!tag",
    "- x", "a: b", "'", '"', datetime.date(2024, 1, 2), [], {}, ["x"], {"config": "1bad"}, {"config": "k", "env": "E"},
]  # fmt: skip
SNIPPETS = [
    "a: &a [x, y]\nb: *a\n", "b: *nowhere\n", "<<: {x: 1}\n", "c: &c {k: v}\nd: {<<: *c, e: 1}\n",
    "t: !!int x\n", "t: !!timestamp noon\n", "t: !!float x\n", "t: !!bool maybe\n", "t: !!binary a\n",
    "t: !!set {a, b}\n", "t: !!omap [a: 1]\n", "t: !custom x\n", "t: !!python/object:os.system x\n",
    "d: 2024-13-45\n", "d: 2024-02-30 10:00:00 +25:00\n", "n: " + "9" * 5000 + "\n", "n: 0x" + "f" * 4000 + "\n",
    "n: 1" + ":59" * 4000 + "\n", "n: .nan\n", "? [a, b]\n: c\n", "? {a: 1}\n: c\n", "---\nx: 1\n", "...\n",
    "x: 1\nx: 2\n", "\tx: 1\n", "x: \x07\n", "x: \x00\n", "x: 'unclosed\n", "x: [1, 2\n", "%YAML 1.1\n---\n",
    "&a x: *a\n", "u: &u [*u]\n", "x: " + "[" * 99 + "]" * 99 + "\n", "x: " + "[" * 101 + "]" * 101 + "\n",
    "x: " + "{a: " * 3000 + "}" * 3000 + "\n", "x: &b [" + ",".join(["lol"] * 10) + "]\ny: [" + "*b," * 50 + "*b]\n",
]  # fmt: skip
ENCODINGS = [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
    ("utf-16-le", b""), ("utf-16-be", b""), ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-32-be", b"\x00\x00\xfe\xff"),
]  # fmt: skip


@st.composite
def users(draw: st.DrawFn, near_valid: bool) -> dict[str, Any]:
    keys = [*REQUIRED, *draw(st.lists(st.sampled_from(sorted(VALID)), max_size=4, unique=True))]
    user = {key: draw(st.sampled_from(VALID[key])) for key in keys}
    if near_valid:
        for key in draw(st.lists(st.sampled_from([*keys, "colour", "Username"]) | st.text(max_size=6), max_size=2)):
            user[key] = draw(st.sampled_from(ODD) | st.text(max_size=12))
        for key in draw(st.lists(st.sampled_from(keys), max_size=1)):
            user.pop(key, None)
    return user


@st.composite
def documents(draw: st.DrawFn, near_valid: bool = True) -> dict[str, Any]:
    listed = draw(st.lists(users(near_valid), max_size=5))
    if not near_valid:  # distinct names and addresses, as a valid file has
        for index, user in enumerate(listed):
            user["username"] = f"u{index}.{user['username']}"
            user.pop("email_address", None)
    document: dict[str, Any] = {"organization_id": "d-1234567890", "users": listed}
    if draw(st.booleans()):
        document["defaults"] = {"type": "USER", "storage": draw(st.sampled_from(VALID["storage"]))}
    if near_valid and draw(st.booleans()):
        document[draw(st.sampled_from(["organization_id", "defaults", "users", "extra"]))] = draw(st.sampled_from(ODD))
    return document


@st.composite
def dumped(draw: st.DrawFn, document: dict[str, Any]) -> str:
    return yaml.safe_dump(
        document,
        default_flow_style=draw(st.sampled_from([False, True, None])),
        default_style=draw(st.sampled_from([None, None, '"', "'"])),
        allow_unicode=draw(st.booleans()),
        sort_keys=draw(st.booleans()),
        width=draw(st.sampled_from([20, 80, 1000])),
    )


def _insert_line(text: str, at: int, snippet: str) -> str:
    lines = text.splitlines(keepends=True)
    at %= len(lines) + 1
    return "".join([*lines[:at], snippet, *lines[at:]])


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """A few YAML-level edits: snippets between lines or mid-line, odd plain scalars, cuts."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(len(text), 1)))
        edit = draw(st.sampled_from(["line", "inline", "scalar", "cut", "repeat"]))
        if edit == "line":
            text = _insert_line(text, at, draw(st.sampled_from(SNIPPETS)))
        elif edit == "inline":
            text = (
                text[:at]
                + draw(st.sampled_from(["*a", "&a ", "!!int ", "[", "{", "? ", "- ", ": ", "\t", "'"]))
                + text[at:]
            )
        elif edit == "scalar":
            scalar = draw(st.sampled_from(["2024-13-45", "9" * 5000, "0x" + "f" * 4000, "*a", "!!str", "<<", "~"]))
            text = re.sub(r": [^\n]*", ": " + scalar, text, count=1) if at % 2 else text + f"z: {scalar}\n"
        elif edit == "cut":
            text = text[:at]
        else:
            text = _insert_line(
                text, at, text.splitlines(keepends=True)[at % max(len(text.splitlines()), 1)] if text else ""
            )
    return text


@st.composite
def encoded(draw: st.DrawFn, text: str) -> bytes:
    """In an encoding YAML allows, or in Latin-1, or with bytes flipped or cut."""
    codec, bom = draw(st.sampled_from([*ENCODINGS, ("latin-1", b""), ("utf-8", b"")]))
    data = bom + text.encode(codec, "replace")
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        data = draw(st.sampled_from([data[:at], data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]]))
    return data


def outcome(folder: Path, data: bytes) -> UsersFile | UsersFileError:
    """Load the bytes; fail on anything but a UsersFile or a UsersFileError whose every line is located."""
    path = folder / "users.yaml"
    path.write_bytes(data)
    try:
        return load(path)
    except UsersFileError as err:
        lines = str(err).splitlines()
        located = re.compile(rf"^{re.escape(str(path))}:\d+:\d+: \S")
        assert lines and all(located.match(line) for line in lines), lines
        assert len(lines) == len(err.problems) <= MAX_PROBLEMS + 1
        return err


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@BUDGET
@given(data=st.data())
def test_near_valid_files_load_or_give_located_problems(folder: Path, data: st.DataObject) -> None:
    text = data.draw(dumped(data.draw(documents())))
    outcome(folder, text.encode())


@BUDGET
@given(data=st.data())
def test_yaml_mutations_load_or_give_located_problems(folder: Path, data: st.DataObject) -> None:
    text = data.draw(mutated(data.draw(dumped(data.draw(documents())))))
    outcome(folder, text.encode("utf-8", "surrogatepass"))


@BUDGET
@given(data=st.data())
def test_any_bytes_load_or_give_located_problems(folder: Path, data: st.DataObject) -> None:
    text = data.draw(mutated(data.draw(dumped(data.draw(documents())))) | dumped(data.draw(documents())))
    outcome(folder, data.draw(encoded(text)))


@BUDGET
@given(data=st.data())
def test_valid_files_load_in_every_encoding(folder: Path, data: st.DataObject) -> None:
    document = data.draw(documents(near_valid=False))
    codec, bom = data.draw(st.sampled_from(ENCODINGS))
    loaded = outcome(folder, bom + data.draw(dumped(document)).encode(codec))
    assert isinstance(loaded, UsersFile), loaded
    assert [u.username for u in loaded.users] == [u["username"] for u in document["users"]]
