"""Run the commands a Markdown page shows, so the docs cannot rot.

The convention every page under docs/ (and README.md) follows:

- Commands to run are in fenced blocks tagged ``sh``. In such a block, each line starting with
  ``$ `` is a command; a line ending with ``\\`` continues on the next line, and a here-document
  (``<<'EOF'`` ... ``EOF``) takes the lines up to its terminator. A trailing ``# exit N``
  comment on the command's last line is the exit code it must end with (default 0).
- The other lines of the block are output the page shows. Each must appear in the command's
  output (stdout and stderr together), after both are normalised: generated Ids, timestamps,
  ports and durations are blanked, runs of white space are one space, and ``...`` (or ``…``)
  in a shown line matches anything. Order is not checked.
- Blocks tagged anything else (``text``, ``yaml``, ``console``, ``json`` ...) are not run.
- The commands of one page run in page order, in one sandbox, each in ``bash`` from the
  folder and with the exported variables the previous command left (so ``cd`` and
  ``export`` carry over as in a terminal; plain shell variables do not).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The example files a reader has in a clone, copied into each sandbox.
SANDBOX_FILES = ("users.yaml", "Pulumi.yaml", "__main__.py", "schema.json", "examples")
PASSPHRASE = "docs-test-passphrase"
COMMAND_TIMEOUT = 300  # seconds for one command; the engine's slowest step here takes ~30 s

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")
_EXIT = re.compile(r"\s#\s*exit\s+(?P<code>\d+)\s*$")
_HEREDOC = re.compile(r"(?<!<)<<-?\s*(?P<q>['\"]?)(?P<word>[A-Za-z_][A-Za-z0-9_]*)(?P=q)")  # not <<<
_ENGINE = re.compile(r"(^|[\s;&|(])(pulumi\s|workdocs-users\s+(plan|up|drift|export)\b)", re.MULTILINE)


@dataclass(frozen=True)
class Shown:
    line: int  # 1-based line in the page
    text: str


@dataclass(frozen=True)
class Command:
    """One ``$ `` command of a page, with what the page says it prints and exits with."""

    doc: Path
    line: int  # 1-based line of its ``$ `` line
    text: str
    exit_code: int = 0
    shown: tuple[Shown, ...] = field(default_factory=tuple)

    @property
    def where(self) -> str:
        try:
            name = self.doc.relative_to(ROOT)
        except ValueError:
            name = self.doc
        return f"{name}:{self.line}"

    @property
    def first_line(self) -> str:
        return self.text.splitlines()[0]


class DocError(ValueError):
    """A page breaks the convention (an unclosed fence or here-document)."""


def _fence_end(line: str, fence: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def extract(doc: Path) -> list[Command]:
    """The commands of every ``sh`` block of ``doc``, in page order."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    commands: list[Command] = []
    i = 0
    while i < len(lines):
        opening, opened_at = _FENCE.match(lines[i]), i + 1
        i += 1
        if not opening:
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body: list[tuple[int, str]] = []
        while i < len(lines) and not _fence_end(lines[i], fence):
            line = lines[i]
            body.append((i + 1, line[indent:] if not line[:indent].strip() else line.lstrip()))
            i += 1
        if i == len(lines):
            raise DocError(f"{doc}:{opened_at}: the block opened here is never closed")
        i += 1
        if opening["info"] == "sh":
            commands.extend(_block_commands(doc, body))
    return commands


def _block_commands(doc: Path, body: list[tuple[int, str]]) -> Iterator[Command]:
    j = 0
    while j < len(body):
        number, text = body[j]
        j += 1
        if not text.startswith("$ "):
            if text.strip():
                raise DocError(f"{doc}:{number}: a sh block's output must follow a `$ ` command")
            continue
        parts = [text[2:]]
        shell_lines = [text[2:]]
        while parts[-1].endswith("\\") and j < len(body):
            parts.append(body[j][1])
            shell_lines.append(body[j][1])
            j += 1
        heredoc = _HEREDOC.search("\n".join(parts))
        if heredoc:
            while j < len(body) and body[j][1].strip() != heredoc["word"]:
                parts.append(body[j][1])
                j += 1
            if j == len(body):
                raise DocError(f"{doc}:{number}: here-document {heredoc['word']} is never ended")
            parts.append(body[j][1])
            j += 1
        exit_code = 0
        for line in shell_lines:
            found = _EXIT.search(line)
            if found:
                exit_code = int(found["code"])
        shown: list[Shown] = []
        while j < len(body) and not body[j][1].startswith("$ "):
            if body[j][1].strip():
                shown.append(Shown(body[j][0], body[j][1]))
            j += 1
        yield Command(doc, number, "\n".join(parts), exit_code, tuple(shown))


def needs_engine(commands: list[Command]) -> bool:
    """Whether a page starts the Pulumi engine (its test is then marked e2e)."""
    return any(_ENGINE.search(c.text) for c in commands)


