"""The users file (users.yaml): one loader for the root stack and the CLI.

Its keys are WorkDocsUser argument names; ``defaults`` apply to every user; ``storage``
is a human size; passwords are references (Pulumi secret config or an environment
variable), never values. Problems carry the line and column of the offending node.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from pulumi_workdocs import yaml_load
from pulumi_workdocs.core.fields import FIELDS, REQUIRED_KEYS, RULED
from pulumi_workdocs.core.records import EntryArgs
from pulumi_workdocs.core.storage import MAX_BYTES, SIZE_UNITS, SizeError, human_size, parse_size
from pulumi_workdocs.core.users import UserEntry, UsersFile

# Their home is the core (core/storage.py, core/users.py); this module reads and validates the file.
__all__ = ["MAX_BYTES", "SIZE_UNITS", "SizeError", "UserEntry", "UsersFile", "human_size", "parse_size"]
from pulumi_workdocs.errors import WorkDocsError
from pulumi_workdocs.schema import field_path, validate

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # control characters and what str.splitlines breaks on
_ONE_LINE = "write it on one line; a YAML block scalar (| or >) keeps its last line break unless written |- or >-"
MAX_PROBLEMS = 100  # listed at once: enough to work on, and a file of many wrong users stays quick
# The WorkDocsUser arguments an entry carries as they are (storage is a size, parsed apart).
USER_KEYS = tuple(f.key for f in FIELDS if f.in_entry and f.key not in REQUIRED_KEYS and f.key == f.prop)


@dataclass(frozen=True)
class Problem:
    """One finding, located in the file."""

    line: int  # 1-based
    column: int  # 1-based
    message: str
    hint: str = ""

    def render(self, path: str) -> str:
        """One line, whatever the file's keys hold (a key may contain a line break)."""
        text = f"{path}:{self.line}:{self.column}: {self.message}"
        text = f"{text} (fix: {self.hint})" if self.hint else text
        return _CONTROL.sub(lambda found: found.group().encode("unicode_escape").decode(), text)


class UsersFileError(WorkDocsError):
    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(p.render(str(path)) for p in problems))


def load(path: Path | str) -> UsersFile:
    """Read and validate a users file; raise UsersFileError listing every problem (the first
    MAX_PROBLEMS), each located, whatever the file holds (yaml_load's budget bounds the work)."""
    path = Path(path)
    with path.open("rb") as file:
        data = file.read(yaml_load.MAX_BYTES + 1)  # never more, whatever the file is
    try:
        text = yaml_load.decode(data)
    except yaml_load.Refused as err:
        raise UsersFileError(path, [Problem(*err.at, err.message, err.hint)]) from None
    return loads(text, path)


def loads(text: str, path: Path) -> UsersFile:
    """Validate a users file's text; ``path`` names it in problems."""
    repeated: yaml_load.Repeated = []
    try:
        document = yaml_load.load(text, repeated)
    except yaml_load.Refused as err:
        raise UsersFileError(path, [Problem(*err.at, err.message, err.hint)]) from None
    except yaml.YAMLError as err:
        at, message, hint = yaml_load.describe(err, text)
        raise UsersFileError(path, [Problem(*at, message, hint)]) from None
    if document is None:
        document = {}
    schema_problems = validate(document, limit=MAX_PROBLEMS)
    findings = [Finding(p.path, f"{p.field} {p.rule}", _hint(p.path, p.rule)) for p in schema_problems]
    flagged = {f.path for f in findings}  # a field the schema refuses gets no second message
    findings += [f for f in semantic_problems(document) if f.path not in flagged]
    findings += [
        Finding(key, f"{field_path(key)} is given more than once; YAML keeps only the last", "keep one of them", at)
        for key, at in repeated
    ]
    if findings:
        raise UsersFileError(path, _located(findings, text))
    users = list(_entries(document))
    return UsersFile(path, document["organization_id"], users, document, text)


def _located(findings: list[Finding], text: str) -> list[Problem]:
    """The first MAX_PROBLEMS findings (in document order) with their lines, then one line if there are more.

    Lines and columns are looked up only now, in one more pass over the YAML events. A
    file of 40,000 wrong users would otherwise take a minute to word and locate.
    """
    findings = sorted(findings, key=lambda f: [(0, s, "") if isinstance(s, int) else (1, 0, str(s)) for s in f.path])
    where = yaml_load.positions(text, [f.path for f in findings[: MAX_PROBLEMS + 1] if f.at is None])
    problems = [Problem(*(f.at or locate(where, f.path)), f.message, f.hint) for f in findings[: MAX_PROBLEMS + 1]]
    shown = sorted(problems[:MAX_PROBLEMS], key=lambda p: (p.line, p.column))
    if len(problems) > MAX_PROBLEMS:
        rest = problems[MAX_PROBLEMS]
        message = f"more problems, the next one here; validate lists the first {MAX_PROBLEMS}"
        shown.append(Problem(rest.line, rest.column, message, "correct these and run it again"))
    return shown


@dataclass(frozen=True)
class Finding:
    """A problem before it is located: where in the document, what, and how to fix it."""

    path: tuple[str | int, ...]
    message: str
    hint: str = ""
    at: tuple[int, int] | None = None  # line and column, when already known


Where = tuple[str | int, ...]


