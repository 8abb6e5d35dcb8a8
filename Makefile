# The two commands of the quickstart: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
TOOLS := $(VENV)/.tools-installed
CONSTRAINTS := requirements/constraints.txt
CHROMIUM_PATH ?= /usr/bin/chromium

# nox sessions that need neither the database nor the cache: once per CI run is enough.
STATIC_CHECKS := lint web imports typecheck docs
# nox sessions whose outcome depends on the database and the cache (DATABASE_URL, REDIS_URL).
SERVICE_CHECKS := migrations e2e schemathesis

.PHONY: demo test test-services e2e-deps bench-deps lock lint docs bench e2e schemathesis clean

# The task runners, at the versions of the lock.
$(TOOLS): requirements/tools.txt $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip --constraint $(CONSTRAINTS)
	$(VENV)/bin/python -m pip install --quiet -r requirements/tools.txt --constraint $(CONSTRAINTS)
	touch $(TOOLS)

## Install everything, migrate, seed, and serve the demo with a task worker.
demo: $(TOOLS)
	$(VENV)/bin/nox -s demo

## The whole test suite: lint, import contracts, types and docs, then what depends on the
## database and cache (test-services).
test: $(TOOLS) e2e-deps
	$(VENV)/bin/nox -s $(STATIC_CHECKS)
	$(VENV)/bin/tox run
	$(VENV)/bin/nox -s $(SERVICE_CHECKS)

## Only what depends on the database and cache: the tox matrix, the migrations check, e2e in
## headless Chromium, schemathesis over the running demo's OpenAPI. .ci/run's second pass.
test-services: $(TOOLS) e2e-deps
	$(VENV)/bin/tox run
	$(VENV)/bin/nox -s $(SERVICE_CHECKS)

## Chromium for the e2e tests: Debian's `chromium` package, installed with apt when
## $(CHROMIUM_PATH) is missing (as root, or through sudo).
e2e-deps:
	@if [ -x "$(CHROMIUM_PATH)" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "Chromium is missing at $(CHROMIUM_PATH) and apt-get is not available:" \
			"install Chromium and set CHROMIUM_PATH to its binary." >&2; \
		exit 1; \
	fi; \
	sudo=; if [ "$$(id -u)" != 0 ]; then sudo=sudo; fi; \
	echo "e2e-deps: $(CHROMIUM_PATH) is missing; installing Debian's chromium$${sudo:+ (sudo)}"; \
	$$sudo apt-get update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends chromium

## wrk, the HTTP load generator of the benchmarks (bench/bench_heartbeats.py): Debian's `wrk`
## package, installed with apt when it is missing (as root, or through sudo).
bench-deps:
	@if command -v wrk >/dev/null 2>&1; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "wrk is missing and apt-get is not available: install wrk" \
			"(https://github.com/wg/wrk) and put it on PATH." >&2; \
		exit 1; \
	fi; \
	sudo=; if [ "$$(id -u)" != 0 ]; then sudo=sudo; fi; \
	echo "bench-deps: wrk is missing; installing Debian's wrk$${sudo:+ (sudo)}"; \
	$$sudo apt-get update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk

## Re-resolve requirements/constraints.txt (keeps current pins; `make lock LOCK_ARGS=--upgrade`
## moves everything to the newest allowed versions).
lock: $(TOOLS)
	$(VENV)/bin/nox -s lock -- $(LOCK_ARGS)

lint docs schemathesis: $(TOOLS)
	$(VENV)/bin/nox -s $@

bench: $(TOOLS) bench-deps
	$(VENV)/bin/nox -s bench

e2e: $(TOOLS) e2e-deps
	$(VENV)/bin/nox -s e2e

clean:
	rm -rf $(VENV) .tox .nox site sites/demo/var
