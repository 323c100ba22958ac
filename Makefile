# Qalam — the two commands are `make run` and `make test`; the rest are helpers.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
DEMO_DATA ?= var/demo

.PHONY: run test lint bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Start the app on a demo workspace (data under var/demo).
run: $(STAMP)
	$(VENV)/bin/qalam --data-dir $(DEMO_DATA) --demo

## Everything the tests need, then the whole suite (headless).
test: $(STAMP) system-deps
	$(VENV)/bin/ruff check .
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

system-deps:
	build_scripts/system_deps.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## Benchmarks: run by hand, they print ratios against a baseline measured in the same run.
bench: $(STAMP)
	$(PY) bench/store.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
