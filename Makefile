# Chi bộ: `make run` starts the app, `make test` runs every check. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
HOST    ?= 127.0.0.1
PORT    ?= 8000
# First Python >= 3.12 found: $PYTHON, python3.13, python3.12, pyenv's installs, then python3.
PYTHON_CANDIDATES := $(PYTHON) python3.13 python3.12 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) \
                     $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) python3
# `make run` is a local, DEBUG app; `make test` runs with DEBUG off, as production does.
export DEBUG ?= 1
SYSTEM_PACKAGES := chromium poppler-utils gettext libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0

.PHONY: help run test lint venv install install-dev system-deps migrate demo messages static worker beat clean bench

help:
	@echo "make run    install, migrate, load demo data and start web + Celery worker + beat"
	@echo "make test   lint, Django checks, migrations check and the whole pytest suite (browser tests too)"
	@echo "make bench  benchmarks on PostgreSQL: compliance dashboards (var/bench/compliance.json), mail (var/bench/reminders.json),"
	@echo "            documents: minutes and compliance report PDFs (var/bench/documents.json)"

$(VENV)/bin/python:
	@py=""; for c in $(PYTHON_CANDIDATES); do \
	  if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then py=$$c; break; fi; \
	done; \
	if [ -z "$$py" ]; then echo "Chi bộ needs Python 3.12 or newer (Django 6.1). Install one, or set PYTHON=/path/to/python3.12." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$py ($$("$$py" -V))"; "$$py" -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true

venv: $(VENV)/bin/python

$(VENV)/.installed: requirements.txt $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import django, celery, weasyprint" && touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-dev.txt 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import pytest_django, playwright, factory, time_machine" && touch $@

# The Nu HTML Checker (vnu.jar) that tests/test_html.py runs, pinned in package-lock.json. --ignore-scripts: its
# install script would download a Java of its own; the tests use the machine's (system-deps installs it).
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing (apt-get install -y npm): the HTML checker of the tests comes from npm" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@test -f node_modules/vnu-jar/build/dist/vnu.jar && touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.package-lock.json

# Debian packages the tests need (the browser, PDF tools, gettext; Java and npm for the HTML checker, unless a java
# and an npm are already on the PATH). Installed when missing and we are root.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "Missing system packages:$$missing (install them with apt-get as root)" >&2; exit 1; fi; \
	fi

messages: install
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages -v 0 --ignore=.venv; \
	else echo "gettext is not installed: the interface stays in Vietnamese only"; fi

migrate: install
	$(PY) manage.py migrate --noinput -v 0

# The demo province with its logins and a year of meetings (tooling/demo.py); loads once, safe to run again.
demo: migrate
	$(PY) manage.py load_demo

# The address in e-mail links and calendar invites: the server's own, unless SITE_URL is set
# (production sets it; so does anyone who opens the app from another machine). A server on every interface (0.0.0.0)
# is linked as 127.0.0.1: set SITE_URL to the address the others use.
run: export SITE_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
# The web server, a worker and beat, each in a process group of its own (set -m): the terminal's Ctrl-C reaches this
# shell only (and make), which stops each group once with SIGTERM (the worker finishes its task first), or with
# SIGKILL on a second Ctrl-C or SIGTERM. The same when make itself gets SIGTERM. (`kill 0` in the trap signalled the
# shell itself again: thousands of "Warm shutdown" lines, then a crash.)
run: install messages demo
	@mkdir -p var
	@echo ""
	@echo "  Chi bộ is starting at http://$(HOST):$(PORT)/  (Ctrl-C stops the web server, the worker and beat)"
	@echo "  Mail is written to var/mail/; the task broker is $${REDIS_URL:-embedded (var/broker/)}."
	@echo ""
	@set -m; groups=""; \
	stop() { trap 'kill -KILL -- $$groups 2>/dev/null' INT TERM; set +m; \
	  echo "  Stopping the web server, the worker and beat (Ctrl-C again to kill them at once)."; \
	  kill -TERM -- $$groups 2>/dev/null; wait; }; \
	trap 'stop; exit 0' INT TERM; \
	$(VENV)/bin/celery -A config worker --pool=solo --loglevel=WARNING & groups="$$groups -$$!"; \
	$(VENV)/bin/celery -A config beat --loglevel=WARNING & groups="$$groups -$$!"; \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT) & groups="$$groups -$$!"; \
	wait; stop

static: install
	$(PY) manage.py collectstatic --noinput -v 0

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: export DEBUG = 0
test: export SECRET_KEY ?= make-test-only-insecure-secret-key-0123456789-abcdefghijklmnop
test: system-deps install-dev messages lint
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) -m pytest

# Benchmarks of the compliance dashboards on PostgreSQL (README.md, "Benchmarks"): builds a province of 500, then
# 5,000 cells in the database of DATABASE_URL (created and migrated if missing), measures, prints a table and writes
# var/bench/compliance.json. Takes about fifteen minutes. BENCH_ARGS="--sizes 50,500 --months 12" for a quick run.
BENCH_ARGS ?= --sizes 500,5000 --members-per-cell 20 --months 24
BENCH_MAIL_ARGS ?= --members 10000
# The report's province is the one bench_compliance leaves (its large size); generated again if of another size.
BENCH_DOC_ARGS ?= --report-cells 5000
bench: export DEBUG = 0
bench: export SECRET_KEY ?= make-bench-only-insecure-secret-key-0123456789-abcdefghijklmnop
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/chibo_bench?conn_max_age=60
bench: install static
	@mkdir -p var/bench
	$(PY) manage.py bench_compliance --create-database $(BENCH_ARGS)
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/15} $(PY) manage.py bench_reminders $(BENCH_MAIL_ARGS)
	$(PY) manage.py bench_documents $(BENCH_DOC_ARGS)

clean:
	rm -rf var/staticfiles var/broker var/celery-results .pytest_cache node_modules
