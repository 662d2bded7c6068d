"""The attacks that hurt `workdocs-users validate` (issue 11), each refused with one located line.

Measured before: a 473-byte alias bomb took 3 GiB; a 381-byte one ran past 20 s; a list
nested 200,000 deep hung; PyYAML's composer segfaults at ~30,000 levels; and 61 problems
had no file:line:column (not UTF-8, a bad date, a 5,000-digit integer, nested aliases).
Each runs in a child with an alarm (the bound is an upper limit, not a benchmark).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pulumi_workdocs import yaml_load
from pulumi_workdocs.users_file import MAX_PROBLEMS, UsersFileError, load

from .hostile import validate

pytestmark = pytest.mark.faults

LOCATED = re.compile(r"^F:\d+:\d+: ")
HEAD = "organization_id: d-1234567890\n"
USER = "  - {username: alice, given_name: Alice, surname: Liddell}\n"


def bomb(levels: int, width: int = 9, leaf: str = '"lol"') -> str:
    """Billion laughs: each level a list of ``width`` aliases to the one before."""
    names = "abcdefghijklmnop"
    lines = [f"{names[0]}: &{names[0]} [{','.join([leaf] * width)}]"]
    lines += [f"{n}: &{n} [{','.join(['*' + p] * width)}]" for p, n in zip(names, names[1:levels], strict=False)]
    return HEAD + "\n".join(lines) + f"\nusers: *{names[levels - 1]}\n"


def mapping_bomb(levels: int) -> str:
    """The same with mappings: each level's eight keys all alias the level before."""
    lines, before = ["m0: &m0 {" + ", ".join(f"k{j}: lol" for j in range(8)) + "}"], "m0"
    for i in range(1, levels):
        lines.append(f"m{i}: &m{i} {{" + ", ".join(f"k{j}: *{before}" for j in range(8)) + "}")
        before = f"m{i}"
    return HEAD + "\n".join(lines) + "\n"