_NORMALISE = [
    (re.compile(r"\b[0-9a-f]{32,64}\b"), "<id>"),
    (re.compile(r"\bd-[0-9a-f]{10}\b"), "<org>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"(127\.0\.0\.1|localhost):\d+"), r"\1:<port>"),
    (re.compile(r"\(\d+(\.\d+)?m?s\)"), "(<duration>)"),
    (re.compile(r"\b(Duration:)\s*\S+"), r"\1 <duration>"),
    (re.compile(r"\s+"), " "),
]


def normalise(text: str) -> str:
    for pattern, replacement in _NORMALISE:
        text = pattern.sub(replacement, text)
    return text.strip()


def shown_pattern(line: str) -> re.Pattern[str]:
    """A shown line as a pattern: normalised, with ``...``/``…`` matching anything."""
    pieces = re.split(r"\s*(?:\.\.\.|…)\s*", normalise(line))
    return re.compile(".*".join(re.escape(piece) for piece in pieces))


def missing_lines(command: Command, output: str) -> list[Shown]:
    """The lines the page shows for ``command`` that its output lacks."""
    produced = [normalise(line) for line in output.splitlines()]
    return [s for s in command.shown if not any(shown_pattern(s.text).search(line) for line in produced)]


class Sandbox:
    """A folder with the repo's example files, an environment, and the commands run in it."""

    def __init__(self, folder: Path, endpoint: str) -> None:
        self.folder = folder
        self.cwd = folder
        folder.mkdir(parents=True, exist_ok=True)
        for name in SANDBOX_FILES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns(".pulumi-state", "__pycache__"))
            else:
                shutil.copy2(source, folder / name)
        private = folder.parent / f"{folder.name}-private"
        private.mkdir(exist_ok=True)
        self.private = private
        bin_dir = Path(sys.executable).parent  # the virtualenv's bin, as `make bootstrap` lays it out
        inherited = {k: v for k, v in os.environ.items() if k in ("HOME", "USER", "LOGNAME", "TMPDIR", "TERM")}
        self.env: dict[str, str] = {
            **inherited,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "VIRTUAL_ENV": str(bin_dir.parent),
            "LANG": "C.UTF-8",
            # workdocs-local's default credentials; none of the developer's AWS setup leaks in.
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(private / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(private / "aws-credentials"),
            "AWS_ENDPOINT_URL_WORKDOCS": endpoint,
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_BACKEND_URL": (private / "state").as_uri(),
            "PULUMI_HOME": str(private / "pulumi-home"),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
        }
        (private / "state").mkdir(exist_ok=True)
        self.groups: list[int] = []  # process groups started here, killed by close()

    def run(self, command: Command) -> tuple[int, str]:
        """Run ``command`` in bash; returns its exit code and output, and keeps its cwd and exports."""
        out_path, cwd_path, env_path = (self.private / n for n in ("output", "cwd", "env"))
        script = f'{command.text}\n__rc=$?\npwd > "{cwd_path}"\nenv -0 > "{env_path}"\nexit $__rc\n'
        with open(out_path, "wb") as out:
            # A file, not a pipe: a server a page starts in the background must not hold us up.
            process = subprocess.Popen(
                ["bash", "-c", script],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.groups.append(process.pid)
            try:
                code = process.wait(timeout=COMMAND_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._kill(process.pid)
                process.wait()
                code = -1
        output = out_path.read_text(errors="replace")
        if code == -1:
            output += f"\n[docs harness: killed after {COMMAND_TIMEOUT} s]"
        with contextlib.suppress(OSError):
            self.cwd = Path(cwd_path.read_text().strip())
            entries = env_path.read_bytes().split(b"\0")
            env = dict(e.decode(errors="replace").split("=", 1) for e in entries if b"=" in e)
            self.env = {k: v for k, v in env.items() if k not in ("_", "PWD", "OLDPWD", "SHLVL", "__rc")}
        for path in (cwd_path, env_path):
            path.unlink(missing_ok=True)
        return code, output

    @staticmethod
    def _kill(group: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)

    def close(self) -> None:
        """Stop whatever the page left running (a server started with ``&``)."""
        for group in self.groups:
            self._kill(group)


def check(command: Command, code: int, output: str) -> str | None:
    """Why ``command`` failed the page's word, or None."""
    tail = "\n".join(output.rstrip().splitlines()[-40:])
    if code != command.exit_code:
        return (
            f"{command.where}: `{command.first_line}` exited {code}, the page expects {command.exit_code}\n"
            f"--- output (last 40 lines) ---\n{tail}"
        )
    missing = missing_lines(command, output)
    if missing:
        listed = "\n".join(f"  {command.doc.name}:{s.line}: {s.text.strip()}" for s in missing)
        return (
            f"{command.where}: `{command.first_line}`: the output lacks line(s) the page shows:\n{listed}\n"
            f"--- output (last 40 lines) ---\n{tail}"
        )
    return None
