"""Every generated file is its generator's output (``python -m pulumi_workdocs.codegen``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_workdocs import codegen

ROOT = Path(__file__).resolve().parents[2]


def test_every_generated_file_is_its_generators_output() -> None:
    generated = codegen.generate()
    paths = [path for path, _ in generated]
    assert len(set(paths)) == len(paths) == len(codegen.GENERATORS)
    for path, text in generated:
        assert (ROOT / path).read_text() == text, f"{path} is stale: run python -m pulumi_workdocs.codegen"


def test_check_names_a_stale_file_and_fails(tmp_path: Path) -> None:
    """--check writes nothing and names what is stale; the committed files pass it."""
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_workdocs.codegen", "--check"], capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stderr) == (0, "")
    target = tmp_path / "provider" / "pulumi_workdocs" / "schema.json"
    target.parent.mkdir(parents=True)
    target.write_text("{}\n")
    assert "provider/pulumi_workdocs/schema.json" in codegen.stale(tmp_path)
    assert target.read_text() == "{}\n"


def test_a_generated_part_without_its_markers_is_refused() -> None:
    from pulumi_workdocs.codegen import resource

    with pytest.raises(ValueError, match="marker"):
        resource.render("class WorkDocsUser: ...\n")