ATTACKS = {
    # name: (text, the start of the one line validate prints)
    "billion laughs": (
        bomb(9),
        f"F:7:26: with this alias expanded, the document has more than {yaml_load.MAX_NODES:,} values",
    ),
    "wide and shallow bomb": (
        bomb(4, 40),
        f"F:5:26: with this alias expanded, the document has more than {yaml_load.MAX_NODES:,}",
    ),
    "mapping bomb": (mapping_bomb(8), "F:7:59: with this alias expanded"),
    "string bomb": (HEAD + "a: &a " + "x" * 1_000_000 + "\nusers: [" + "*a, " * 20 + "*a]\n", "F:3:"),
    "alias inside its own anchor": (HEAD + "users: &u [*u]\n", "F:2:12: this alias is inside the node it names"),
    "list nested 200,000 deep": (
        HEAD + "users: " + "[" * 200_000 + "]" * 200_000 + "\n",
        "F:2:107: the document is nested",
    ),
    "block list nested 200,000 deep": (HEAD + "users:\n" + "- " * 200_000 + "x\n", "F:3:199: the document is nested"),
    "mappings nested 200,000 deep": (HEAD + "users: " + "{a: " * 200_000 + "}" * 200_000 + "\n", "F:2:"),
    # An anchor first sends the document to yaml.load, whose composer segfaults on 30,000 levels.
    "nesting PyYAML would compose": (HEAD + "a: &a 1\nusers: " + "[" * 30_000 + "]" * 30_000 + "\n", "F:3:107: "),
    "aliases nested deeper and deeper": (
        HEAD
        + "a0: &a0 [[[[[[[[[[x]]]]]]]]]]\n"
        + "".join(f"a{i}: &a{i} [[[[[[[[[[*a{i - 1}]]]]]]]]]]\n" for i in range(1, 12)),
        "F:11:",
    ),
    "merge keys chained": (
        HEAD + "a0: &a0 {k: 1}\n" + "".join(f"a{i}: &a{i} {{<<: *a{i - 1}, k{i}: 1}}\n" for i in range(1, 400)),
        "F:",
    ),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_an_attack_is_refused_at_once_in_one_located_line(tmp_path: Path, name: str) -> None:
    text, expected = ATTACKS[name]
    path = tmp_path / "users.yaml"
    path.write_text(text)
    outcome = validate(path, seconds=1.0)
    assert outcome.code == 1 and len(outcome.lines) == 1, outcome.lines
    assert outcome.lines[0].startswith(expected) and LOCATED.match(outcome.lines[0]), outcome.lines
    assert outcome.grown_mb < 100, outcome.grown_mb


def test_the_billion_laughs_is_as_small_as_the_one_measured() -> None:
    assert len(bomb(9).encode()) <= 473


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13-45", "F:3:18: this value reads as a date but cannot be one: month must be in 1..12"),
        ("2024-02-30 10:00:00 +25:00", "F:3:18: this value reads as a date but cannot be one: "),
        ("9" * 5000, "F:3:18: this value reads as an integer but cannot be one: "),
        ("0x" + "f" * 4000, "F:3:18: this value reads as an integer but cannot be one: it has more than 4,300 digits"),
        ("1" + ":59" * 4000, "F:3:18: this value reads as an integer but cannot be one: it is longer than 10,000"),
        ("!!timestamp noon", "F:3:18: this value reads as a date but cannot be one: it is not written as YAML"),
        ("!!float x", "F:3:18: this value reads as a number but cannot be one: "),
        ("!!binary a", "F:3:18: not valid YAML: failed to decode base64 data"),
    ],
)
def test_a_value_yaml_cannot_build_is_located(tmp_path: Path, value: str, message: str) -> None:
    path = tmp_path / "users.yaml"
    path.write_text(f"{HEAD}users:\n  - {{given_name: {value}, username: a, surname: b}}\n")
    outcome = validate(path, seconds=5.0)
    assert outcome.code == 1 and len(outcome.lines) == 1 and outcome.lines[0].startswith(message), outcome.lines


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            f"{HEAD}users:\n  - username: caf\xe9\n".encode("latin-1"),
            "F:3:18: not UTF-8 text: byte 0xe9 invalid continuation byte",
        ),
        (
            b"\xff\xfe" + f"{HEAD}users: []\n".encode("utf-16-le") + b"\x00",
            "F:3:1: not UTF-16LE text: byte 0x00 truncated data",
        ),
        (b"\xff\xfe" + f"{HEAD}a".encode("utf-16-le") + b"\x00\xdc\x00\x00", "F:2:2: not UTF-16LE text: byte 0x00 "),
        (b"\x00\x00\xfe\xff" + b"\x00\x00\x00a\x7f\xff\xff\xff", "F:1:2: not UTF-32BE text: byte 0x7f "),
        (b"\xfe\xff\xd8\x00", "F:1:1: not UTF-16BE text: byte 0xd8 "),
    ],
)
def test_bytes_no_yaml_encoding_has_are_located_with_a_fix(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "users.yaml"
    path.write_bytes(data)
    outcome = validate(path, seconds=5.0)
    assert outcome.code == 1 and len(outcome.lines) == 1, outcome.lines
    assert outcome.lines[0].startswith(message) and outcome.lines[0].endswith("(fix: save the file as UTF-8)")


def test_a_file_past_the_size_budget_is_read_no_further(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    line = "# " + "x" * 97 + "\n"
    path.write_text(HEAD + line * (yaml_load.MAX_BYTES // len(line) + 1) + "users: []\n")
    with pytest.raises(UsersFileError) as raised:
        load(path)
    (problem,) = raised.value.problems
    full_lines, rest = divmod(yaml_load.MAX_BYTES - len(HEAD), len(line))
    assert (problem.line, problem.column) == (2 + full_lines, rest + 1)  # where the budget ran out
    assert problem.message == f"the file is larger than {yaml_load.MAX_BYTES:,} bytes"


def test_many_wrong_users_list_the_first_problems_and_say_more_follow(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    users = "".join(f"  - {{username: u{i:05d}, given_name: A, surname: B, type: USR}}\n" for i in range(20_000))
    path.write_text(HEAD + "users:\n" + users)
    outcome = validate(path, seconds=5.0)
    assert outcome.code == 1 and len(outcome.lines) == MAX_PROBLEMS + 1
    assert outcome.lines[0].startswith("F:3:51: users[0].type must be one of USER")
    assert outcome.lines[-1] == (
        f"F:{3 + MAX_PROBLEMS}:51: more problems, the next one here; validate lists the first {MAX_PROBLEMS} "
        "(fix: correct these and run it again)"
    )


def test_a_key_with_a_line_break_stays_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    path.write_text(HEAD + 'users: []\n"a\\nb\\u2028c": 1\n')
    outcome = validate(path, seconds=5.0)
    assert outcome.lines == [
        "F:3:1: a\\nb\\u2028c is not a known field (known: defaults, organization_id, users) "
        "(fix: remove it or correct its spelling)"
    ]


@pytest.mark.parametrize(
    ("last", "message"),
    [
        (
            "given_name: 2024-13-45}",
            "F:12003:31: this value reads as a date but cannot be one: month must be in 1..12 "
            "(fix: quote it if it is text)",
        ),
        ("given_name: [", "F:12004:1: not valid YAML: did not find expected node content (while parsing a flow node)"),
    ],
)
def test_a_large_file_names_its_one_bad_value_at_the_end(tmp_path: Path, last: str, message: str) -> None:
    """Past what the full loader may read (100,000 nodes), the error is still the one in the file."""
    path = tmp_path / "users.yaml"
    users = "".join(f"  - {{username: u{i}, given_name: G, surname: S}}\n" for i in range(12_000))
    path.write_text(f"{HEAD}users:\n{users}  - {{username: x, {last}\n")
    outcome = validate(path, seconds=5.0)
    assert outcome.lines == [message]


@pytest.mark.parametrize("anchor", ["", "a: &a 1\n"])  # the event path, and yaml.load's after the budget scan
def test_the_depth_budget_is_exact_on_both_paths(anchor: str) -> None:
    """100 levels are read (a users file needs 4); the 101st is refused where it opens."""
    fits = f"{HEAD}{anchor}x: " + "[" * 99 + "]" * 99 + "\n"  # the root mapping is the first level
    value, levels = yaml_load.load(fits)["x"], 1
    while value:
        value, levels = value[0], levels + 1
    assert levels == 99
    with pytest.raises(yaml_load.Refused) as raised:
        yaml_load.load(fits.replace("x: [", "x: [[").replace("]\n", "]]\n"))
    assert raised.value.at == (2 + bool(anchor), 103)


@pytest.mark.parametrize("more", [0, 1])
def test_aliases_may_expand_up_to_the_node_budget(more: int) -> None:
    """MAX_NODES nodes with aliases expanded are read; one more is refused."""
    aliases, rest = divmod(yaml_load.MAX_NODES - 1_004, 1_000)  # the root, a, x, x's list and a's 1,000
    anchored = "a: &a [" + ",".join(["s"] * 999) + "]\n"  # 1,000 nodes for each alias
    text = anchored + "x: [" + "*a, " * aliases + ", ".join(["s"] * (rest + more)) + "]\n"
    if not more:
        assert len(yaml_load.load(text)["x"]) == aliases + rest
    else:
        with pytest.raises(yaml_load.Refused, match="the document has more than"):
            yaml_load.load(text)