def semantic_problems(document: Any) -> list[Finding]:
    """What the schema cannot say: uniqueness the service enforces, real time zones, sizes.

    Runs beside the schema's checks, so it reads only the parts that have the right shape.
    """
    if not isinstance(document, dict):
        return []
    defaults, users = document.get("defaults"), document.get("users")
    defaults = defaults if isinstance(defaults, dict) else {}
    listed = users if isinstance(users, list) else []
    entries: list[tuple[Where, dict[str, Any]]] = [
        (("users", i), u) for i, u in enumerate(listed) if isinstance(u, dict)
    ]
    problems = _value_problems(("defaults",), defaults)
    problems += [p for where, entry in entries for p in _value_problems(where, entry)]
    return problems + _duplicates(entries, defaults.get("status"))


def _value_problems(where: Where, entry: dict[str, Any]) -> list[Finding]:
    """Line breaks, time zones outside the IANA database, sizes that are not whole bytes."""
    problems = []
    for key, value in entry.items():
        if isinstance(value, str) and _CONTROL.search(value):
            path = (*where, key)
            problems.append(Finding(path, f"{field_path(path)} contains a line break or control character", _ONE_LINE))
    for ruled in RULED:  # a value with a line break is said above
        value = entry.get(ruled.key)
        if ruled.rule is not None and ruled.rule.broken(value) and not _CONTROL.search(str(value)):
            path = (*where, ruled.key)
            problems.append(Finding(path, f"{field_path(path)} {value!r} {ruled.rule.problem}", ruled.rule.hint))
    storage = entry.get("storage")
    rule = _size_rule(storage) if isinstance(storage, str) else None
    if rule:
        path = (*where, "storage")
        hint = "use a whole number of bytes in some unit, such as 1536 KiB or 50 GB"
        problems.append(Finding(path, f"{field_path(path)} {rule}", hint))
    return problems


def _duplicates(users: list[tuple[Where, dict[str, Any]]], default_status: Any) -> list[Finding]:
    """Usernames repeated regardless of case; addresses shared by two users that are not deactivated."""
    problems = []
    seen_names: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for where, user in users:
        index = int(where[1])
        name = user.get("username")
        if isinstance(name, str):
            if name.lower() in seen_names:
                problems.append(
                    Finding(
                        (*where, "username"),
                        f"users[{index}].username {name!r} duplicates users[{seen_names[name.lower()]}] "
                        "(usernames are unique regardless of case)",
                        "give each user a distinct username",
                    )
                )
            seen_names.setdefault(name.lower(), index)
        email = user.get("email_address")
        # A deactivated user keeps its address, which its successor (after a rename) may reuse.
        inactive = (user.get("status") or default_status) == "INACTIVE"
        if isinstance(email, str) and email and not inactive:
            if email.lower() in seen_emails:
                problems.append(
                    Finding(
                        (*where, "email_address"),
                        f"users[{index}].email_address duplicates users[{seen_emails[email.lower()]}]",
                        "give each user their own email address",
                    )
                )
            seen_emails.setdefault(email.lower(), index)
    return problems


@functools.lru_cache(maxsize=256)  # most users share a handful of sizes
def _size_rule(text: str) -> str | None:
    """What is wrong with a size the schema's pattern lets through, if anything."""
    try:
        parse_size(text)
    except SizeError as err:
        return err.rule
    except ValueError:
        pass  # not a size at all: the schema's pattern says so
    return None


def _entries(document: dict[str, Any]) -> Iterator[UserEntry]:
    defaults = document.get("defaults") or {}
    for index, raw in enumerate(document.get("users") or []):
        merged = {**defaults, **raw}
        values = cast(EntryArgs, {k: merged[k] for k in USER_KEYS if merged.get(k) is not None})
        yield UserEntry(
            username=raw["username"],
            given_name=raw["given_name"],
            surname=raw["surname"],
            values=values,
            storage=merged.get("storage"),
            protect=bool(merged.get("protect", False)),
            password=raw.get("password"),
            index=index,
        )


def locate(where: Mapping[tuple[str | int, ...], yaml_load.Position], path: tuple[str | int, ...]) -> tuple[int, int]:
    """1-based line and column of the node at ``path``, or of its nearest ancestor in the file.

    A missing or bad value is reported at its key, where people look.
    """
    root = where.get(())
    if root is None:
        return 1, 1
    at = root.value
    for depth in range(1, len(path) + 1):
        position = where.get(path[:depth])
        if position is None:
            break
        last = depth == len(path)
        at = position.key if position.key and (position.scalar or last) else position.value
        if position.scalar:
            break
    return at


_PASSWORD_HINT = "write {config: KEY} (a Pulumi secret) or {env: NAME}, one of them; never the password itself"


def _hint(path: tuple[str | int, ...], rule: str) -> str:
    """How to fix it: every message gets one, worded for the users file."""
    if "password" in path:
        return _PASSWORD_HINT
    if rule.startswith("is not a known field"):
        return "remove it or correct its spelling"
    if rule == "is required":
        return "add it"
    if "pattern" in rule:
        return "use only the characters the pattern allows"
    if rule == "must be of type string":
        return "quote the value: YAML reads no, yes, on, off, numbers and dates as other types"
    if rule == "must be of type boolean":
        return "write true or false"
    if rule in ("must be of type object", "must be of type array"):
        return "see the sample users.yaml for the layout"
    if rule.startswith("must be one of"):
        return "write one of the listed values exactly as shown"
    if rule == "must be at least 1 characters":
        return "give a value"
    if rule.startswith("must be at most") and rule.endswith("characters"):
        return "shorten it"
    return ""
