# f1lake: the two commands that matter are `make run` (the main job) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
SEASON ?= 2023

.PHONY: help install run test lint format check-lock replay-api docs clean dashboard

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install: ## Install uv (if missing) and the locked dependencies into .venv
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen

run: install ## Main job: local stack up, backfill SEASON (default 2023) through Airflow, print standings
	$(UV) run f1lake run --season $(SEASON) $(ARGS)

test: install ## Lint, then the whole test suite
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run pytest $(PYTEST_ARGS)

lint: install ## ruff lint and format check
	$(UV) run ruff check .
	$(UV) run ruff format --check .

format: install ## Apply ruff fixes and formatting
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

replay-api: install ## Serve an Ergast CSV dump offline: make replay-api CSV=../shared/data/ergast-csv
	$(UV) run f1lake replay-api --csv-dir $(CSV)

dashboard: install ## Season dashboard HTML from the lake of `f1lake up`: make dashboard ARGS="--serve"
	$(UV) run f1lake dashboard $(ARGS)

docs: install ## Regenerate the data dictionary docs/tables.md from the schema module
	$(UV) run python -m f1lake.schema > docs/tables.md

clean: ## Remove local state (embedded database, Airflow home) and caches
	rm -rf .f1lake .pytest_cache .ruff_cache
