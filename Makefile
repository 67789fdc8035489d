# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# `make run`/`make serve` install only what running needs; `make check`/`make test` add the
# test extras. Each has its own stamp, so switching between them installs only what is missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
export LOCATOR_DATABASE ?= instance/locator.sqlite

PO := $(wildcard locator/translations/*/LC_MESSAGES/*.po)
MO := $(PO:.po=.mo)

.PHONY: run serve check test lint bench clean hant

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): $(RUN_STAMP)
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(TEST_STAMP)

# Compiled catalogues are build products: made from the .po files, never committed.
# pybabel comes with flask-babel, a runtime dependency.
%.mo: %.po $(RUN_STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

run: $(RUN_STAMP) $(MO)
	$(BIN)/flask --app wsgi facilities init
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

# Production-style: gunicorn with the settings in gunicorn.conf.py, on http://127.0.0.1:8000;
# with LOCATOR_BACKUP_URL set, under Litestream, which copies every commit to that replica
# (docs/operations.md).
serve: $(RUN_STAMP) $(MO)
	$(BIN)/flask --app wsgi facilities init
	$(BIN)/flask --app wsgi facilities replicate -- $(BIN)/gunicorn wsgi:app

lint: $(TEST_STAMP)
	$(BIN)/ruff check locator tests bench wsgi.py

# The edit loop: lint, then the fast tiers (no real processes, no browser) but for the few
# tests marked slow.
check: lint $(MO)
	$(BIN)/pytest -m "not slow" tests/unit tests/web

# Everything: every tier, tests/system's processes and faults and tests/browser's chromium
# included (each skips, saying what to install, where its tool is missing).
test: lint $(MO)
	$(BIN)/pytest

# The Traditional Chinese catalogues (zh_Hant) from the Simplified ones, after editing those.
hant: $(RUN_STAMP)
	$(BIN)/python -m bench.hant_catalogue

bench: $(TEST_STAMP)
	$(BIN)/python -m bench.import_bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
