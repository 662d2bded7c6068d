"""``plan`` and ``up``: the users file against what WorkDocs holds now, checked before anything changes.

Both read the live users first (one paged listing) to predict what WorkDocs would refuse,
then preview with a refresh, so the plan compares the file with WorkDocs, not with the
state. When the file, the state and that listing already agree (``core.plan.settled_steps``,
the provider's own read and diff), the preview has nothing to say and is skipped:
``--always-preview`` runs it anyway. ``up`` applies only what was checked: the removals it approved are handed to the
provider, which refuses any other (see README, "The removal guard").
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pulumi import automation as auto

from pulumi_workdocs.aws.users_cache import write_listing
from pulumi_workdocs.commands.context import Context
from pulumi_workdocs.core.plan import (
    Declared,
    LiveUser,
    Plan,
    Step,
    build_plan,
    guard,
    last_admin_refusal,
    predict_failures,
    replace_refusals,
    settled_steps,
)
from pulumi_workdocs.core.plan_render import RENDERERS, render_text
from pulumi_workdocs.core.recovery import JournalRun, recoverable
from pulumi_workdocs.engine import engine_errors
from pulumi_workdocs.engine.journal import Journal, broken_attributes, open_journal, runs_text, stale_locks
from pulumi_workdocs.engine.preview import EngineFailed, engine_run, is_user, op_of, preview_steps
from pulumi_workdocs.engine.root_stack import PROJECT, handing_off
from pulumi_workdocs.engine.state import state_users
from pulumi_workdocs.engine.state_store import StateStoreError, backend_store, cancel_command
from pulumi_workdocs.errors import EngineError, Exit
from pulumi_workdocs.schema import validate
from pulumi_workdocs.stack import password_config_key
from pulumi_workdocs.users_file import UsersFile

LOCKED = "the stack is currently locked"  # how the engine refuses an update while another holds the lock
SUMMARY_MOST = 10  # users listed per kind of change in up's summary (plan lists all)
APPLIED_OPS = {"create", "update", "delete", "replace", "create-replacement", "delete-replaced"}


@dataclass
class Checked:
    """A plan made against live WorkDocs, with what it was made from."""

    plan: Plan
    steps: list[Step]
    stack: auto.Stack
    journal: Journal  # unfinished updates of this stack (``core.recovery``), beside its state
    runs: list[tuple[str, JournalRun]] = field(default_factory=list)  # (key in the journal, run)


def check(
    ctx: Context,
    users_file: UsersFile,
    max_removals: str,
    say: Callable[[str], None],
    always_preview: bool = False,
) -> Checked | list[str]:
    """Predict failures from the live users, then preview with a refresh and apply the guards.

    Returns the refusal lines instead when a create would fail: no preview is run then.
    """
    endpoint = ctx.endpoint
    say(f"reading the users of {users_file.organization_id} at {endpoint.describe()}")
    repair_attributes(ctx)
    deployment = ctx.deployment()  # first: a backend that cannot be read is the engine's one line
    # A held lock on a stack that does not exist yet is another plan creating it: ctx.stack() waits.
    clear_stale_locks(ctx, refuse_held=bool(deployment))
    state = state_users(deployment.get("resources") or [])
    users = ctx.live_users([users_file.organization_id])
    live = [LiveUser.from_api(u) for u in users]
    managed = {u.name: u.id for u in state if not u.pending_delete}
    journal = open_journal(ctx.backend, ctx.work_dir, PROJECT, ctx.stack_name)
    recorded = journal.runs()
    runs = [run for _key, run in recorded]
    resumed = recoverable(runs, managed.values(), users)
    declared = [(e.index, e.username, bool(e.values.get("adopt"))) for e in users_file.users]
    conflicts = predict_failures(declared, managed, live, resumed)
    if conflicts:
        return [c.line() for c in conflicts]
    wanted = [Declared(e.username, users_file.inputs(e), e.protect) for e in users_file.users]
    # Opened even when no preview runs: a checkout without its stack config (the password seed)
    # or a wrong passphrase is refused by every plan, not only by the first one with a change.
    stack = ctx.stack(users_file)
    unfinished = runs or deployment.get("pending_operations") or not passwords_pass_check(users_file, stack)
    steps = None if always_preview or unfinished else settled_steps(wanted, state, users)
    if steps is None:  # something may change: the engine's preview says what
        say(f"refreshing {len(managed)} managed users and previewing {len(users_file.users)} declared users")
        with tempfile.TemporaryDirectory() as scratch:
            # The preview's refresh reads the users just listed, not a second listing.
            listing = Path(scratch) / "listing.json"
            write_listing(listing, users_file.organization_id, users)
            with handing_off(stack, listing=str(listing)):
                steps = preview_steps(stack)
    plan = build_plan(steps, live, resumed)
    plan.endpoint = endpoint.describe()
    plan.refused = guard(plan, max_removals) or replace_refusals(steps) or last_admin_refusal(plan, steps, live)
    return Checked(plan, steps, stack, journal, recorded)


def passwords_pass_check(users_file: UsersFile, stack: auto.Stack) -> bool:
    """Whether every password the program would pass is one the provider's check accepts.

    Without a preview the program does not run: a ``password: {config: KEY}`` whose key is not
    set, or a password (config, or a set variable) the schema refuses, would go unseen; such a
    file goes to the preview, which refuses it as before.
    """
    config: Mapping[str, auto.ConfigValue] = {}
    for entry in users_file.users:
        source = entry.password or {}
        if "config" in source:
            config = config or stack.get_all_config()
            found = config.get(":".join(password_config_key(source["config"])))
            if found is None:
                return False
            value = found.value
        elif "env" in source and os.environ.get(source["env"]):
            value = os.environ[source["env"]]
        else:
            continue  # generated from the seed, or an unset variable: an existing user needs none
        inputs = {**users_file.inputs(entry), "password": value}
        if any(problem.path[:1] == ("password",) for problem in validate(inputs, "WorkDocsUserArgs")):
            return False
    return True


def repair_attributes(ctx: Context) -> None:
    """A cut attribute file a killed update left is removed: until then the state cannot be read."""
    for attrs in broken_attributes(ctx.backend, ctx.stack_name):
        attrs.unlink(missing_ok=True)
        print(f"workdocs-users: removed an attribute file an interrupted update left empty: {attrs}", file=sys.stderr)


def clear_stale_locks(ctx: Context, refuse_held: bool = True) -> None:
    """A lock a gone update left is removed; a lock held by anyone else (a live process, another
    host) is one line saying how to clear it (with ``refuse_held``)."""
    store = backend_store(ctx.backend)
    journal = open_journal(ctx.backend, ctx.work_dir, PROJECT, ctx.stack_name)
    gone, held = stale_locks(store, PROJECT, ctx.stack_name, journal)
    for lock in gone:
        assert store is not None  # locks are found only in a store
        store.delete(lock.key)
        print(f"workdocs-users: removed the lock of an interrupted update ({lock.why}): {store.describe(lock.key)}",
              file=sys.stderr)  # fmt: skip
    if held and refuse_held:
        raise locked_error(ctx, held[0].owner)


def locked_error(ctx: Context, holder: Mapping[str, object] | None) -> EngineError:
    """One line: who holds the stack's lock, and the exact command that clears it if that run is gone."""
    who = (
        f"an update of {holder.get('username')}@{holder.get('hostname')} (pid {holder.get('pid')}, "
        f"since {holder.get('timestamp')})"
        if holder
        else "another update"
    )
    return EngineError(
        f"stack {ctx.stack_name!r} is locked by {who}; wait for it to end and run again, or if it is not running "
        f"any more, run: {cancel_command(ctx.backend, PROJECT, ctx.stack_name)}"
    )


