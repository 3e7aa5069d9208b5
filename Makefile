# Fresh machine: `make plan` (the offline plan of the dev stack), `make test`. The venv is the one Pulumi.yaml names.
PYTHON ?= python3
VENV := venv
BIN := $(VENV)/bin
STACK ?= dev
# The pinned CRDs and chart defaults the plan validates against: a folder holding crds/ and charts/
# (the shared folder beside the repository when there is one), else the cache `make schemas` fills.
SHARED := $(wildcard ../shared/crds)
export INFERFLEET_SCHEMAS ?= $(if $(SHARED),$(abspath ../shared),)

.PHONY: plan schemas test typecheck imports unit bench venv

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

plan: venv
	$(BIN)/python -m stacks plan $(STACK) --out out/$(STACK)

schemas: venv
	$(BIN)/python -m stacks schemas fetch

test: unit typecheck imports

unit: venv
	$(BIN)/python -m pytest -q

typecheck: venv
	$(BIN)/mypy

imports: venv
	$(BIN)/lint-imports

bench: venv
	$(BIN)/python benchmarks/plan_scale.py
