"""The shape of the package: one-way imports, a pure core, a frozen provider path, one field table."""

from __future__ import annotations

import ast
import base64
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_workdocs.core.fields import FIELDS, OUTPUT_NAMES, PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PROVIDER = ROOT / "provider"
# What dill writes for the provider, in every stack's state: the module path and class name.
# If this changes, existing stacks can no longer load their provider. Never update it lightly.
GOLDEN_PROVIDER = "gASVOAAAAAAAAACMGHB1bHVtaV93b3JrZG9jcy5wcm92aWRlcpSMFFdvcmtEb2NzVXNlclByb3ZpZGVylJOUKYGULg=="


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PROVIDER).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every import statement under provider/ (module level, in functions, under TYPE_CHECKING)."""
    modules = {_module_name(p): p for p in PROVIDER.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                    )
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_under_provider() -> None:
    graph = import_graph()
    assert "pulumi_workdocs.commands.plan" in graph["pulumi_workdocs.cli"]  # the graph sees lazy imports
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_imports_point_one_way_cli_commands_core() -> None:
    graph = import_graph()
    for name, targets in graph.items():
        if name.startswith("pulumi_workdocs.core"):
            # Only the one root of expected errors: no users file, YAML or schema reading in the core.
            outside = {t for t in targets if not t.startswith("pulumi_workdocs.core")}
            assert outside <= {"pulumi_workdocs.errors"}, (name, outside)
        if not name.startswith("pulumi_workdocs.cli"):
            assert "pulumi_workdocs.cli" not in targets, f"{name} imports the CLI"
        if not name.startswith(("pulumi_workdocs.cli", "pulumi_workdocs.commands")):
            assert not any(t.startswith("pulumi_workdocs.commands") for t in targets), f"{name} imports a command"


def loaded_by(imports: str) -> set[str]:
    """Every module a fresh interpreter has loaded after ``imports`` (Python statements)."""
    code = f"import sys\n{imports}\nprint('\\n'.join(sys.modules))\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_the_core_imports_neither_boto3_nor_pulumi() -> None:
    loaded = loaded_by(
        "from pulumi_workdocs.core import drift, drift_render, export, fields, import_file, plan, plan_render\n"
        "from pulumi_workdocs.core import user, users\n"
        "from pulumi_workdocs.users_file import load"
    )
    assert "pulumi_workdocs.core.import_file" in loaded  # the probe sees what it imported
    assert sorted(m for m in loaded if m.split(".")[0] in ("boto3", "pulumi")) == []


def test_the_pickled_provider_reference_is_frozen() -> None:
    """The bytes dill writes into every stack's state: a move or rename would break those stacks."""
    import dill
    from pulumi.dynamic.dynamic import serialize_provider

    from pulumi_workdocs.provider import WorkDocsUserProvider

    assert serialize_provider(WorkDocsUserProvider()) == GOLDEN_PROVIDER
    loaded = dill.loads(base64.b64decode(GOLDEN_PROVIDER))
    assert type(loaded) is WorkDocsUserProvider


def test_the_provider_module_holds_the_crud_only() -> None:
    """Only the two front doors import provider.py (its path is frozen in state): the dynamic
    resource and the plugin's adapter; nothing takes helpers from it."""
    users = {name for name, targets in import_graph().items() if "pulumi_workdocs.provider" in targets}
    assert users == {"pulumi_workdocs.resource", "pulumi_workdocs.plugin._names"}


def test_the_resource_takes_and_outputs_what_the_field_table_says() -> None:
    from pulumi_workdocs.resource import WorkDocsUser

    arguments = [p for p in inspect.signature(WorkDocsUser.__init__).parameters if p not in ("self", "opts")]
    assert set(arguments) == {"resource_name", PASSWORD.prop, *(f.prop for f in FIELDS)}
    outputs = {name for name, hint in WorkDocsUser.__annotations__.items() if "Output" in str(hint)}
    assert outputs == set(OUTPUT_NAMES)


def test_the_unknown_marker_is_pulumis() -> None:
    from pulumi.runtime.rpc import UNKNOWN

    from pulumi_workdocs.core import user

    assert user.UNKNOWN == UNKNOWN


def test_an_unexpected_error_is_reported_as_a_bug_not_as_the_users_mistake(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pulumi_workdocs import cli
    from pulumi_workdocs.commands.context import Context
    from pulumi_workdocs.errors import Exit

    def boom(self: Context) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(Context, "users_file", boom)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.main(["validate", str(ROOT / "users.yaml")]) == Exit.BUG
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "workdocs-users: internal error (a bug, not your input): RecursionError: maximum recursion depth exceeded"
    )
    assert "--debug" in err[1] and len(err) == 2
    with pytest.raises(RecursionError):
        cli.main(["validate", "--debug", str(ROOT / "users.yaml")])


