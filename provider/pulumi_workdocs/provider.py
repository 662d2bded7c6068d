"""WorkDocsUserProvider: check/diff/create/read/update/delete for one WorkDocs user.

The class lives in an installed module, so dill pickles it by reference (about 100 bytes
in state) and the provider process imports it. It holds no client and no credential when
pickled: ``configure()`` builds the client in the provider process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pulumi
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from pulumi_workdocs import handoff
from pulumi_workdocs.aws import ClientSettings, iter_users
from pulumi_workdocs.aws.errors import describe, error_code, retry_note
from pulumi_workdocs.aws.users_cache import UsersCache, handed_listing
from pulumi_workdocs.core.fields import FIELDS, RULED, Change
from pulumi_workdocs.core.half_made import is_half_made, is_marked, marked_given_name, needs_follow_up
from pulumi_workdocs.core.plan import replace_refusal
from pulumi_workdocs.core.recovery import made_by, runs_from_text
from pulumi_workdocs.core.user import (
    PROVIDER_KEY,
    ApiUser,
    UserArgs,
    UserOutputs,
    changed_fields,
    is_unknown,
    live_changed,
    outputs_from_user,
    replaced_fields,
    with_defaults,
)
from pulumi_workdocs.errors import WorkDocsUserError
from pulumi_workdocs.schema import validate

if TYPE_CHECKING:
    from mypy_boto3_workdocs import WorkDocsClient

# A CreateUser whose response was lost (and retried into EntityAlreadyExists) is ours only
# if the user it left was created this recently (half-made users carry a mark instead, and a
# lost response within one call is known from its retries: see _recover_lost_create).
RECOVERY_WINDOW = dt.timedelta(minutes=5)
# Calls that change a user: the users cache must not answer for it from before the call.
WRITES = frozenset({"CreateUser", "UpdateUser", "DeleteUser", "ActivateUser", "DeactivateUser"})


def _in_dynamic_host() -> bool:
    """True in the provider process the engine starts (``python -m pulumi.dynamic``)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", "") in ("pulumi.dynamic.__main__", "pulumi.dynamic")


def _check_approved_removal(user_id: str, username: str) -> None:
    """Under ``workdocs-users up``, remove only the users whose removal its check approved.

    The check (a preview) and the update are two engine runs: an update landing between them
    could make this one remove users nobody reviewed. ``up`` lists the Ids it approved in
    its run hand-off; a plain ``pulumi up`` hands none.
    """
    run = handoff.current()
    if run is None or run.approved_removals is None or user_id in run.approved_removals:
        return
    raise WorkDocsUserError(
        f"WorkDocs user '{username}': refused: its removal was not in the plan that workdocs-users up checked "
        "(the stack changed after the check); run workdocs-users up again to review the new plan"
    )


def _unset_env(username: Any) -> str | None:
    """The password.env variable the run hand-off names as not set for this user (the program
    then passes no password)."""
    run = handoff.current()
    return run.password_env_not_set(username) if run is not None and isinstance(username, str) else None


