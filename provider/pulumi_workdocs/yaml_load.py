"""Read a users file with PyYAML's semantics, without PyYAML's node graph.

``yaml.load`` (even with libyaml) builds a node with two marks for every scalar and then
constructs objects from the nodes in Python: 0.45 s of a 0.95 s validate of 5,000 users.
A users file is block mappings, sequences and scalars, so ``load`` builds the objects
straight from libyaml's events, resolving and constructing each scalar with PyYAML's own
resolver and constructors. Anything beyond that (anchors, aliases, explicit tags, merge
keys, complex keys, several documents, any error) is handed to ``yaml.load``, so the
result, and every error, is PyYAML's; tests/pulumi_workdocs/test_yaml_load.py holds the two
equal over a corpus.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import yaml
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_NO_KEY = object()
_COMPLEX = object()  # a key that is a mapping or a sequence


class _Unusual(Exception):
    """The document needs PyYAML's full loader."""


Path = tuple[str | int, ...]
Repeated = list[tuple[Path, tuple[int, int]]]  # a key given twice in one mapping, and where (1-based)


def load(text: str, repeated: Repeated | None = None) -> Any:
    """``yaml.load(text, Loader=LOADER)``, several times faster on plain documents.

    YAML keeps the last of a repeated key without a word; ``repeated``, when given, is
    filled with each such key's path and position, so that a reviewer can be told.
    """
    try:
        return _from_events(text, repeated)
    except Exception:  # noqa: BLE001 - whatever it is, yaml.load decides (and raises its own error)
        document = yaml.load(text, Loader=LOADER)
        if repeated is not None:
            repeated[:] = _repeated_in_nodes(yaml.compose(text, Loader=LOADER), (), set())
        return document


def _from_events(text: str, repeated: Repeated | None = None) -> Any:
    loader = LOADER(text)
    implicit = loader.yaml_implicit_resolvers  # read now: add_implicit_resolver may have replaced it
    plain_is_str = None not in implicit and not loader.yaml_path_resolvers
    try:
        get = loader.get_event
        if type(get()) is not StreamStartEvent:
            raise _Unusual
        start = get()
        if type(start) is StreamEndEvent:
            return None  # an empty stream, as yaml.load reads it
        if type(start) is not DocumentStartEvent:
            raise _Unusual
        stack: list[tuple[Any, Any]] = []  # for each open collection: its parent and its key there
        container: Any = None
        key: Any = _NO_KEY
        root: Any = None
        while True:
            event = get()
            kind = type(event)
            if kind is ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _Unusual
                value = _scalar(loader, event, implicit, plain_is_str)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _Unusual
                stack.append((container, key))
                container, key = ({} if kind is MappingStartEvent else []), _NO_KEY
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                value = container
                container, key = stack.pop()
            elif kind is DocumentEndEvent:
                break
            else:
                raise _Unusual  # an alias
            if container is None:
                root = value
            elif type(container) is list:
                container.append(value)
            elif key is _NO_KEY:
                if type(value) is dict or type(value) is list:
                    raise _Unusual  # a complex key
                if repeated is not None and value in container:
                    here = tuple(k if type(parent) is dict else len(parent) for parent, k in stack[1:])
                    repeated.append(((*here, value), _at(event.start_mark)))
                key = value
            else:
                container[key] = value
                key = _NO_KEY
        if type(get()) is not StreamEndEvent:
            raise _Unusual  # several documents: yaml.load reports it
        return root
    finally:
        loader.dispose()


def _repeated_in_nodes(node: Any, path: Path, seen_nodes: set[int]) -> Repeated:
    """Repeated keys in a composed document (the documents that ``_from_events`` leaves to yaml.load)."""
    if id(node) in seen_nodes:
        return []  # an alias seen before
    seen_nodes.add(id(node))
    found: Repeated = []
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE:
                if key.value in keys:
                    found.append(((*path, key.value), _at(key.start_mark)))
                keys.add(key.value)
                found += _repeated_in_nodes(value, (*path, key.value), seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found += _repeated_in_nodes(item, (*path, index), seen_nodes)
    return found


def _scalar(loader: Any, event: Any, implicit: dict[Any, Any], plain_is_str: bool) -> Any:
    """A ScalarEvent's value, as PyYAML would construct it (the event's marks are libyaml's)."""
    value: str = event.value
    plain = event.implicit[0]
    if not plain or (plain_is_str and value and value[0] not in implicit):
        return value  # quoted, or no implicit type starts with this character
    tag = loader.resolve(yaml.ScalarNode, value, event.implicit)
    if tag == _STR:
        return value
    if tag == _MERGE:
        raise _Unusual
    return loader.construct_object(yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style))


class Position(NamedTuple):
    """Where a node is, as 1-based (line, column): its key (None for items and the root) and its value."""

    key: tuple[int, int] | None
    value: tuple[int, int]
    scalar: bool


def positions(text: str, wanted: Iterable[Path]) -> dict[Path, Position]:
    """Positions of the nodes on the way to each wanted path in the (first) document.

    Paths are as in the loaded document (``("users", 3, "username")``); a repeated key
    takes the later position, as its value does. Nothing under a complex key is found,
    and an alias stands where it is used. Only subtrees on a wanted path are followed,
    so finding a few nodes among 5,000 users costs little more than reading the events.
    """
    on_the_way = {path[:i] for path in wanted for i in range(len(path) + 1)}
    where: dict[Path, Position] = {}
    loader = LOADER(text)
    try:
        frames: list[_Frame] = []
        while True:
            event = loader.get_event()
            kind = type(event)
            if event is None or kind is DocumentEndEvent or kind is StreamEndEvent:
                break
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                frames.pop()
                continue
            if kind is StreamStartEvent or kind is DocumentStartEvent:
                continue
            collection = kind is MappingStartEvent or kind is SequenceStartEvent
            path: Path | None = ()
            key_mark = None
            if frames:
                frame = frames[-1]
                if frame.mapping and frame.pending is _NO_KEY:  # this node is a key
                    frame.pending, frame.key_mark = (event.value if kind is ScalarEvent else _COMPLEX), event.start_mark
                    if collection:
                        frames.append(_Frame(None, kind is MappingStartEvent))
                    continue
                if frame.mapping:
                    key, key_mark = frame.pending, frame.key_mark
                    frame.pending = _NO_KEY
                else:
                    key = frame.pending
                    frame.pending += 1
                path = None if frame.path is None or key is _COMPLEX else (*frame.path, key)
                if path not in on_the_way:
                    path = None
            if path is not None:
                if path in where:  # a repeated key: YAML keeps the later one, and so do positions
                    for stale in [p for p in where if p[: len(path)] == path]:
                        del where[stale]
                where[path] = Position(_at(key_mark) if key_mark else None, _at(event.start_mark), not collection)
            if collection:
                frames.append(_Frame(path, kind is MappingStartEvent))
    finally:
        loader.dispose()
    return where


class _Frame:
    """An open mapping or sequence while reading events: where it is and what comes next."""

    __slots__ = ("path", "mapping", "pending", "key_mark")

    def __init__(self, path: Path | None, mapping: bool) -> None:
        self.path = path  # None when no wanted path goes through it
        self.mapping = mapping
        self.pending: Any = _NO_KEY if mapping else 0  # the key read last (mappings), the next index (sequences)
        self.key_mark: Any = None


def _at(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1
