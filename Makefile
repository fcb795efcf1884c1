# The two commands of the README: `make run` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-embedded test-shared setup lint migrate bench bench-full

$(VENV)/.created:
	@echo "==> Creating a virtualenv in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	touch $@

# `make run` installs only what running needs; `make test` adds the test and lint tools.
# requirements-hashed.txt: young or single-maintainer packages, pinned with hashes (pip's hash mode
# is all or nothing per file, hence a file of their own).
$(VENV)/.runtime: requirements.txt requirements-hashed.txt | $(VENV)/.created
	@echo "==> Installing what the helpdesk needs to run (requirements.txt; a minute or two the first time)"
	$(PY) -m pip install --progress-bar on -r requirements.txt
	$(PY) -m pip install --progress-bar on --no-deps --require-hashes -r requirements-hashed.txt
	touch $@

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-hashed.txt | $(VENV)/.created
	@echo "==> Installing the helpdesk with its test and lint tools (requirements-dev.txt)"
	$(PY) -m pip install --progress-bar on -r requirements-dev.txt
	$(PY) -m pip install --progress-bar on --no-deps --require-hashes -r requirements-hashed.txt
	touch $@ $(VENV)/.runtime

setup: $(VENV)/.installed

## Set up what running needs and run the helpdesk on the embedded defaults (SQLite, in-memory layer).
run: $(VENV)/.runtime
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) bash scripts/run

## Set everything up and run the whole suite: embedded defaults, then PostgreSQL + Redis.
test: setup
	PY=$(PY) bash scripts/test

test-embedded: setup
	PY=$(PY) bash scripts/test embedded

test-shared: setup
	PY=$(PY) bash scripts/test shared

lint: setup
	$(VENV)/bin/ruff check .

## Benchmarks, run by hand (never by the tests): PostgreSQL + Redis on loopback, see docs/performance.md.
## `make bench` is the short run (under 5 minutes) and prints the table; `make bench-full` is the full one.
$(VENV)/.bench-installed: bench/requirements.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r bench/requirements.txt
	touch $@

bench: $(VENV)/.bench-installed
	$(PY) -m bench.run --quick

bench-full: $(VENV)/.bench-installed
	$(PY) -m bench.run --json bench-results.json
