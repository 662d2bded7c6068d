"""core.recovery: the journal proves which live users an interrupted update made."""

from __future__ import annotations

import datetime as dt

from pulumi_workdocs.core.recovery import CLOCK_SKEW, JournalRun, made_by, recoverable, runs_from_text

START = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
RUN = JournalRun(START, frozenset({"dora", "eve"}))


def test_a_planned_username_created_after_the_run_started_is_ours() -> None:
    assert made_by([RUN], "Dora", START + dt.timedelta(hours=5)) is RUN  # any time later: no window
    assert made_by([RUN], "dora", (START + dt.timedelta(seconds=1)).isoformat()) is RUN


def test_a_user_made_before_the_run_or_not_planned_by_it_is_not() -> None:
    assert made_by([RUN], "dora", START - CLOCK_SKEW - dt.timedelta(seconds=1)) is None
    assert made_by([RUN], "frank", START + dt.timedelta(minutes=1)) is None
    assert made_by([], "dora", START + dt.timedelta(minutes=1)) is None
    assert made_by([RUN], "dora", None) is None


def test_recoverable_leaves_out_users_in_the_state() -> None:
    later = START + dt.timedelta(minutes=3)
    live = [
        {"Id": "id-dora", "Username": "dora", "CreatedTimestamp": later},
        {"Id": "id-eve", "Username": "eve", "CreatedTimestamp": later},
        {"Id": "id-old", "Username": "frank", "CreatedTimestamp": later},
    ]
    assert recoverable([RUN], ["id-eve"], live) == {"dora": "id-dora"}


def test_the_journal_round_trips_and_garbage_proves_nothing() -> None:
    text = '{"runs": [' + __import__("json").dumps(RUN.to_json()) + "]}"
    assert runs_from_text(text) == [RUN]
    for garbage in ("", "{", "[]", '{"runs": [{"creates": []}]}', '{"runs": [{"started": "soon"}]}'):
        assert runs_from_text(garbage) == []
