# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export LOCATOR_DATABASE ?= instance/locator.sqlite

PO := $(wildcard locator/translations/*/LC_MESSAGES/*.po)
MO := $(PO:.po=.mo)

.PHONY: run serve test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# Compiled catalogues are build products: made from the .po files, never committed.
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

run: $(STAMP) $(MO)
	$(BIN)/flask --app wsgi facilities init
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

# Production-style: gunicorn with the settings in gunicorn.conf.py, on http://127.0.0.1:8000.
serve: $(STAMP) $(MO)
	$(BIN)/flask --app wsgi facilities init
	$(BIN)/gunicorn wsgi:app

test: $(STAMP) $(MO)
	$(BIN)/ruff check locator tests bench wsgi.py
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench.import_bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
