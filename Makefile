# Fresh machine to plan and tests: `make plan`, `make test`. The venv is the one Pulumi.yaml names.
PYTHON ?= python3
VENV := venv
BIN := $(VENV)/bin
STACK ?= dev

.PHONY: plan test typecheck unit bench venv

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

plan: venv
	$(BIN)/python -m stacks plan $(STACK) --out out/$(STACK)

test: unit typecheck

unit: venv
	$(BIN)/python -m pytest -q

typecheck: venv
	$(BIN)/mypy

bench: venv
	$(BIN)/python benchmarks/plan_scale.py
