"""yaml_load.load must read every document exactly as yaml.load does, errors included."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_workdocs import yaml_load

ROOT = Path(__file__).resolve().parents[2]

# Plain scalars that YAML 1.1 (PyYAML) reads as other types, and their quoted twins.
SCALARS = [
    "yes", "No", "ON", "off", "y", "n", "true", "False", "~", "null", "Null", "", "0", "-7", "+12", "0x1F", "0o17",
    "017", "0b101", "1_000", "190:20:30", "1.5", "-.5", "1e3", "6.8523015e+5", ".inf", "-.Inf", ".NaN", "2001-12-14",
    "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "=", "alice", "user00001", "Europe/Paris", "50 GB",
    "émile", "名前", "a: b", "- x", "#not a comment", "'", '"', "\\", "line\nbreak", " padded ", "!", "&", "*x",
]  # fmt: skip

DOCUMENTS = [
    "",
    "# only a comment\n",
    "---\n",
    "--- \n...\n",
    "a: 1\nb: [1, 2, {c: d}]\n",
    "users:\n  - username: alice\n    adopt: yes\n    storage: 50 GB\n",
    "a: &x {b: 1}\nc: *x\n",
    "base: &b {type: USER}\nuser:\n  <<: *b\n  username: bob\n",
    "a: !!str 1\nb: !!int '2'\nc: !custom x\n",
    "a: ! 12\n",
    "? [a, b]\n: c\n",
    "? {a: 1}\n: c\n",
    "a: 1\na: 2\n",
    "1: one\ntrue: t\n~: n\n2001-12-14: d\n",
    "a: |\n  line\n  two\nb: >\n  folded\n  text\n",
    "a: 2001-13-45\n",
    "a: 1\n---\nb: 2\n",
    "a: [1, 2\n",
    "a:\n\t- tab\n",
    "a: 'unclosed\n",
    "key: value: other\n",
    "- a\n- b: c\n- [d]\n- {}\n- []\n",
    "plain\n",
    "'quoted'\n",
    "<<: {a: 1}\n",
    "a: <<\n",
    "=: 1\n",
    "a: &k key\n*k : v\nb: [*k, {c: *k}]\n",
    "organization_id: d-1\nusers:\n  - username: alice\n    given_name: A\nusers:\n  - given_name: C\n",
    "a: {b: 1, b: 2, c: [{d: 1, d: 2}]}\na: {e: 3}\n",
    "a: {b: {c: {d: {e: [f, {g: h}]}}}}\n",
]


def typed(value: Any) -> Any:
    """A tree that compares types as well as values (True == 1 and 1 == 1.0 otherwise)."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def outcome(read: Any, text: str) -> Any:
    try:
        return typed(read(text))
    except Exception as err:  # noqa: BLE001 - the error is part of what must match
        return ("error", type(err).__name__, str(err))


def reference(text: str) -> Any:
    return yaml.load(text, Loader=yaml_load.LOADER)


def generated() -> list[str]:
    """Random documents, in every style safe_dump writes and in hand-written block style."""
    texts = []
    rng = random.Random(20261129)
    for _ in range(300):
        texts.append(
            yaml.safe_dump(
                random_tree(rng, 3),
                default_flow_style=rng.choice([False, True, None]),
                default_style=rng.choice([None, None, '"', "'", "|"]),
                width=rng.choice([20, 80]),
                allow_unicode=rng.choice([True, False]),
            )
        )
        texts.append(random_block(rng))
    return texts


