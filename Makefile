# The README's commands.  `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup setup-dev run test bench worker beat check clean-db

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## setup: Python packages and the front-end packages the app serves itself
setup: $(VENV)/.runtime node_modules/.installed

## setup-dev: setup + test tools + Chromium and CJK fonts for browser tests, Pango for PDF reports
setup-dev: $(VENV)/.dev node_modules/.installed
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
		|| ! /sbin/ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0"; then \
		echo "Installing Chromium, CJK fonts and Pango (browser tests, PDF reports)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk \
			libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	fi

## run: the app with a demo county on SQLite (eager Celery) at http://HOST:PORT/
run: setup
	mkdir -p staticfiles
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	@echo "打开 http://$(HOST):$(PORT)/ （按 Ctrl+C 停止）"
	DJANGO_DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

## test: the whole test suite (uses DATABASE_URL / REDIS_URL when set)
test: setup-dev
	$(PY) -m pytest -n 2

## bench: benchmarks, figures written under bench-results/
bench: setup-dev
	mkdir -p bench-results
	$(PY) tests/benchmarks/bench_apportionment.py --out bench-results/apportionment.json
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} \
		$(PY) tests/benchmarks/bench_recompute.py --out bench-results/recompute.json
	$(PY) tests/benchmarks/bench_reports.py --out bench-results/reports.json

## worker / beat: Celery with REDIS_URL set (see README)
worker: setup
	$(VENV)/bin/celery -A config worker -l info
beat: setup
	$(VENV)/bin/celery -A config beat -l info

## check: production settings check and migrations up to date
check: setup
	DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" DJANGO_SECURE=true \
		DJANGO_ALLOWED_HOSTS=dangjian.example.org $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
