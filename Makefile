# Targets used by the README. `make run` and `make test` each install what is missing first.
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup setup-dev setup-bench run demo test test-quick lint bench

setup:
	bin/setup

setup-dev:
	bin/setup --dev

setup-bench:
	bin/setup --bench

demo: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --year 2022

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: setup-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# On every core (pytest-xdist); each worker takes whole files (tests/conftest.py).
XDIST := -n auto

test: lint
	$(PY) -m pytest $(XDIST)

# The everyday run: everything but the tests marked slow (the whole demo, the permission matrix, fuzzing,
# PDF rendering, the browser journeys), which `make test` and CI always run.
test-quick: setup-dev
	$(PY) -m pytest $(XDIST) -m "not slow"

# Every benchmark (SQLite and PostgreSQL pages, the load test, the 10x city) and one table; see bench/run.
bench: setup-bench
	bench/run
