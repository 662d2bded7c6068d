"""Which live users an interrupted update made: the proof is the journal, not a clock.

``workdocs-users up`` records, before the update starts, when it started and which users it
is about to create. A user WorkDocs holds that is not in the state is ours only if a run
that did not finish planned to create exactly that username, and WorkDocs created it after
that run started: nobody else's user can be both.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_workdocs.core.fields import ApiUser

# Clocks differ (this machine's and WorkDocs'): a user created this long before the run's
# recorded start still counts as made by it.
CLOCK_SKEW = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class JournalRun:
    """One ``up`` that had not finished when it was recorded."""

    started: dt.datetime  # UTC
    creates: frozenset[str]  # usernames, lower case

    def to_json(self) -> dict[str, Any]:
        return {"started": self.started.isoformat(), "creates": sorted(self.creates)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JournalRun:
        started = dt.datetime.fromisoformat(str(data["started"]))
        if started.tzinfo is None:
            started = started.replace(tzinfo=dt.UTC)
        return cls(started, frozenset(str(name).lower() for name in data.get("creates", [])))


def runs_from_text(text: str) -> list[JournalRun]:
    """The journal file's runs; an unreadable journal proves nothing (plan then names adopt: true)."""
    try:
        data = json.loads(text)
        return [JournalRun.from_json(run) for run in data.get("runs", []) if isinstance(run, dict)]
    except (ValueError, KeyError, TypeError, AttributeError):
        return []


def _created(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            return _created(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def made_by(runs: Iterable[JournalRun], username: str, created: Any) -> JournalRun | None:
    """The unfinished run that made this user, if one planned it and it was created after its start."""
    when = _created(created)
    if when is None:
        return None
    for run in runs:
        if username.lower() in run.creates and when >= run.started - CLOCK_SKEW:
            return run
    return None


def recoverable(runs: Iterable[JournalRun], managed_ids: Iterable[str], live: Iterable[ApiUser]) -> dict[str, str]:
    """username (lower case) -> Id of each live user an unfinished run made and the state lacks."""
    runs, managed = list(runs), set(managed_ids)
    found = {}
    for user in live:
        user_id, username = str(user.get("Id")), str(user.get("Username", ""))
        if user_id not in managed and made_by(runs, username, user.get("CreatedTimestamp")):
            found[username.lower()] = user_id
    return found
