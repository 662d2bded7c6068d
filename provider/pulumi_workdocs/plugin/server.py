"""``pulumi-resource-workdocs``: Pulumi's ResourceProvider gRPC service over ``WorkDocsUserProvider``.

An adapter, not a second implementation: each call maps the camelCase properties of
``workdocs:index:User`` to the CRUD's snake_case ones, calls the same provider class the
dynamic resource uses, and maps the answer back. What only a real plugin can do lives here:
secrets kept as secrets (``acceptSecrets``), detailed diffs, previews of create/update, the
package schema, and Read by Id alone for ``pulumi import``.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from concurrent import futures
from typing import Any, TypeVar

import grpc
from google.protobuf import empty_pb2
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.runtime import proto, settings
from pulumi.runtime.proto import engine_pb2_grpc, provider_pb2_grpc

from pulumi_workdocs.plugin import package_schema
from pulumi_workdocs.plugin._names import (
    DEFAULTS,
    FIELDS,
    INPUTS,
    OUTPUT_NAMES,
    PASSWORD,
    ClientSettings,
    UsageError,
    WorkDocsUserError,
    WorkDocsUserProvider,
    camel,
    changed_fields,
    to_camel,
    to_snake,
    translate,
)
from pulumi_workdocs.plugin.wire import UNKNOWN, decode, encode

USER_TYPE = "workdocs:index:User"
TRACEBACKS = "WORKDOCS_PROVIDER_TRACEBACKS"  # set to 1 to see Python tracebacks of unexpected errors
# The engine runs up to --parallel (default 8) resource operations at once, plus a Cancel or two.
WORKERS = 10
SECRET_INPUTS = frozenset({camel(PASSWORD.prop)})

Handler = TypeVar("Handler", bound=Callable[..., Any])


def _one_line_errors(method: Handler) -> Handler:
    """Expected failures reach the engine as their one line; anything else without frames
    (unless WORKDOCS_PROVIDER_TRACEBACKS is set), so a password in a local never shows."""

    @functools.wraps(method)
    def wrapper(self: WorkDocsProviderServicer, request: Any, context: grpc.ServicerContext) -> Any:
        settings.SETTINGS.engine = self.engine  # pulumi.log in the CRUD (a warning) reaches the engine
        try:
            return method(self, request, context)
        except WorkDocsUserError as error:
            context.abort(grpc.StatusCode.UNKNOWN, translate(str(error)))
        except Exception as error:  # noqa: BLE001 - the gRPC boundary: report, never crash the plugin
            if os.environ.get(TRACEBACKS):
                context.abort(grpc.StatusCode.INTERNAL, traceback.format_exc())
            reason = " ".join(f"{type(error).__name__}: {error}".split())
            context.abort(
                grpc.StatusCode.INTERNAL,
                f"workdocs provider: {method.__name__} failed: {reason} (set {TRACEBACKS}=1 for the traceback)",
            )

    return wrapper  # type: ignore[return-value]


def _resource_type(urn: str, given: str) -> str:
    """The type token of a request (older engines send only the URN: ``urn:pulumi:s::p::type::name``)."""
    if given:
        return given
    parts = urn.split("::")
    return parts[2].split("$")[-1] if len(parts) >= 4 else ""


def _planned_outputs(olds: Mapping[str, object], args: Mapping[str, object]) -> dict[str, object]:
    """Outputs as far as a preview knows them: declared inputs over the old outputs (none for a
    create); what only WorkDocs can say is unknown."""
    outs: dict[str, object] = {name: olds.get(name, UNKNOWN) for name in OUTPUT_NAMES}
    for field in FIELDS:
        if args.get(field.prop) is not None:
            outs[field.prop] = args[field.prop]
        elif field.prop in DEFAULTS and field.prop not in olds:
            outs[field.prop] = DEFAULTS[field.prop]
    outs["modified_timestamp"] = UNKNOWN
    return outs


def config_failures(config: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, reason) for each provider setting the client could not use, before any call."""
    known = package_schema.config_keys()
    failures = [
        (key, f"workdocs:{key} is not a setting of the workdocs provider (known: {', '.join(known)})")
        for key in config
        if key not in known and key != "version"
    ]
    for key in known:  # each value alone, through the one validation the provider uses
        if config.get(key) is not None:
            try:
                ClientSettings.from_config({f"workdocs:{key}": config[key]}.get)
            except UsageError as error:
                failures.append((key, str(error)))
    return failures