def random_tree(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth == 0 or roll < 0.4:
        return rng.choice([*SCALARS, 0, 1, -3, 2.5, True, False, None])
    if roll < 0.7:
        return [random_tree(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(SCALARS[30:45]): random_tree(rng, depth - 1) for _ in range(rng.randint(0, 4))}


def random_block(rng: random.Random) -> str:
    """Hand-shaped block YAML with unquoted scalars, as people write users files."""
    lines = ["users:"]
    for _ in range(rng.randint(1, 5)):
        lines.append(f"  - username: {rng.choice(SCALARS)}")
        for key in rng.sample(["given_name", "adopt", "storage", "type", "time_zone_id"], 3):
            lines.append(f"    {key}: {rng.choice(SCALARS[:37])}")
    return "\n".join(lines) + "\n"


HAND_WRITTEN = [
    *DOCUMENTS,
    *(f"value: {s}\n" for s in SCALARS),
    *(yaml.safe_dump({"value": s}) for s in SCALARS),
    *(p.read_text() for p in [ROOT / "users.yaml", *sorted((ROOT / "tests/pulumi_workdocs/broken").glob("*.yaml"))]),
]


@pytest.mark.parametrize("text", HAND_WRITTEN)
def test_reads_as_yaml_load_does(text: str) -> None:
    assert outcome(yaml_load.load, text) == outcome(reference, text)


def test_reads_generated_documents_as_yaml_load_does() -> None:
    texts = generated()
    differing = [t for t in texts if outcome(yaml_load.load, t) != outcome(reference, t)]
    assert not differing, f"{len(differing)} of {len(texts)} differ; first:\n{differing[0]}"


def test_plain_users_file_takes_the_event_path() -> None:
    """The fast path must really run (not fall back) for an ordinary users file."""
    text = (ROOT / "users.yaml").read_text()
    assert typed(yaml_load._from_events(text)) == typed(reference(text))


@pytest.mark.parametrize("text", [DOCUMENTS[6], DOCUMENTS[7], DOCUMENTS[8], DOCUMENTS[10], DOCUMENTS[16]])
def test_anchors_tags_complex_keys_and_streams_go_to_yaml_load(text: str) -> None:
    with pytest.raises(yaml_load._Unusual):
        yaml_load._from_events(text)


def composed_locate(text: str, path: tuple[Any, ...]) -> tuple[int, int]:
    """The reference: walk PyYAML's composed node tree (what users_file did before positions)."""
    current = yaml.compose(text, Loader=yaml_load.LOADER)
    if current is None:
        return 1, 1
    for depth, step in enumerate(path, 1):
        child = None
        if isinstance(current, yaml.MappingNode):
            for key, value in reversed(current.value):  # the later of repeated keys, as loading keeps
                if key.value == step:
                    child = key if isinstance(value, yaml.ScalarNode) or depth == len(path) else value
                    break
        elif isinstance(current, yaml.SequenceNode) and isinstance(step, int) and step < len(current.value):
            child = current.value[step]
        if child is None:
            break
        current = child
    return current.start_mark.line + 1, current.start_mark.column + 1


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path in a loaded document, and one missing child under each."""
    out = [prefix, (*prefix, "missing")]
    if isinstance(value, dict):
        for key, child in value.items():
            out += paths_of(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += paths_of(child, (*prefix, index))
        out.append((*prefix, len(value)))
    return out


def test_positions_locate_as_the_composed_tree_does() -> None:
    from pulumi_workdocs.users_file import locate

    texts = [t for t in [*HAND_WRITTEN, *generated()] if "&" not in t and "*" not in t and "? " not in t]
    checked = 0
    for text in texts:
        try:
            document = reference(text)
        except Exception:  # noqa: BLE001 - not YAML: nothing to locate
            continue
        paths = [p for p in paths_of(document) if all(isinstance(s, (str, int)) and not isinstance(s, bool) for s in p)]
        where = yaml_load.positions(text, paths)
        for path in paths:
            assert locate(where, path) == composed_locate(text, path), (text, path)
            checked += 1
    assert checked > 5000


def test_positions_read_any_document_yaml_load_reads() -> None:
    """Aliases (as keys too), tags, complex keys: positions never fails where loading did not."""
    for text in [*HAND_WRITTEN, *generated()]:
        try:
            document = reference(text)
        except Exception:  # noqa: BLE001 - not YAML: nothing to locate
            continue
        yaml_load.positions(text, paths_of(document))


@pytest.mark.parametrize("key", ["[a, b]", "{a: 1}", "[[a], {b: [c]}]"])
def test_positions_step_over_complex_keys(key: str) -> None:
    """yaml.load refuses such keys, but locating a problem must not: later nodes are still found."""
    text = f"? {key}\n: c\nd: [1, {{e: f}}]\n"
    where = yaml_load.positions(text, [("d", 1, "e")])
    assert where[("d", 1, "e")] == yaml_load.Position(key=(3, 9), value=(3, 12), scalar=True)


def str_keys_only(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and str_keys_only(v) for k, v in value.items())
    return all(str_keys_only(v) for v in value) if isinstance(value, list) else True


def test_repeated_keys_are_found_alike_on_both_paths() -> None:
    """The event path notes repeated keys as it goes; yaml.load's documents are searched in nodes.

    (Keys as loaded on one, as written on the other: they differ only where two written keys
    load equal, such as 1 and true, which a users file never has; those documents are left out.)
    """
    found = 0
    for text in [*HAND_WRITTEN, *generated()]:
        try:
            events: yaml_load.Repeated = []
            document = yaml_load._from_events(text, events)
        except Exception:  # noqa: BLE001 - left to yaml.load: nothing to compare
            continue
        if not str_keys_only(document):
            continue
        nodes = yaml_load._repeated_in_nodes(yaml.compose(text, Loader=yaml_load.LOADER), (), set())
        assert [at for _, at in events] == [at for _, at in nodes], text
        assert [tuple(map(str, p)) for p, _ in events] == [tuple(map(str, p)) for p, _ in nodes], text
        found += len(events)
    assert found >= 5


def test_repeated_keys_reported_through_yaml_load_too() -> None:
    text = "base: &b {x: 1}\nusers:\n  - {username: a, type: USER, type: ADMIN}\n"
    repeated: yaml_load.Repeated = []
    assert yaml_load.load(text, repeated)["users"] == [{"username": "a", "type": "ADMIN"}]
    assert repeated == [(("users", 0, "type"), (3, 31))]
