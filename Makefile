# Masthead's two commands: `make run` and `make test`. Everything else is their parts.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test setup install install-test lint format test-sqlite test-postgres lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements/base.lock requirements/narration.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.lock -r requirements/narration.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements/test.lock package-lock.json $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements/test.lock
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

setup: install
	$(BIN)/masthead setup

run: install
	$(BIN)/masthead run

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Two processes (pytest-xdist, grouped as conftest.py explains); the slowest tests are listed at the end.
PYTEST := $(BIN)/pytest -q -n 2 --dist loadgroup --no-loadscope-reorder --durations=15

# SQLite runs every test; PostgreSQL runs the tests that use the database (the others would repeat themselves),
# except the browser tests: they drive the admin and pages through Chromium, the same on either database, and the
# database-specific parts they touch are tested on both without a browser.
test-sqlite: install-test
	env -u DATABASE_URL $(PYTEST)

test-postgres: install-test
	DATABASE_URL=$(PG_URL) $(PYTEST) -m "not database_independent and not browser"

test: lint test-sqlite test-postgres

lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	cd requirements && ../$(BIN)/uv pip compile -q base.in -o base.lock --python-version 3.11
	cd requirements && ../$(BIN)/uv pip compile -q narration.in -o narration.lock --python-version 3.11
	cd requirements && ../$(BIN)/uv pip compile -q test.in -o test.lock --python-version 3.11

clean:
	rm -rf $(VENV) var
