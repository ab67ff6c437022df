# Two commands on a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run test lint audit format bench system-deps install migrate demo clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Scrutiny needs Python 3.12 or newer (Django 6.1); found " + sys.version.split()[0] + ". With pyenv, the .python-version file selects 3.13.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

system-deps:
	@scripts/system-deps.sh

migrate: install
	$(BIN)/python manage.py migrate --no-input

demo: migrate
	$(BIN)/python manage.py load_demo

run: system-deps demo
	@echo "Serving on http://$(HOST):$(PORT)/  (the secretariat signs in at http://$(HOST):$(PORT)/admin/)"
	@# The task worker (background publication, large exports) runs beside the server and stops with it.
	export SITE_URL=http://$(HOST):$(PORT); \
	$(BIN)/python manage.py db_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite: unit, page, browser and PostgreSQL tests. Without DATABASE_URL it starts a
# throwaway PostgreSQL, runs everything there, then again on SQLite (scripts/test.sh).
test: system-deps install
	WORKERS=$(WORKERS) scripts/test.sh $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Fails on a dependency with a known vulnerability (pip-audit; see the script for the fallback).
audit: install
	$(BIN)/python scripts/audit_dependencies.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Cheap defaults (a throwaway SQLite database, ~500 actions, a few seconds a figure). The sizes of
# docs/performance.md: BENCH_DATABASE_URL=postgresql://... BENCH_BOARDS=100 BENCH_YEARS=10.
bench: install
	@for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
