# The two commands: `make run` (portal with demo data on 127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SCALE ?= 0.1
# Local commands run in development mode (SQLite, eager Celery) unless the caller says otherwise.
export DJANGO_DEBUG ?= 1
LOCAL_PG_URL := postgres://postgres@127.0.0.1:5432/eldercare

.PHONY: setup migrate demo run test lint format messages check-messages bench

setup: $(VENV)/.setup-done

$(VENV)/.setup-done: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py generate_demo --scale $(SCALE)

run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

# PostgreSQL when DATABASE_URL is set or the local server answers, otherwise SQLite.
test: setup
	@if [ -z "$$DATABASE_URL" ] && $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
		export DATABASE_URL=$(LOCAL_PG_URL); \
	fi; \
	echo "test database: $${DATABASE_URL:-SQLite (var/test.sqlite3)}"; \
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

MAKEMESSAGES := $(PY) manage.py makemessages --locale zh_Hans --locale en --no-location \
	--no-obsolete --ignore '.venv/*' --ignore 'static/*' --ignore 'var/*' --ignore 'staticfiles/*'

# Needs gettext (msgfmt). Regenerates the catalogs from the code and templates, then compiles them.
messages: setup
	$(MAKEMESSAGES)
	$(PY) manage.py compilemessages --ignore '.venv/*'

# Fails when a marked string is missing from the committed .po catalogs (the test suite checks
# that each committed .mo is what its .po compiles to).
check-messages: setup
	$(MAKEMESSAGES)
	@git diff --exit-code -I 'POT-Creation-Date' -- 'locale/*.po' \
		|| { echo "locale/*.po are stale: run make messages, translate, commit"; exit 1; }
	@git checkout -- locale/

# The upload benchmark (PostgreSQL; its own database eldercare_bench). BENCH_ROWS=... to resize.
bench: setup
	DATABASE_URL=$${DATABASE_URL:-$(LOCAL_PG_URL)} $(PY) bench/upload.py