def _progress(message: str) -> None:
    """What a terminal shows while the preview runs (pipes and CI logs keep only results)."""
    if sys.stderr.isatty():
        print(f"workdocs-users: {message}...", file=sys.stderr, flush=True)


@engine_errors
def run_plan(ctx: Context, fmt: str, max_removals: str, always_preview: bool = False) -> int:
    """Exit 0 no changes, 2 changes, 1 error (a refused plan or a predicted failure included)."""
    checked = check(ctx, ctx.users_file(), max_removals, _progress, always_preview)
    if isinstance(checked, list):
        for line in checked:
            print(f"workdocs-users plan: refused: {line}", file=sys.stderr)
        return Exit.ERROR
    plan = checked.plan
    sys.stdout.write(RENDERERS[fmt](plan))  # a refused plan is shown too, saying so: the comment explains the red check
    if plan.refused:
        print(f"workdocs-users plan: {plan.refused}", file=sys.stderr)
        return Exit.ERROR
    return Exit.CHANGES if plan.changes else Exit.OK


class Progress:
    """``applied 120/300`` lines while the update runs (about ten of them), and what was applied."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.applied: dict[str, str] = {}  # resource name -> the last op that completed
        self.failed: list[str] = []
        self._shown = 0

    def __call__(self, event: auto.EngineEvent) -> None:
        done, failed = event.res_outputs_event, event.res_op_failed_event
        if done is not None and is_user(done.metadata) and op_of(done.metadata) in APPLIED_OPS:
            self.applied[done.metadata.urn.rsplit("::", 1)[1]] = op_of(done.metadata)
            count = len(self.applied)
            step = max(1, self.total // 10)
            if count == self.total or count - self._shown >= step:
                self._shown = count
                print(f"applied {min(count, self.total)}/{self.total}", flush=True)
        if failed is not None and is_user(failed.metadata):
            self.failed.append(failed.metadata.urn.rsplit("::", 1)[1])


@engine_errors
def run_up(ctx: Context, max_removals: str, verbose: bool = False, always_preview: bool = False) -> int:
    """Check as ``plan`` does, refuse on any refusal, then apply with the checked removals only."""
    checked = check(ctx, ctx.users_file(), max_removals, _progress, always_preview)
    if isinstance(checked, list):
        for line in checked:
            print(f"workdocs-users up: refused: {line}", file=sys.stderr)
        return Exit.ERROR
    plan, stack = checked.plan, checked.stack
    sys.stdout.write(render_text(plan, most=None if verbose else SUMMARY_MOST))
    if plan.refused:
        print(f"workdocs-users up: {plan.refused}", file=sys.stderr)
        return Exit.ERROR
    if not plan.changes:
        return Exit.OK
    # A protect flag going or coming changes no resource: the engine takes no step for it.
    steps = [c for c in plan.changes if not (c.kind == "update" and all(f.field == "protect" for f in c.fields))]
    progress = Progress(len(steps))
    # Recorded before anything is applied: the proof that lets a rerun take over what this makes.
    creating = frozenset(c.username.lower() for c in plan.changes if c.kind in ("create", "replace"))
    run = JournalRun(dt.datetime.now(dt.UTC), creating)
    own = checked.journal.record(run)  # in the backend's store, beside the state
    approved = frozenset(c.id for c in plan.changes if c.removes and c.id)
    # One checkpoint at the end instead of one per step, each a rewrite of the whole state
    # (quadratic in the users on a file or S3 backend). Safe here: a rerun after a crash
    # refreshes first, and the journal proves which users this run created.
    variables = {"PULUMI_SKIP_CHECKPOINTS": "true"}
    output: Callable[[str], None] = print if verbose else (lambda _line: None)
    with tempfile.TemporaryDirectory() as scratch:
        journal = Path(scratch) / "journal.json"  # the provider's local copy of the runs it may resume
        journal.write_text(runs_text([*(r for _key, r in checked.runs), run]))
        try:
            with (
                handing_off(stack, variables, approved_removals=approved, journal=str(journal)),
                checked.journal.alive(own, run),
            ):
                engine_run(
                    "update",
                    lambda on_event: stack.up(on_output=output, on_event=on_event, refresh=True),
                    watch=progress,
                )
        except (EngineFailed, auto.CommandError) as failure:
            # Another update took the lock after our check (Pulumi Cloud says it as a conflict): nothing applied.
            if LOCKED in str(failure) or isinstance(failure, auto.ConcurrentUpdateError):
                checked.journal.remove([own])
                _, held = stale_locks(backend_store(ctx.backend), PROJECT, ctx.stack_name)
                raise locked_error(ctx, held[0].owner if held else None) from None
            if isinstance(failure, auto.CommandError):
                raise
            print(_failure_summary(plan, progress), flush=True)
            raise failure from None
    # Everything made is in the state now, this run's and what earlier unfinished runs made.
    try:
        checked.journal.remove([*(key for key, _run in checked.runs), own])
    except StateStoreError as err:  # applied all the same: the next run finds nothing left to resume
        print(f"workdocs-users: the update is done, but its journal record stays: {err}", file=sys.stderr)
    print(f"Done: {_counts(progress.applied)}.")
    return Exit.OK


def _counts(applied: dict[str, str]) -> str:
    words = {"create": "created", "update": "updated", "delete": "removed", "delete-replaced": "replaced"}
    counts: dict[str, int] = {}
    for op in applied.values():
        word = words.get(op, "replaced" if "replace" in op else op)
        counts[word] = counts.get(word, 0) + 1
    return ", ".join(f"{n} {word}" for word, n in sorted(counts.items())) or "nothing applied"


def _failure_summary(plan: Plan, progress: Progress) -> str:
    """What was applied and what was not: the untouched users are never listed as removed."""
    names = {c.username for c in plan.changes}
    pending = sorted(names - set(progress.applied) - set(progress.failed), key=str.lower)
    shown = ", ".join(pending[:10]) + (f" and {len(pending) - 10} more" if len(pending) > 10 else "")
    lines = [f"Update failed: applied {len(progress.applied)} of {progress.total} planned changes "
             f"({_counts(progress.applied)})."]  # fmt: skip
    if progress.failed:
        lines.append(f"Failed: {', '.join(sorted(progress.failed, key=str.lower))}.")
    if pending:
        lines.append(f"Not applied (left as they were): {shown}. Run `workdocs-users up` again to finish.")
    return "\n".join(lines)
