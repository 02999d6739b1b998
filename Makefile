# make plan  — set up .venv (runtime requirements) and plan the dev stack offline
# make test  — set up .venv (with dev requirements) and run the tests
VENV ?= .venv
PY := $(VENV)/bin/python
STACK ?= dev
FORMAT ?= text

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

.PHONY: plan test lint bench
plan: $(VENV)/.runtime
	$(PY) -m components plan --stack $(STACK) --format $(FORMAT)

test: $(VENV)/.dev
	$(PY) -m pytest -q

bench: $(VENV)/.dev
	$(PY) bench/run.py

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	MYPYPATH=policy $(PY) -m mypy components policy/invariants.py policy/rules.py tests
