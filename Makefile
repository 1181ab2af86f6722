# f1lake: the two commands that matter are `make run` (the main job) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
SEASON ?= 2023
# uv: the one on PATH, else one bootstrapped into a venv of its own (a system Python's pip refuses
# installs under PEP 668, a venv's does not), so nothing beyond python3 with venv is needed.
UV_HOME := .f1lake-tools
UV ?= $(or $(shell command -v uv 2>/dev/null),$(UV_HOME)/bin/uv)
# The venv's Python is the one given (uv never downloads one); `uv run --no-sync` runs what the
# target installed, never syncing the default groups (dev, cdk) behind its back.
SYNC := $(UV) sync --frozen --python $(PYTHON)
RUN := $(UV) run --no-sync

.PHONY: help install install-dev run test lint format check-lock replay-api docs clean dashboard

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(UV_HOME)/bin/uv:
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/python -m pip install --quiet --disable-pip-version-check uv

install: $(if $(filter $(UV_HOME)/bin/uv,$(UV)),$(UV_HOME)/bin/uv) ## The runtime (the main job's dependencies) into .venv
# --inexact: after `make test`, the dev and CDK groups stay installed (nothing is pulled from under a
# running test); a fresh checkout gets the runtime alone.
	$(SYNC) --inexact --no-default-groups --extra local

install-dev: $(if $(filter $(UV_HOME)/bin/uv,$(UV)),$(UV_HOME)/bin/uv) ## The runtime plus the dev and CDK groups (tests, lint, CDK synth, browser)
	$(SYNC)

run: install ## Main job: local stack up, backfill SEASON (default 2023) through Airflow, print standings
	$(RUN) f1lake run --season $(SEASON) $(ARGS)

test: install-dev ## Lint, then the whole test suite
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) pytest $(PYTEST_ARGS)

lint: install-dev ## ruff lint and format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: install-dev ## Apply ruff fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

replay-api: install ## Serve an Ergast CSV dump offline: make replay-api CSV=../shared/data/ergast-csv
	$(RUN) f1lake replay-api --csv-dir $(CSV)

dashboard: install ## Season dashboard HTML from the lake of `f1lake up`: make dashboard ARGS="--serve"
	$(RUN) f1lake dashboard $(ARGS)

docs: install ## Regenerate the data dictionary docs/tables.md from the schema module
	$(RUN) python -m f1lake.schema > docs/tables.md

clean: ## Remove local state (embedded database, Airflow home), caches and a bootstrapped uv
	rm -rf .f1lake .pytest_cache .ruff_cache $(UV_HOME)
