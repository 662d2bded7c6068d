# Two commands matter: `make demo` and `make test`. Both bootstrap from a fresh clone.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: bootstrap demo test lint unit e2e bench clean

bootstrap: $(VENV)/.installed $(VENV)/bin/pulumi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# constraints.txt pins every package CI installs (regenerate: pip freeze --exclude-editable).
$(VENV)/.installed: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev,local]"
	touch $@

# Always run: the script itself skips the build when the pinned version is already there.
$(VENV)/bin/pulumi: FORCE | $(VENV)/.installed
	tools/pulumi/build.sh
FORCE:

demo: bootstrap
	$(PY) -m pulumi_workdocs.demo

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: bootstrap lint
	$(VENV)/bin/pytest -q

unit: $(VENV)/.installed
	$(VENV)/bin/pytest -q -m "not e2e"

e2e: bootstrap
	$(VENV)/bin/pytest -q -m e2e

bench: bootstrap
	$(PY) benchmarks/load_workdocs_local.py

clean:
	rm -rf $(VENV) .workdocs-local .pulumi-state
