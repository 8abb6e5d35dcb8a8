# The two commands of the quickstart: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
TOOLS := $(VENV)/.tools-installed

.PHONY: demo test lint docs bench e2e schemathesis clean

$(TOOLS): requirements/tools.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements/tools.txt
	touch $(TOOLS)

## Install everything, migrate, seed, and serve the demo with a task worker.
demo: $(TOOLS)
	$(VENV)/bin/nox -s demo

## The whole test suite: the tox matrix, then lint, import contracts, types, migrations, docs, e2e,
## schemathesis over the running demo's OpenAPI.
test: $(TOOLS)
	$(VENV)/bin/tox run
	$(VENV)/bin/nox -s lint imports typecheck migrations docs e2e schemathesis

lint docs bench e2e schemathesis: $(TOOLS)
	$(VENV)/bin/nox -s $@

clean:
	rm -rf $(VENV) .tox .nox site sites/demo/var
