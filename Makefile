# The README's two commands: `make run` (the demo city) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: install run demo serve test lint typecheck test-sqlite test-postgres migrations-check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## make run: install, load the demo city (New York) and serve it at http://127.0.0.1:8000
run: install
	$(BIN)/civicgrid demo
	$(BIN)/civicgrid serve

## make test: install, lint, type-check, then the suite on SQLite and on PostgreSQL
test: install lint typecheck test-sqlite test-postgres migrations-check

lint: install
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations

typecheck: install
	$(BIN)/mypy src

test-sqlite: install
	$(BIN)/pytest -q -p no:cacheprovider --cov --cov-branch --cov-report=term:skip-covered

test-postgres: install
	CIVICGRID_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -p no:cacheprovider

migrations-check: install
	rm -f $(VENV)/migrations-check.db
	CIVICGRID_DATABASE_URL=sqlite:///$(abspath $(VENV))/migrations-check.db $(BIN)/civicgrid db upgrade
	CIVICGRID_DATABASE_URL=sqlite:///$(abspath $(VENV))/migrations-check.db $(BIN)/civicgrid db check

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage
