# Two commands matter: `make demo` and `make test`. Both bootstrap from a fresh clone.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: bootstrap demo test lint unit e2e bench sdk s3-server clean generate

bootstrap: $(VENV)/.installed $(VENV)/bin/pulumi $(VENV)/bin/pulumi-language-yaml $(VENV)/bin/workdocs-gensdk

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

# The YAML language host, for a plain `pulumi up` of examples/yaml (skipped when already built).
$(VENV)/bin/pulumi-language-yaml: FORCE | $(VENV)/.installed
	tools/pulumi-yaml/build.sh

# Pulumi's SDK code generators, run without the language hosts `pulumi package gen-sdk` needs
# (not served here): see tools/pulumi/gensdk/main.go.
$(VENV)/bin/workdocs-gensdk: tools/pulumi/gensdk/main.go tools/pulumi/go.mod tools/pulumi/go.sum | $(VENV)/bin/python
	cd tools/pulumi && go build -trimpath -o ../../$@.tmp ./gensdk
	mv $@.tmp $@

# The provider's SDKs, from its checked-in schema, into sdk/ (not checked in: generated).
SCHEMA := provider/pulumi_workdocs/plugin/schema.json
sdk: bootstrap
	$(VENV)/bin/workdocs-gensdk $(SCHEMA) sdk python nodejs go
	PULUMI_SKIP_UPDATE_CHECK=true $(VENV)/bin/pulumi package gen-sdk $(SCHEMA) --language yaml --out sdk

# Every generated file (both schema.json files, core/records.py, resource.py's signature) from
# the field table and botocore's WorkDocs model.
generate: $(VENV)/.installed
	$(PY) -m pulumi_workdocs.codegen

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

# An S3-compatible server (moto) on 127.0.0.1 for trying the s3:// state backend by hand.
s3-server: $(VENV)/.installed
	$(PY) -m tests.s3_server

bench: bootstrap
	$(PY) benchmarks/load_workdocs_local.py

clean:
	rm -rf $(VENV) .workdocs-local .pulumi-state sdk
