# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test test-faults lint venv bench bench-load clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip>=25.3"

# Reinstall when the pinned requirements change.
$(STAMP): $(PY) requirements.txt requirements-dev.txt constraints-build.txt
	$(PIP) install --quiet --build-constraint constraints-build.txt -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

run: venv
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py collectstatic --noinput -v0
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo
	DEBUG=$${DEBUG:-1} PY=$(PY) bash scripts/run.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	DJANGO_SETTINGS_MODULE=cur.settings_test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -m "not faults" $(PYTEST_ARGS)

# Fault tests (docs/faults.md): their own PostgreSQL and Redis on free ports, a session of their own.
test-faults: venv
	$(VENV)/bin/pytest -m faults $(PYTEST_ARGS)

bench: venv
	DJANGO_SETTINGS_MODULE=cur.settings_test $(PY) -m bench

# Load test (locust) against DATABASE_URL/REDIS_URL: make bench-load LOAD_TIME=7m
bench-load: venv
	bash bench/load/run.sh $(or $(LOAD_TIME),7m)

clean:
	rm -rf $(VENV) staticfiles var
