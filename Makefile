# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# `make run` installs what the site needs; `make test` adds the test tools (pytest, Playwright, ruff…).
STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# Browser files from the npm registry (package.json): plotly.js's Russian locale.
NPM_STAMP := node_modules/.installed
PORT ?= 8000

.PHONY: run test test-clock test-faults lint venv venv-dev bench bench-load clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip>=25.3"

# Reinstall when the pinned requirements change.
$(STAMP): $(PY) requirements.txt constraints-build.txt
	$(PIP) install --quiet --build-constraint constraints-build.txt -r requirements.txt
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PIP) install --quiet --build-constraint constraints-build.txt -r requirements-dev.txt
	touch $(DEV_STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

venv: $(STAMP) $(NPM_STAMP)

venv-dev: $(DEV_STAMP) $(NPM_STAMP)

# Port: make run PORT=8001
run: venv
	PY=$(PY) PORT=$(PORT) bash scripts/run.sh

lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	DJANGO_SETTINGS_MODULE=cur.settings_test $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m tests.servers $(VENV)/bin/pytest -m "not faults" $(PYTEST_ARGS)

# The suite with the clock at 23:30 UTC, when Moscow is already on the next day (CI runs it once more).
test-clock: venv-dev
	$(PY) -m tests.servers $(VENV)/bin/pytest -m "not faults" --clock=23:30 $(PYTEST_ARGS)

# Fault tests (docs/faults.md): their own PostgreSQL and Redis on free ports, a session of their own.
test-faults: venv-dev
	$(VENV)/bin/pytest -m faults $(PYTEST_ARGS)

bench: venv-dev
	DJANGO_SETTINGS_MODULE=cur.settings_test $(PY) -m bench

# Load test (locust) against DATABASE_URL/REDIS_URL: make bench-load LOAD_TIME=7m
bench-load: venv-dev
	bash bench/load/run.sh $(or $(LOAD_TIME),7m)

clean:
	rm -rf $(VENV) node_modules staticfiles var
