# The README's two commands: `make run` (the demo city) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
VENDOR := src/civicgrid/web/static/vendor
ASSETS := $(VENDOR)/.installed
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install messages screenshots run demo serve test lint typecheck test-sqlite test-postgres migrations-check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) $(ASSETS) $(CHROMIUM)

# Front-end assets (Leaflet, htmx, Chart.js, Swagger UI for /docs) and axe-core for the browser tests, from the npm registry at
# install time; the pages never load anything from a CDN.
$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/leaflet $(VENDOR)/htmx
	cp -R node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	mkdir -p $(VENDOR)/chartjs
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chartjs/
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/favicon-32x32.png $(VENDOR)/swagger-ui/
	touch $(ASSETS)

# Debian's Chromium drives the browser tests (tests/web); installed only when it is missing.
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq chromium fonts-noto-cjk

## make messages: extract the pages' strings and the domain errors' messages (the first
## argument of Invalid(...), NotFound(...), ...), update the en and zh_CN catalogues, compile them
MESSAGE_KEYWORDS := N_ CivicgridError Invalid NotFound Conflict Forbidden LoginRequired Unauthenticated TooManyAttempts
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F src/civicgrid/locale/babel.cfg $(addprefix -k ,$(MESSAGE_KEYWORDS)) --no-location --sort-output -o $(VENV)/messages.pot .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d src/civicgrid/locale -D messages --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching --width 100
	$(BIN)/pybabel compile -d src/civicgrid/locale -D messages --statistics

## make screenshots: run only the browser tests, saving each main page to docs/screenshots/
## (ordinary test runs leave the committed images alone)
screenshots: install
	CIVICGRID_SCREENSHOTS=1 $(BIN)/pytest -q -p no:cacheprovider tests/web/browser

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
