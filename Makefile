# Two commands: `make app` sets up and starts the app on the demo data; `make test` sets up and runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Every machine installs the same versions: the lock pins runtime and dev dependencies (Python 3.11, Linux x86_64);
# pyproject.toml keeps only lower bounds. After changing the dependencies there, run `make lock` and commit both.
LOCK := requirements.lock

.PHONY: app test lint bench install lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

# Re-pin from pyproject.toml, keeping the current pins where they still fit; `make lock LOCK_FLAGS=--upgrade` moves
# every pin to the newest release.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/python -m uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" $(LOCK_FLAGS) -o $(LOCK)

app: install
	$(BIN)/python -m streamlit run app.py

lint: install
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
	$(BIN)/python -m mypy
	$(BIN)/lint-imports

# The test files are spread over the machine's cores (pytest-xdist; one file stays on one worker, so a module's
# fixtures, such as the app the browser tests start, are built once). `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= auto

test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: install
	$(BIN)/python benchmarks/bench_solver.py
