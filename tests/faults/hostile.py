"""Run `workdocs-users validate` on one file in a child process, bounded in time and memory.

A child, because the attacks this suite replays crashed or exhausted the interpreter
before (PyYAML's composer segfaults on 30,000 levels; an alias bomb took 3 GiB): a
regression must fail one test, not take the machine or the test run down with it.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# The child: an address-space cap, an alarm whose default action ends it, then validate.
CHILD = """
import resource, signal, sys
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
from pulumi_workdocs.cli import main
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
signal.setitimer(signal.ITIMER_REAL, float(sys.argv[2]))
code = main(["validate", sys.argv[1]])
signal.setitimer(signal.ITIMER_REAL, 0)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
sys.exit(code)
"""


@dataclass
class Outcome:
    code: int
    lines: list[str]  # what validate printed on stderr, the path replaced by F
    grown_mb: float  # how much the peak resident memory grew while validating


def validate(path: Path, seconds: float) -> Outcome:
    """Validate ``path``; the child is killed by SIGALRM (exit -14) if it takes longer than ``seconds``."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(seconds)], capture_output=True, text=True)
    assert done.returncode in (0, 1), f"exit {done.returncode} (-14: over {seconds} s, -11: a crash): {done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return Outcome(done.returncode, done.stderr.replace(str(path), "F").splitlines(), int(done.stdout) / 1024)