class WorkDocsUserProvider(ResourceProvider):
    """CRUD for ``WorkDocsUser``: one WorkDocs user per resource, Id = WorkDocs user Id."""

    # The pickled provider is a class reference with no data: nothing in it to hide.
    serialize_as_secret_always = False

    # Guards the lazy build of each instance's client and users cache (the host serves 4 calls at once).
    _build_lock = threading.Lock()

    def configure(self, req: ConfigureRequest) -> None:
        if _in_dynamic_host() and not os.environ.get("WORKDOCS_PROVIDER_TRACEBACKS"):
            # Pulumi's host reports any error with traceback.format_exc(); our expected
            # errors are one complete line, so print them without frames (the limit is
            # read at format time and only this provider process is affected).
            sys.tracebacklimit = 0
        settings = ClientSettings.from_config(req.config.get)
        run = handoff.current()
        if run is not None and run.endpoint.url:  # workdocs-users resolved it: every command, one service
            settings = dataclasses.replace(settings, endpoint=run.endpoint.url, endpoint_source=run.endpoint.source)
        self._settings = settings
        self._client: WorkDocsClient | None = None
        self._cache: UsersCache | None = None

    @property
    def client(self) -> WorkDocsClient:
        """One client per provider (the host keeps one provider per process), built on first use,
        so check and diff at preview never import boto3."""
        client = getattr(self, "_client", None)
        if client is None:
            with self._build_lock:
                client = getattr(self, "_client", None)
                if client is None:
                    settings = getattr(self, "_settings", None) or ClientSettings()
                    client = self._client = settings.client()
        return client

    @property
    def users(self) -> UsersCache:
        """The organization listings read() answers from (aws/users_cache.py)."""
        cache = getattr(self, "_cache", None)
        if cache is None:
            with self._build_lock:
                cache = getattr(self, "_cache", None)
                if cache is None:
                    cache = self._cache = UsersCache(self._list_users)
        return cache

    def _list_users(self, organization_id: str) -> Iterable[Mapping[str, object]]:
        """The listing the CLI handed to this preview, else DescribeUsers pages."""
        run = handoff.current()
        handed = handed_listing(run.listing if run else None, organization_id)
        return handed if handed is not None else iter_users(self.client, organization_id)

    # -- check / diff (no API calls) ----------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate against schema.json before any API call; keep a write-only password."""
        inputs = {k: v for k, v in news.items() if k != PROVIDER_KEY}
        known = {k: v for k, v in inputs.items() if v is not None and not is_unknown(v)}
        unknown = {k for k, v in inputs.items() if is_unknown(v)}
        old_password = olds.get("password")
        if old_password is not None and is_unknown(old_password):
            old_password = None
        unset_env = _unset_env(known.get("username")) if inputs.get("password") is None else None
        if unset_env and old_password is not None:
            known["password"] = inputs["password"] = old_password  # set at creation; not needed again
        elif unset_env:  # an existing user whose state was refreshed (read keeps no password), or an adoption
            inputs.pop("password", None)
        creating = not olds and not known.get("adopt")
        failures = [
            CheckFailure(str(p.path[0]) if p.path else "", f"{p.field} {p.rule}")
            for p in validate(known, "WorkDocsUserArgs")
            if not (p.path and p.path[0] in unknown)
            and not (unset_env and p.path[:1] == ("password",))
            # Only CreateUser takes a password: an existing (imported, adopted) user needs none.
            and not (not creating and p.path == ("password",) and p.rule == "is required")
        ]
        if unset_env and creating:
            failures.append(
                CheckFailure(
                    "password",
                    f"password.env names {unset_env}, which is not set; "
                    f"it is needed to create WorkDocs user '{known.get('username')}'",
                )
            )
        for field in RULED:  # what the schema cannot check, unless it refused the value already
            value = known.get(field.prop)
            if field.rule and field.rule.broken(value) and field.prop not in {f.property for f in failures}:
                failures.append(CheckFailure(field.prop, f"{field.prop} '{value}' {field.rule.problem}"))
        rule = cast(UserArgs, known).get("storage_rule")
        if (
            isinstance(rule, dict)
            and rule.get("storage_type", "QUOTA") == "QUOTA"
            and (rule.get("storage_allocated_in_bytes") is None)
        ):
            failures.append(
                CheckFailure(
                    "storage_rule",
                    "storage_rule.storage_allocated_in_bytes is required when storage_type is QUOTA",
                )
            )
        if old_password is not None and "password" in known:
            if known["password"] != old_password:
                pulumi.log.warn(
                    f"WorkDocs user '{known.get('username')}': a new password is ignored; "
                    "WorkDocs has no API to change a password (it is write-only, set at creation)."
                )
            inputs["password"] = old_password
        if olds and not failures:
            # Against the stored inputs, when they hold the field: a Pulumi program's early refusal.
            # workdocs-users refuses against WorkDocs' values too (core.plan.replace_refusals).
            forced = [p for p in replaced_fields(olds, known) if olds.get(p) is not None]
            refusal = replace_refusal(forced, olds, known)
            failures += [CheckFailure(*refusal)] if refusal else []
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Field by field, always explicit. ``olds`` are the old outputs."""
        args = with_defaults(news)
        changed = changed_fields(olds, news)
        replaces = replaced_fields(olds, news)
        username = args.get("username")
        delete_first = bool(replaces) and (
            not is_unknown(username) and str(olds.get("username", "")).lower() == str(username).lower()
        )
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=delete_first)

    # -- create / read / update / delete ------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        args = with_defaults(props)
        user = self._find(args["organization_id"], args["username"]) if args["adopt"] else None
        created = user is None
        if user is None:
            user = self._create_user(args)
        elif args.get("email_address") not in (None, user.get("EmailAddress")):
            raise WorkDocsUserError(
                f"WorkDocs user '{args['username']}': cannot adopt user {user['Id']}: its email "
                "address differs and WorkDocs cannot change an email address"
            )
        try:
            user = self._converge(user["Id"], self._outputs(user, args), args, live=user)
        except WorkDocsUserError as failure:
            if created:  # nothing half-created
                self._clean_up(user, args, failure)
            raise
        return CreateResult(user["Id"], dict(self._outputs(user, args)))

    def _clean_up(self, user: ApiUser, args: UserArgs, failure: WorkDocsUserError) -> None:
        """Delete a user whose create failed half-way; if that fails too, say what is left."""
        username = args["username"]
        try:
            self._call(username, "DeleteUser", UserId=user["Id"], missing_ok=True)
        except WorkDocsUserError as cleanup:
            left = (
                "the next run finishes it (it is marked as half-made)"
                if is_marked(self._outputs(user, args), args)
                else "to manage it, set adopt=True (adopt: true in users.yaml)"
            )
            reason = str(cleanup).removeprefix(f"WorkDocs user '{username}': ")
            raise WorkDocsUserError(
                f"{str(failure).rstrip('.')}; then the clean-up failed too ({reason.rstrip('.')}), "
                f"so user {user['Id']} is left in WorkDocs: {left}"
            ) from None

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        args = with_defaults(props)
        username = args.get("username") or id_
        organization_id = args.get("organization_id")
        user = None
        if organization_id:
            try:
                user = self.users.take(organization_id, id_)
            except (ClientError, BotoCoreError) as error:
                raise describe(username, "DescribeUsers", error) from None
        if user is None:  # not listed, read or written before in this process, or no organization
            user = self._describe(id_, organization_id, username)
        if user is None:
            return ReadResult(None, {})
        outs = self._outputs(user, args)
        if not live_changed(props, outs):
            # Unchanged since last read: the engine keeps the stored inputs, so the user's state
            # stays identical and a preview with a refresh does not rewrite the whole snapshot
            # for it (the rewrite per user made a no-change plan quadratic in the users).
            return ReadResult(id_, dict(outs))
        # Changed (or imported): live values become the inputs, so drift shows against them.
        live: Mapping[str, object] = outs
        inputs = {f.prop: live[f.prop] for f in FIELDS}
        return ReadResult(id_, dict(outs), inputs=inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        args = with_defaults(news)
        user = self._converge(id_, olds, args)
        return UpdateResult(dict(self._outputs(user, args)))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        args = with_defaults(props)
        _check_approved_removal(id_, args.get("username") or id_)
        if args["deletion_policy"] != "DELETE" and props.get("status") == "INACTIVE":
            return  # already deactivated (say, by an update that was killed before it saved its state)
        operation = "DeleteUser" if args["deletion_policy"] == "DELETE" else "DeactivateUser"
        self._call(args.get("username") or id_, operation, UserId=id_, missing_ok=True)

    # -- helpers ------------------------------------------------------------------------

    def _create_user(self, args: UserArgs) -> ApiUser:
        if not args.get("password"):  # only an adoption gets here without one (see check)
            raise WorkDocsUserError(
                f"WorkDocs user '{args['username']}': no user to adopt, and no password to create one "
                "(its password.env variable is not set)"
            )
        request: dict[str, Any] = {"Password": args["password"]}
        declared: Mapping[str, object] = args
        for field in FIELDS:
            value = declared.get(field.prop)
            if field.on_create and field.api and value is not None:
                request[field.api] = field.to_api(value)
        if needs_follow_up(args):  # until the last follow-up call, the user is marked as half-made
            request["GivenName"] = marked_given_name(args["given_name"])
        try:
            response = self._call(args["username"], "CreateUser", raw=True, **request)
        except ClientError as error:
            if error_code(error) != "EntityAlreadyExistsException":
                raise describe(args["username"], "CreateUser", error) from None
            return self._recover_lost_create(args, retry_note(error.response))
        return self._whole(dict(response["User"]), args)

    def _recover_lost_create(self, args: UserArgs, note: Mapping[str, object]) -> ApiUser:
        """EntityAlreadyExists: is the user there ours, left by our own CreateUser?

        Yes if it carries the half-made mark (core/half_made.py), whenever it was made; or if it
        is ACTIVE with every CreateUser field as declared and either an earlier attempt of this
        very call may have created it (the SDK retried after a lost answer), or it was created
        within RECOVERY_WINDOW (a create interrupted in an earlier run).
        """
        username = args["username"]
        user = self._find(args["organization_id"], username)
        if user is None:
            raise WorkDocsUserError(
                f"WorkDocs user '{username}': CreateUser failed: EntityAlreadyExistsException, "
                "but no user with that username could be found"
            )
        outputs = self._outputs(user, args)
        if is_half_made(outputs, args):
            return user
        created = user.get("CreatedTimestamp")
        run = handoff.current()
        journal = run.journal if run else None
        if journal:
            # Under workdocs-users up, the proof is the journal of unfinished runs (core.recovery):
            # a run planned this username and WorkDocs made the user after that run started.
            try:
                runs = runs_from_text(Path(journal).read_text())
            except OSError:
                runs = []
            if made_by(runs, username, created):
                return user
            raise WorkDocsUserError(
                f"WorkDocs user '{username}': CreateUser failed: a user with this username already "
                f"exists (Id {user['Id']}); to manage it, set adopt=True (adopt: true in users.yaml)"
            )
        recent = isinstance(created, dt.datetime) and (
            dt.datetime.now(dt.UTC) - created.astimezone(dt.UTC) < RECOVERY_WINDOW
        )
        declared: Mapping[str, object] = args
        found: Mapping[str, object] = outputs
        matches = all(
            declared.get(f.prop) is None or f.same(found.get(f.prop), declared[f.prop]) for f in FIELDS if f.on_create
        )
        # A user whose CreateUser answer was lost is new and active; a deactivated one is not it,
        # even if made minutes ago (removed from the file, then declared again).
        lost_in_this_call = bool(note.get("EarlierAttemptMayHaveSucceeded"))
        if (recent or lost_in_this_call) and matches and user.get("Status") == "ACTIVE":
            return user
        raise WorkDocsUserError(
            f"WorkDocs user '{username}': CreateUser failed: a user with this username already "
            f"exists (Id {user['Id']}); to manage it, set adopt=True (adopt: true in users.yaml)"
        )

    def _converge(
        self, user_id: str, current: Mapping[str, object], args: UserArgs, live: ApiUser | None = None
    ) -> ApiUser:
        """Bring the user from ``current`` (outputs) to the declared ``args``; return it live.

        ``live`` is the whole user ``current`` came from, if known: then no call is made when
        nothing differs. A half-made user's status is set before the UpdateUser that removes
        its mark, so the mark stays until nothing else is left to do.
        """
        username = args["username"]
        updates: dict[str, Any] = {}
        declared: Mapping[str, object] = args
        for field in FIELDS:
            value = declared.get(field.prop)
            if (
                field.change is Change.UPDATE_USER
                and value is not None
                and field.api
                and not field.same(current.get(field.prop), value)
            ):
                updates[field.api] = field.to_api(value)
        status, was = args["status"], current.get("status")
        activate = status == "ACTIVE" and was != "ACTIVE"
        deactivate = status == "INACTIVE" and was != "INACTIVE"
        deactivate_first = deactivate and is_marked(current, args)
        answer: ApiUser | None = live
        if activate:
            answer = self._user_of(self._call(username, "ActivateUser", UserId=user_id))
        if deactivate_first:
            self._call(username, "DeactivateUser", UserId=user_id)
            answer = None
        if updates:
            answer = self._user_of(self._call(username, "UpdateUser", UserId=user_id, **updates))
        if deactivate and not deactivate_first:
            self._call(username, "DeactivateUser", UserId=user_id)
            answer = None
        if answer is not None:
            return self._whole(answer, args)
        user = self._describe(user_id, args["organization_id"], username)
        if user is None:
            raise WorkDocsUserError(f"WorkDocs user '{username}': user {user_id} no longer exists")
        return user

    def _whole(self, user: ApiUser, args: UserArgs) -> ApiUser:
        """A user as a write answered it, described again only if the answer lacks its storage
        (workdocs-local's answers hold it; DescribeUsers with STORAGE_METADATA always does)."""
        self.users.forget(user["Id"])  # a later read describes it (README, "Reads: one listing per run")
        if "Storage" in user:
            return user
        described = self._describe(user["Id"], args.get("organization_id"), args["username"])
        return described if described is not None else user

    @staticmethod
    def _user_of(response: Any) -> ApiUser | None:
        user = (response or {}).get("User")
        return dict(user) if user else None

    def _describe(self, user_id: str, organization_id: str | None, username: str) -> ApiUser | None:
        """DescribeUsers of one user (any status, with storage)."""
        request: dict[str, Any] = {"UserIds": user_id, "Include": "ALL", "Fields": "STORAGE_METADATA"}
        if organization_id:
            request["OrganizationId"] = organization_id
        response = self._call(username, "DescribeUsers", **request)
        users = [dict(u) for u in response.get("Users", []) if u.get("Id") == user_id]
        return users[0] if users else None

    def _find(self, organization_id: str, username: str) -> ApiUser | None:
        """The user with this username (case-insensitive), whatever its status."""
        paginator = self.client.get_paginator("describe_users")
        pages = paginator.paginate(
            OrganizationId=organization_id,
            Query=username,
            Include="ALL",
            Fields="STORAGE_METADATA",
            PaginationConfig={"PageSize": 999},
        )
        try:
            for page in pages:
                for user in page.get("Users", []):
                    if str(user.get("Username", "")).lower() == username.lower():
                        return dict(user)
        except (ClientError, BotoCoreError) as error:
            raise describe(username, "DescribeUsers", error) from None
        return None

    def _call(self, username: str, operation: str, missing_ok: bool = False, raw: bool = False, **request: Any) -> Any:
        """One API call (retried by the client's policy, aws/retry.py), its errors as one line.

        ``raw`` lets botocore's ClientError through for the caller to inspect. A write marks the
        user stale in the users cache whatever happens: it may have been carried out.
        """
        method = getattr(self.client, xform_name(operation))
        try:
            return method(**request)
        except ClientError as error:
            if missing_ok and error_code(error) == "EntityNotExistsException":
                return None
            if raw:
                raise
            raise describe(username, operation, error) from None
        except BotoCoreError as error:
            raise describe(username, operation, error) from None
        finally:
            if operation in WRITES and "UserId" in request:
                self.users.forget(request["UserId"])

    @staticmethod
    def _outputs(user: ApiUser, args: Mapping[str, object]) -> UserOutputs:
        return outputs_from_user(user, args)
