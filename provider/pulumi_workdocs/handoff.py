"""The run hand-off: all that ``workdocs-users`` tells the provider process of one engine run.

The CLI runs the engine, which starts the provider (``pulumi.dynamic``'s host or the plugin)
in a process of its own: what the CLI resolved or checked reaches it through one versioned
JSON document in a temporary file, named by the one variable ``WORKDOCS_RUN``. The CLI writes
it before each engine run and removes it after; the provider reads it once (cached by path).
It holds no secret: for a password, only the name of a variable that is not set.

No hand-off (a plain ``pulumi up`` of one's own program) means the provider goes by its stack
config alone, as before. This module imports nothing but the errors, so the provider process
and the CLI can both read it cheaply.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pulumi_workdocs.errors import WorkDocsError

RUN_ENV = "WORKDOCS_RUN"  # names the hand-off file in the engine's (and so the provider's) environment
VERSION = 1  # of the JSON document; a reader refuses any other

# boto3's own endpoint variables, in its order, and the provider's stack config key.
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_WORKDOCS", "AWS_ENDPOINT_URL")
ENDPOINT_CONFIG = "workdocs:endpoint"
FROM_FLAG = "from --endpoint"
AWS_DEFAULT = "no --endpoint, $AWS_ENDPOINT_URL_WORKDOCS or workdocs:endpoint"
STACK_CONFIG = "the stack config"  # where workdocs:endpoint was read, when no file is known


class HandoffError(WorkDocsError):
    """The run hand-off cannot be read, or is of a version this provider does not know."""


@dataclass(frozen=True)
class Endpoint:
    """Where WorkDocs is, and why: error messages name both."""

    url: str | None  # None: AWS's endpoint for the region
    source: str  # "from --endpoint", "from $AWS_ENDPOINT_URL", "from workdocs:endpoint in ..."

    def describe(self) -> str:
        """For messages and plans (a pull request's comment): never a ``user:password@`` of the URL."""
        return f"{without_credentials(self.url) if self.url else 'AWS (the region endpoint)'} ({self.source})"


def without_credentials(url: str) -> str:
    """The URL without any ``user:password@`` (an endpoint URL may carry one)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def resolve_endpoint(
    flag: str | None, environ: Mapping[str, str], config_endpoint: str | None, config_file: str = STACK_CONFIG
) -> Endpoint:
    """The one endpoint rule of workdocs-users: --endpoint, then $AWS_ENDPOINT_URL_WORKDOCS and
    $AWS_ENDPOINT_URL, then the stack's workdocs:endpoint (read from ``config_file``), then AWS.

    The provider of a CLI run gets the result through the hand-off, so every command of one
    invocation talks to the same service; it is never written into the stack's config.
    """
    if flag:
        return Endpoint(flag, FROM_FLAG)
    return _from_variables(environ) or _from_config(config_endpoint, config_file) or Endpoint(None, AWS_DEFAULT)


def sdk_endpoint(config_endpoint: str | None, environ: Mapping[str, str]) -> Endpoint:
    """What boto3 does without a hand-off (a plain ``pulumi up``): the client's explicit endpoint
    (the stack's workdocs:endpoint) first, then its variables. Described, not chosen here."""
    return _from_config(config_endpoint, STACK_CONFIG) or _from_variables(environ) or Endpoint(None, AWS_DEFAULT)


def _from_variables(environ: Mapping[str, str]) -> Endpoint | None:
    for name in ENDPOINT_VARIABLES:
        if environ.get(name):
            return Endpoint(environ[name], f"from ${name}")
    return None


def _from_config(value: str | None, where: str) -> Endpoint | None:
    return Endpoint(value, f"from {ENDPOINT_CONFIG} in {where}") if value else None


@dataclass(frozen=True)
class RunHandoff:
    """What one engine run of workdocs-users hands its provider process (``{"version": 1, ...}``)."""

    # The endpoint the CLI resolved; a url of None leaves it to the provider's stack config.
    endpoint: Endpoint = Endpoint(None, AWS_DEFAULT)
    # The user Ids whose removal ``up`` checked: delete() refuses any other. None: no guard (a preview).
    approved_removals: frozenset[str] | None = None
    # The journal of unfinished ``up`` runs (core.recovery), the proof of a lost CreateUser; None: none.
    journal: str | None = None
    # The users the CLI listed just before this preview (aws/users_cache.py); None: list them.
    listing: str | None = None
    # Lower-case username -> its password.env variable, which is not set: the program passes no
    # password for that user, and check() refuses only to create it.
    unset_password_env: Mapping[str, str] = field(default_factory=dict)
    version: int = VERSION

    def __post_init__(self) -> None:
        if self.approved_removals is not None:
            object.__setattr__(self, "approved_removals", frozenset(self.approved_removals))
        unset = {name.lower(): env for name, env in self.unset_password_env.items()}
        object.__setattr__(self, "unset_password_env", MappingProxyType(unset))

    def password_env_not_set(self, username: str) -> str | None:
        """The variable named by this user's password.env, when it is not set in the CLI."""
        return self.unset_password_env.get(username.lower())

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "endpoint": {"url": self.endpoint.url, "source": self.endpoint.source},
            "approved_removals": None if self.approved_removals is None else sorted(self.approved_removals),
            "journal": self.journal,
            "listing": self.listing,
            "unset_password_env": dict(sorted(self.unset_password_env.items())),
        }

    @classmethod
    def from_json(cls, document: Any, where: str = "the run hand-off") -> RunHandoff:
        """The hand-off a document describes; a HandoffError for any other version or shape."""
        if not isinstance(document, dict):
            raise HandoffError(f"{where} is not a JSON object")
        version = document.get("version")
        if version != VERSION:
            raise HandoffError(
                f"{where} is version {version!r}, and this workdocs provider reads version {VERSION} only: "
                "run the workdocs-users command and the provider from the same installation"
            )
        unknown = sorted(set(document) - set(_SHAPE) - {"version"})
        if unknown:
            raise HandoffError(f"{where} has keys version {VERSION} does not define: {', '.join(unknown)}")
        for key, check in _SHAPE.items():
            if not check(document.get(key)):
                raise HandoffError(f"{where}: {key} must be {_RULES[key]}")
        endpoint, removals = document["endpoint"], document.get("approved_removals")
        return cls(
            endpoint=Endpoint(endpoint.get("url"), endpoint["source"]),
            approved_removals=None if removals is None else frozenset(removals),
            journal=document.get("journal"),
            listing=document.get("listing"),
            unset_password_env=dict(document.get("unset_password_env") or {}),
        )

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n")


def _optional_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


_SHAPE: dict[str, Any] = {
    "endpoint": lambda v: (
        isinstance(v, dict)
        and set(v) <= {"url", "source"}
        and isinstance(v.get("source"), str)
        and _optional_text(v.get("url"))
    ),
    "approved_removals": lambda v: v is None or _texts(v),
    "journal": _optional_text,
    "listing": _optional_text,
    "unset_password_env": lambda v: (
        v is None or (isinstance(v, dict) and all(isinstance(k, str) and isinstance(e, str) for k, e in v.items()))
    ),
}
_RULES = {
    "endpoint": 'an object {"url": text or null, "source": text}',
    "approved_removals": "a list of user Ids, or null",
    "journal": "a path, or null",
    "listing": "a path, or null",
    "unset_password_env": "an object of username -> variable name, or null",
}


def read(path: str | Path) -> RunHandoff:
    """The hand-off in ``path``; a HandoffError (one line) when it cannot be used, never None."""
    where = f"the run hand-off {path} (${RUN_ENV})"
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise HandoffError(f"{where} cannot be read: {error.strerror or error}") from None
    try:
        document = json.loads(text)
    except ValueError:
        raise HandoffError(f"{where} is not JSON") from None
    return RunHandoff.from_json(document, where)


@functools.lru_cache(maxsize=8)
def _read_once(path: str) -> RunHandoff:
    return read(path)


def current(environ: Mapping[str, str] | None = None) -> RunHandoff | None:
    """This process's hand-off (read once per file), or None: no workdocs-users run handed one."""
    path = (os.environ if environ is None else environ).get(RUN_ENV)
    return _read_once(path) if path else None


def temp_file(handoff: RunHandoff) -> Path:
    """A new file holding the hand-off, readable by this user only; the caller removes it."""
    descriptor, name = tempfile.mkstemp(prefix="workdocs-run-", suffix=".json")
    os.close(descriptor)
    path = Path(name)
    try:
        handoff.write(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