# -- the contract between the CLI and the provider process: one run hand-off -----------------

# WORKDOCS_* variables a person sets for a process of their own (never the CLI for the provider).
USER_KNOBS = {
    "WORKDOCS_DEBUG",  # the CLI's traceback of an unexpected error
    "WORKDOCS_STACK",  # the CLI's default --stack
    "WORKDOCS_MAX_REMOVALS",  # the CLI's default --max-removals
    "WORKDOCS_LOCAL_PORT",  # make demo's workdocs-local port
    "WORKDOCS_PROVIDER_TRACEBACKS",  # the provider process's tracebacks of unexpected errors
}
HANDOFF_MODULE = PROVIDER / "pulumi_workdocs" / "handoff.py"


def _workdocs_names(path: Path) -> set[str]:
    """Every string constant naming a WORKDOCS_* variable in a module (a read through a constant
    defined elsewhere still has its literal somewhere)."""
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("WORKDOCS_")
    }


def _environment_reads(path: Path) -> list[str]:
    """The argument of each os.environ.get / os.getenv / os.environ[...] / environ.get in a module, as source."""
    reads = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            target = ast.unparse(node.func)
            if target in ("os.environ.get", "os.getenv", "environ.get"):
                reads.append(ast.unparse(node.args[0]))
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            reads.append(ast.unparse(node.slice))
    return reads


def test_the_scan_finds_a_workdocs_variable_read_however_it_is_written(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('import os\nNAME = "WORKDOCS_LISTING"\nos.environ.get(NAME)\nos.environ["X"]\n')
    assert _workdocs_names(module) == {"WORKDOCS_LISTING"}
    assert _environment_reads(module) == ["NAME", "'X'"]


def test_only_the_hand_off_module_names_a_variable_for_the_provider_process() -> None:
    """The CLI tells the provider process everything through WORKDOCS_RUN's document: no other
    WORKDOCS_* variable is read or set by the package, except the knobs a person sets."""
    from pulumi_workdocs import handoff

    for path in (PROVIDER / "pulumi_workdocs").rglob("*.py"):
        names = _workdocs_names(path)
        if path == HANDOFF_MODULE:
            assert names == {handoff.RUN_ENV}
        else:
            assert names <= USER_KNOBS, f"{path.relative_to(PROVIDER)} names {sorted(names - USER_KNOBS)}"
    # What the provider process reads from its environment: the hand-off, the tracebacks knob,
    # and boto3's own (AWS_*) variables; a newly read variable has to be added here on purpose.
    package = PROVIDER / "pulumi_workdocs"
    provider_side = [package / "provider.py", *(package / "aws").rglob("*.py"), *(package / "plugin").rglob("*.py")]
    reads = {read for path in provider_side for read in _environment_reads(path)}
    assert reads <= {"'WORKDOCS_PROVIDER_TRACEBACKS'", "TRACEBACKS", "'AWS_REGION'"}, reads


def test_the_hand_off_round_trips_every_field() -> None:
    """Write -> read gives an equal frozen object, with every field of the dataclass in the
    document: a field added to RunHandoff and not to its JSON fails here."""
    import dataclasses
    import tempfile

    from pulumi_workdocs import handoff
    from pulumi_workdocs.handoff import Endpoint, RunHandoff

    run = RunHandoff(
        endpoint=Endpoint("http://127.0.0.1:9", "from $AWS_ENDPOINT_URL"),
        approved_removals=frozenset({"u-1"}),
        journal="j.json",
        listing="l.json",
        unset_password_env={"dave": "DAVE_PASSWORD"},
    )
    fields = {f.name for f in dataclasses.fields(RunHandoff)}
    assert all(getattr(run, name) != getattr(RunHandoff(), name) for name in fields - {"version"})
    assert set(run.to_json()) == fields and run.to_json()["version"] == handoff.VERSION == 1
    assert RunHandoff.__dataclass_params__.frozen  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.json"
        run.write(path)
        assert handoff.read(path) == run


def test_the_hand_off_module_imports_nothing_heavy() -> None:
    """The provider process and the CLI both read it: no boto3, no pulumi, no yaml, no core."""
    loaded = loaded_by("import pulumi_workdocs.handoff")
    heavy = {m for m in loaded if m.split(".")[0] in ("boto3", "botocore", "pulumi", "yaml", "grpc")}
    ours = {m for m in loaded if m.startswith("pulumi_workdocs.")} - {
        "pulumi_workdocs.handoff",
        "pulumi_workdocs.errors",
    }
    assert "pulumi_workdocs.handoff" in loaded
    assert sorted(heavy | ours) == []
