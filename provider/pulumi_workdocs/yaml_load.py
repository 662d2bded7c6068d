"""Read a users file with PyYAML's semantics, without PyYAML's node graph.

``yaml.load`` (even with libyaml) builds a node with two marks for every scalar and then
constructs objects from the nodes in Python: 0.45 s of a 0.95 s validate of 5,000 users.
A users file is block mappings, sequences and scalars, so ``load`` builds the objects
straight from libyaml's events, resolving and constructing each scalar with PyYAML's own
resolver and constructors. Anything beyond that (anchors, aliases, explicit tags, merge
keys, complex keys, several documents) is handed to ``yaml.load``, so the result is
PyYAML's; tests/pulumi_workdocs/test_yaml_load.py holds the two equal over a corpus, errors
included. An error is libyaml's or PyYAML's own, but the event path stops at the first one
in the text, where ``yaml.load`` would first read the whole text (a bad date before a
syntax error: the date is reported).

Nothing here trusts the text: it is decoded from bytes in any encoding YAML allows, and read
within a budget (``MAX_BYTES``, ``MAX_NODES``, ``MAX_DEPTH``, ``MAX_NODES_FULL_LOADER``)
counted as the events come, so an alias bomb or a list nested 200,000 deep is refused at
the node where the budget runs out (``Refused``), before PyYAML's recursive composer and
constructor ever see it. A value PyYAML cannot build is a located error too (``Loader``).
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

_SAFE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_NO_KEY = object()
_COMPLEX = object()  # a key that is a mapping or a sequence

# The budget, so that validate takes under 5 s and 200 MB whatever the file (BENCHMARKS.md).
# A users file needs 4 levels and about 17 nodes per user (180 bytes): 4 MiB holds some
# 23,000 users. Aliases may not make a document larger than the largest plain one allowed.
MAX_BYTES = 4 * 2**20  # of the file, and of the characters in its scalars once aliases are expanded
MAX_NODES = 500_000  # scalars, sequences and mappings, aliases expanded
MAX_DEPTH = 100  # levels of sequences and mappings, aliases expanded (PyYAML's composer recurses per level)
# A document with anchors, aliases, tags or merge keys goes to yaml.load, which builds every
# node in Python: some 15 µs and 600 bytes a node, so it gets a fifth of the nodes (as written).
MAX_NODES_FULL_LOADER = 100_000
_MAX_DIGITS = 4300  # Python's int <-> str limit: a larger int could not even be printed in a message
_MAX_NUMBER_CHARS = 10_000  # a longer number is not read at all (base-60 ints cost quadratic time)
_ENCODINGS = (  # YAML 1.2, 5.2: the first bytes tell the encoding, with a byte order mark or without
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"), (b"\xef\xbb\xbf", "utf-8"),
)  # fmt: skip
_KINDS = {"int": "an integer", "float": "a number", "bool": "a boolean", "timestamp": "a date", "null": "null"}


class Refused(Exception):
    """The text is past a budget, or not text at all: one problem, at (line, column), with a fix."""

    def __init__(self, at: tuple[int, int], message: str, hint: str) -> None:
        self.at, self.message, self.hint = at, message, hint
        super().__init__(f"{at[0]}:{at[1]}: {message}")


class Loader(_SAFE):
    """PyYAML's safe loader, except that a value it cannot build is a located ConstructorError.

    PyYAML lets the constructors' own errors through without a position: ``2024-13-45``
    raises ValueError from ``datetime.date``, ``!!timestamp x`` an AttributeError, a
    5,000-digit integer Python's int-to-str ValueError.
    """

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        tag = node.tag
        if tag in _NUMBERS and isinstance(node.value, str) and len(node.value) > _MAX_NUMBER_CHARS:
            raise _unreadable(node, f"it is longer than {_MAX_NUMBER_CHARS:,} characters")
        try:
            value = super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except ValueError as err:  # 2024-13-45: "month must be in 1..12"
            raise _unreadable(node, str(err)) from None
        except Exception:  # noqa: BLE001 - any constructor's failure is this node's problem
            raise _unreadable(node, None) from None  # !!timestamp x: an AttributeError, whose text says nothing
        if type(value) is int and not -_INT_LIMIT < value < _INT_LIMIT:
            raise _unreadable(node, f"it has more than {_MAX_DIGITS:,} digits")
        return value


_INT_LIMIT = 10**_MAX_DIGITS
LOADER: Any = Loader


class Unreadable(yaml.constructor.ConstructorError):
    """A scalar that resolves to a type (a date, an integer) but is no valid value of it."""


def _unreadable(node: Any, reason: str | None) -> Unreadable:
    kind = _KINDS.get(str(node.tag).rsplit(":", 1)[-1], str(node.tag))
    reason = reason or f"it is not written as YAML writes {kind}"
    return Unreadable(None, None, f"this value reads as {kind} but cannot be one: {reason}", node.start_mark)


def decode(data: bytes) -> str:
    """The text of a YAML file in any encoding YAML allows: UTF-8, UTF-16 or UTF-32, with a
    byte order mark or without (told by where the zero bytes are), the mark removed.

    Refused, at the line and column where reading stopped, if it is larger than MAX_BYTES
    or has bytes its encoding cannot have.
    """
    codec = _encoding(data[:4])
    if len(data) > MAX_BYTES:
        before = data[:MAX_BYTES].decode(codec, "ignore")
        raise Refused(_end(before), f"the file is larger than {MAX_BYTES:,} bytes", "a users file needs far less")
    try:
        return data.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        name = codec.upper().replace("-LE", "LE").replace("-BE", "BE")
        message = f"not {name} text: byte 0x{data[err.start]:02x} {err.reason}"
        if codec != "utf-8":
            message += f" (the file's first bytes say {name})"
        raise Refused(_end(data[: err.start].decode(codec, "ignore")), message, "save the file as UTF-8") from None


def _encoding(head: bytes) -> str:
    for mark, codec in _ENCODINGS:
        if head.startswith(mark):
            return codec
    zeros = tuple(i for i, byte in enumerate(head) if byte == 0)
    if len(head) == 4 and zeros[:3] == (0, 1, 2):
        return "utf-32-be"
    if len(head) == 4 and zeros == (1, 2, 3):
        return "utf-32-le"
    return "utf-16-be" if zeros[:1] == (0,) else "utf-16-le" if zeros[:1] == (1,) else "utf-8"


def _end(text: str) -> tuple[int, int]:
    """1-based line and column just after ``text``."""
    text = text.removeprefix("\ufeff")
    return text.count("\n") + 1, len(text) - text.rfind("\n")


def describe(err: yaml.YAMLError, text: str) -> tuple[tuple[int, int], str, str]:
    """A PyYAML error as where, what and how to fix it, on one line (PyYAML's own text takes several)."""
    if isinstance(err, yaml.reader.ReaderError):
        character = err.character if isinstance(err.character, int) else ord(err.character)
        before = text[: err.position]
        if _SAFE is not yaml.SafeLoader:  # libyaml counts bytes of the UTF-8 it was given
            before = text.encode("utf-8", "surrogatepass")[: err.position].decode("utf-8", "ignore")
        return _end(before), f"not valid YAML: character U+{character:04X}: {err.reason}", "remove it, or quote it"
    if not isinstance(err, yaml.MarkedYAMLError):
        return (1, 1), "not valid YAML: " + " ".join(str(err).split()), ""
    mark, context_mark = err.problem_mark or err.context_mark, err.context_mark
    message = err.problem or err.context or type(err).__name__
    if err.context and err.problem:
        at = _at(context_mark) if context_mark else None
        since = f" at {at[0]}:{at[1]}" if at and at != _at(mark) else ""
        message += f" ({err.context}{since})"
    if err.note:
        message += f" ({err.note})"
    prefix = "" if isinstance(err, Unreadable) else "not valid YAML: "
    hint = "quote it if it is text" if isinstance(err, Unreadable) else ""
    return (_at(mark) if mark else (1, 1)), prefix + " ".join(message.split()), hint


class _Unusual(Exception):
    """The document needs PyYAML's full loader."""


Path = tuple[str | int, ...]
Repeated = list[tuple[Path, tuple[int, int]]]  # a key given twice in one mapping, and where (1-based)


def load(text: str, repeated: Repeated | None = None) -> Any:
    """``yaml.load(text, Loader=LOADER)``, several times faster on plain documents.

    YAML keeps the last of a repeated key without a word; ``repeated``, when given, is
    filled with each such key's path and position, so that a reviewer can be told.
    Raises Refused past the budget, YAMLError (always with a position) for what is not YAML.
    """
    try:
        return _from_events(text, repeated)
    except (Refused, yaml.YAMLError):
        raise  # libyaml's own error (yaml.load's parser is the same), or a value PyYAML cannot build
    except Exception:  # noqa: BLE001 - _Unusual, or anything unforeseen: yaml.load decides
        pass
    within_budget(text)  # before yaml.load: its composer recurses per level, and aliases multiply
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
        nodes = 0  # no aliases here, so a scalar's characters are within MAX_BYTES already
        while True:
            event = get()
            kind = type(event)
            if kind is ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _Unusual
                nodes += 1
                if nodes > MAX_NODES:
                    raise _past(event, _MANY, False)
                value = _scalar(loader, event, implicit, plain_is_str)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _Unusual
                stack.append((container, key))
                nodes += 1
                if len(stack) > MAX_DEPTH or nodes > MAX_NODES:
                    raise _past(event, _DEEP if len(stack) > MAX_DEPTH else _MANY, False)
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


def within_budget(text: str) -> None:
    """Refuse a document that is nested too deeply or that its aliases make too large.

    One pass over the events, counting each alias as the size and height of the node it
    names (known once that node ends), so an alias bomb stops after a few hundred events.
    An alias inside the node it names (``&a [*a]``) would make an endless document.
    """
    loader = LOADER(text)
    try:
        named: dict[str, tuple[int, int, int]] = {}  # anchor -> nodes, characters, levels (aliases expanded)
        opened: list[list[Any]] = []  # open collections: [anchor, nodes before, characters before, levels below]
        nodes = characters = written = 0
        while True:
            event = loader.get_event()  # a syntax error is PyYAML's to report, as yaml.load would
            kind = type(event)
            if kind is StreamStartEvent or kind is DocumentStartEvent:
                continue
            if kind is DocumentEndEvent or kind is StreamEndEvent:
                return  # what follows the first document, yaml.load refuses without building it
            if kind is not MappingEndEvent and kind is not SequenceEndEvent:
                written += 1
                if written > MAX_NODES_FULL_LOADER:
                    raise _past(event, _FULL_LOADER, False)
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                nodes += 1
                opened.append([event.anchor, nodes - 1, characters, 0])
                if len(opened) > MAX_DEPTH:
                    raise _past(event, _DEEP, False)
                if nodes > MAX_NODES:
                    raise _past(event, _MANY, False)
                continue
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                anchor, nodes_before, characters_before, below = opened.pop()
                size = (nodes - nodes_before, characters - characters_before, below + 1)
            elif kind is ScalarEvent:
                anchor, size = event.anchor, (1, len(event.value), 0)
                nodes, characters = nodes + 1, characters + size[1]
            else:  # an alias
                anchor, found = None, named.get(event.anchor)
                if found is None and any(o[0] == event.anchor for o in opened):
                    raise Refused(_at(event.start_mark), "this alias is inside the node it names", _ALIAS_HINT)
                if found is None:
                    return  # an unknown alias: yaml.load stops there with its own error
                size = found
                nodes, characters = nodes + size[0], characters + size[1]
                if len(opened) + size[2] > MAX_DEPTH:
                    raise _past(event, _DEEP, True)
            if anchor is not None:
                named[anchor] = size
            if nodes > MAX_NODES:
                raise _past(event, _MANY, kind is yaml.AliasEvent)
            if characters > MAX_BYTES:  # only aliases can do that: the file has fewer characters
                raise _past(event, _LONG, True)
            if opened:
                opened[-1][3] = max(opened[-1][3], size[2])
    finally:
        loader.dispose()


_ALIAS_HINT = "write the values out instead of aliasing them, or alias smaller parts"


# What the document is past, and how to fix it when no alias is to blame.
_DEEP = (f"is nested more than {MAX_DEPTH} levels deep (a users file needs 4)", "close the brackets as you open them")
_MANY = (
    f"has more than {MAX_NODES:,} values, lists and mappings (a users file needs about 17 per user)",
    "keep only the users file's own keys",
)
_LONG = (f"has more than {MAX_BYTES:,} characters in its values", "")
_FULL_LOADER = (
    f"has more than {MAX_NODES_FULL_LOADER:,} values, lists and mappings (about 6,000 users) for PyYAML's full "
    "loader, which reads files with anchors, aliases, tags or merge keys",
    "write the file without them: defaults: holds what users share",
)


def _past(event: Any, budget: tuple[str, str], alias: bool) -> Refused:
    """The one problem reported where a budget runs out: at this node or this alias."""
    excess, hint = budget
    said = f"with this alias expanded, the document {excess}" if alias else f"the document {excess}"
    return Refused(_at(event.start_mark), said, _ALIAS_HINT if alias else hint)


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
    node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
    try:
        return loader.construct_object(node)
    finally:
        del loader.constructed_objects[node]  # PyYAML keeps every node it built until the document ends


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