class WorkDocsProviderServicer(provider_pb2_grpc.ResourceProviderServicer):
    """The ResourceProvider service for ``workdocs:index:User``; one per plugin process."""

    def __init__(self, engine_address: str | None) -> None:
        self.engine: Any = None
        if engine_address:
            self.engine = engine_pb2_grpc.EngineStub(grpc.insecure_channel(engine_address))
        self.provider = WorkDocsUserProvider()

    # -- plugin and provider configuration ----------------------------------------------

    def GetPluginInfo(self, request: Any, context: grpc.ServicerContext) -> Any:
        return proto.PluginInfo(version=package_schema.version())

    def GetSchema(self, request: Any, context: grpc.ServicerContext) -> Any:
        return proto.GetSchemaResponse(schema=package_schema.text())

    def Attach(self, request: Any, context: grpc.ServicerContext) -> Any:
        """An engine attaching to a plugin started by hand (PULUMI_DEBUG_PROVIDERS)."""
        self.engine = engine_pb2_grpc.EngineStub(grpc.insecure_channel(request.address))
        return empty_pb2.Empty()

    def Cancel(self, request: Any, context: grpc.ServicerContext) -> Any:
        return empty_pb2.Empty()  # each call is a few HTTP requests with the SDK's own timeouts

    def GetMapping(self, request: Any, context: grpc.ServicerContext) -> Any:
        return proto.GetMappingResponse(provider=request.provider, data=b"")  # no conversion mappings

    def GetMappings(self, request: Any, context: grpc.ServicerContext) -> Any:
        return proto.GetMappingsResponse(providers=[])

    @_one_line_errors
    def CheckConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        news, secret = decode(request.news)
        failures = [proto.CheckFailure(property=k, reason=r) for k, r in config_failures(news)]
        return proto.CheckResponse(inputs=encode(news, secret), failures=failures)

    @_one_line_errors
    def DiffConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        """A changed setting (another endpoint or region) changes no user: never a replace."""
        olds, _ = decode(request.olds)
        news, _ = decode(request.news)
        changed = sorted(k for k in olds.keys() | news.keys() if k != "version" and olds.get(k) != news.get(k))
        changes = proto.DiffResponse.DIFF_SOME if changed else proto.DiffResponse.DIFF_NONE
        return proto.DiffResponse(changes=changes, diffs=changed)

    @_one_line_errors
    def Configure(self, request: Any, context: grpc.ServicerContext) -> Any:
        args, _ = decode(request.args)
        config = {f"workdocs:{key}": value for key, value in args.items()}
        for key, value in request.variables.items():  # older engines: "workdocs:region" -> string
            config.setdefault(key, value)
        self.provider.configure(ConfigureRequest(Config(config, "workdocs")))
        return proto.ConfigureResponse(acceptSecrets=True, supportsPreview=True)

    # -- the User resource ----------------------------------------------------------------

    def _require_user(self, urn: str, given: str) -> None:
        token = _resource_type(urn, given)
        if token != USER_TYPE:
            raise WorkDocsUserError(f"the workdocs provider has no resource type '{token}' (it has {USER_TYPE})")

    @_one_line_errors
    def Check(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._require_user(request.urn, request.type)
        olds, _ = decode(request.olds)
        news, secret = decode(request.news)
        unknown = sorted(key for key in news if key not in INPUTS and not key.startswith("__"))
        declared = {k: v for k, v in news.items() if k in INPUTS}
        result = self.provider.check(to_snake(olds), to_snake(declared))
        failures = [proto.CheckFailure(property=camel(f.property), reason=translate(f.reason)) for f in result.failures]
        failures += [
            proto.CheckFailure(
                property=key, reason=f"{key} is not an input of {USER_TYPE} (inputs: {', '.join(sorted(INPUTS))})"
            )
            for key in unknown
        ]
        inputs = to_camel(result.inputs)
        return proto.CheckResponse(inputs=encode(inputs, secret | SECRET_INPUTS), failures=failures)

    @_one_line_errors
    def Diff(self, request: Any, context: grpc.ServicerContext) -> Any:
        """``olds`` are the old outputs: WorkDocs' values as last read, so drift shows too."""
        olds = to_snake(decode(request.olds)[0])
        ignored = {path.split(".")[0].split("[")[0] for path in request.ignoreChanges}
        news = to_snake({k: v for k, v in decode(request.news)[0].items() if k not in ignored})
        result = self.provider.diff(request.id, olds, news)
        replaces = list(result.replaces or [])
        kinds = proto.PropertyDiff
        detailed = {}
        for prop in changed_fields(olds, news):
            added = olds.get(prop) is None
            if prop in replaces:
                kind = kinds.ADD_REPLACE if added else kinds.UPDATE_REPLACE
            else:
                kind = kinds.ADD if added else kinds.UPDATE
            detailed[camel(prop)] = proto.PropertyDiff(kind=kind, inputDiff=False)
        return proto.DiffResponse(
            changes=proto.DiffResponse.DIFF_SOME if result.changes else proto.DiffResponse.DIFF_NONE,
            replaces=[camel(p) for p in replaces],
            deleteBeforeReplace=bool(result.delete_before_replace),
            diffs=list(detailed),
            detailedDiff=detailed,
            hasDetailedDiff=True,
        )

    @_one_line_errors
    def Create(self, request: Any, context: grpc.ServicerContext) -> Any:
        args = to_snake(decode(request.properties)[0])
        if request.preview:
            return proto.CreateResponse(id="", properties=encode(to_camel(_planned_outputs({}, args))))
        result = self.provider.create(args)
        return proto.CreateResponse(id=result.id, properties=encode(to_camel(result.outs or {})))

    @_one_line_errors
    def Read(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Refresh (old outputs given) and import (the Id alone: ``USER_ID`` or ``ORGANIZATION_ID/USER_ID``)."""
        self._require_user(request.urn, request.type)
        props, _ = decode(request.properties)
        old_inputs, _ = decode(request.inputs)
        user_id, args = request.id, to_snake(props)
        importing = not props and not old_inputs
        if importing and "/" in request.id:
            organization_id, _, user_id = request.id.partition("/")
            args = {"organization_id": organization_id}
        try:
            result = self.provider.read(user_id, args)
        except WorkDocsUserError as error:
            if importing and not args:
                raise WorkDocsUserError(
                    f"{error} (to import, give the Id as ORGANIZATION_ID/USER_ID, e.g. d-1234567890/{user_id})"
                ) from None
            raise
        if result.id is None:
            return proto.ReadResponse()  # gone: refresh drops it from the state, import says it does not exist
        if result.inputs is None:  # unchanged since last read: the stored inputs stay as they are
            return proto.ReadResponse(
                id=result.id, properties=encode(to_camel(result.outs or {})), inputs=request.inputs
            )
        inputs = to_camel(result.inputs)
        password = camel(PASSWORD.prop)
        if old_inputs.get(password) is not None:  # write-only: WorkDocs never returns it, so keep the stored one
            inputs[password] = old_inputs[password]
        return proto.ReadResponse(
            id=result.id,
            properties=encode(to_camel(result.outs or {})),
            inputs=encode(inputs, SECRET_INPUTS),
        )

    @_one_line_errors
    def Update(self, request: Any, context: grpc.ServicerContext) -> Any:
        olds = to_snake(decode(request.olds)[0])
        news = to_snake(decode(request.news)[0])
        if request.preview:
            return proto.UpdateResponse(properties=encode(to_camel(_planned_outputs(olds, news))))
        result = self.provider.update(request.id, olds, news)
        return proto.UpdateResponse(properties=encode(to_camel(result.outs or {})))

    @_one_line_errors
    def Delete(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Applies the deletion policy in the state: DEACTIVATE (documents kept) or DELETE."""
        self.provider.delete(request.id, to_snake(decode(request.properties)[0]))
        return empty_pb2.Empty()


def engine_address(argv: list[str]) -> str | None:
    """The engine passes its address as the last argument, after flags such as ``-v=9``."""
    positional = [a for a in argv if not a.startswith("-")]
    return positional[-1] if positional else None


def main() -> None:
    """Serve on a free 127.0.0.1 port and print it: the engine reads the first line of stdout."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=WORKERS))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(
        WorkDocsProviderServicer(engine_address(sys.argv[1:])), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    server.stop(grace=None)
