"""Rules on a value that schema.json cannot state (a real IANA time zone).

A field of the table names its rule; the users file's validation, the provider's check and
export all apply it from there, so the rule and its wording live here once.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Rule:
    holds: Callable[[str], bool]
    problem: str  # what a broken value "is": "is not an IANA time zone"
    hint: str  # how to fix it, worded for the users file

    def broken(self, value: object) -> bool:
        """A non-empty text the rule refuses (other types and emptiness are the schema's to refuse)."""
        return isinstance(value, str) and bool(value) and not self.holds(value)


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: str) -> bool:
    """An IANA time zone name (the tzdata package ships the database)."""
    return name in _time_zones()


IANA_TIME_ZONE = Rule(is_time_zone, "is not an IANA time zone", "use a name such as Europe/Paris or America/New_York")
