# 保学通 (Baoxue). `make run` serves the demo county; `make test` runs every test.
# Every install step lives here, so a fresh clone needs only python3 (3.11+), node (20.19+) and npm.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= small
UV_VERSION := 0.13.8

VENV := .venv
BIN := $(VENV)/bin
UV := .tools/bin/uv
PWA := mobile_pwa
PWA_SOURCES := $(shell find $(PWA)/src $(PWA)/public -type f 2>/dev/null) \
	$(wildcard $(PWA)/index.html $(PWA)/vite.config.ts $(PWA)/tsconfig*.json)
export UV_PYTHON_DOWNLOADS := never

.PHONY: help install hooks browser run serve migrate seed pwa test test-python test-pwa test-e2e lint typecheck bench docs types lock clean

help:
	@echo "make run    install, build the field app, migrate, seed the demo county, serve on http://$(HOST):$(PORT)"
	@echo "make test   install and run every test (lint, types, PWA unit and end-to-end tests, API tests)"
	@echo "make bench  print benchmark figures, one JSON object a line"
	@echo "make docs   regenerate docs/api-reference.md from the OpenAPI"
	@echo "make types  regenerate the field app's API types (mobile_pwa/src/api/schema.d.ts)"
	@echo "make lock   re-pin Python dependencies after editing pyproject.toml"
	@echo "make hooks  install the git hooks: ruff, ESLint, Prettier, and gitlint on the message"

# --- installs ------------------------------------------------------------------------------
$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: requirements-dev.lock $(UV)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes requirements-dev.lock
	touch $@

install: $(VENV)/.installed

# Git hooks for whoever commits here (.pre-commit-config.yaml, .gitlint); CI never installs
# them. Both hook types: the checks on the files staged, and the commit message's rules;
# ruff and gitlint come from .venv, ESLint and Prettier from the field app's node_modules.
hooks: install $(PWA)/node_modules/.installed
	$(BIN)/pre-commit install --hook-type pre-commit --hook-type commit-msg

$(PWA)/node_modules/.installed: $(PWA)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed (Node.js 20.19 or newer)"; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
		|| { echo "Node.js 20.19 or newer is needed, found $$(node --version)"; exit 1; }
	cd $(PWA) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(PWA)/dist/index.html: $(PWA)/node_modules/.installed $(PWA_SOURCES)
	cd $(PWA) && npm run build --silent
	touch $@

pwa: $(PWA)/dist/index.html

# Debian's Chromium for the end-to-end tests (playwright-core drives it; it downloads nothing),
# and a Chinese font so the screenshots it saves can be read.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
browser:
	@if [ -x $(CHROMIUM) ] && [ -f $(CJK_FONT) ]; then exit 0; fi; \
	if [ "$$(id -u)" -ne 0 ]; then \
		echo "$(CHROMIUM) is needed for the end-to-end tests: sudo apt-get install chromium fonts-wqy-microhei"; exit 1; \
	fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get install -y --no-install-recommends chromium fonts-wqy-microhei \
		|| { apt-get update && apt-get install -y --no-install-recommends chromium fonts-wqy-microhei; }

lock: $(UV)
	$(UV) pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 \
		--custom-compile-command "make lock" -o requirements.lock --quiet
	$(UV) pip compile pyproject.toml --group dev --generate-hashes --universal --python-version 3.11 \
		--custom-compile-command "make lock" -o requirements-dev.lock --quiet

# --- running -------------------------------------------------------------------------------
migrate: install
	$(BIN)/alembic upgrade head

seed: migrate
	$(BIN)/python -m api.demo --scale $(SCALE) --if-empty

run: install pwa seed serve

serve:
	@echo "保学通 is at http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/v1/docs)"
	@echo "Log in as demo.county, demo.township, demo.village, demo.principal or demo.teacher, password demo-pass-2026"
	$(BIN)/uvicorn api.main:app --host $(HOST) --port $(PORT) --no-access-log

# --- checks --------------------------------------------------------------------------------
lint: install $(PWA)/node_modules/.installed
	$(BIN)/ruff check api tests bench alembic docs
	$(BIN)/ruff format --check api tests bench alembic docs
	cd $(PWA) && npm run --silent lint && npm run --silent format:check

typecheck: install
	$(BIN)/mypy api tests bench docs

test-pwa: $(PWA)/node_modules/.installed
	cd $(PWA) && npx vitest run

# The built app in Chromium at a phone's size against the real server, on a fresh SQLite
# database of its own whatever DATABASE_URL says (mobile_pwa/e2e/server.ts).
test-e2e: pwa install browser
	cd $(PWA) && npx tsc -p tsconfig.e2e.json && E2E_CHROMIUM=$(CHROMIUM) npx vitest run -c vitest.e2e.config.ts

# One worker a core (at most four): each has its own database (tests/conftest.py), so the
# suite runs in about half the time on the two cores CI has.
test-python: install pwa
	$(BIN)/pytest -n auto --maxprocesses 4

# Python last, so that its summary closes the output.
test: lint typecheck test-pwa test-e2e test-python

bench: install pwa browser $(PWA)/node_modules/.installed
	$(BIN)/python -m bench

# The API reference, made from the OpenAPI the app publishes; a test fails when it is stale.
docs: install
	$(BIN)/python -m docs.build_reference

# The field app's API types, made from the same OpenAPI (no server, no database); the document
# is written beside node_modules' other caches. tests/test_pwa_types.py fails when it is stale.
OPENAPI_JSON := $(PWA)/node_modules/.cache/openapi.json
API_SCHEMA := $(PWA)/src/api/schema.d.ts
types: install $(PWA)/node_modules/.installed
	@mkdir -p $(dir $(OPENAPI_JSON))
	$(BIN)/python -c 'import json; from docs.build_reference import spec; \
		print(json.dumps(spec(), ensure_ascii=False, indent=2))' > $(OPENAPI_JSON)
	$(PWA)/node_modules/.bin/openapi-typescript $(OPENAPI_JSON) -o $(API_SCHEMA)

clean:
	rm -rf $(VENV) .tools $(PWA)/node_modules $(PWA)/dist .mypy_cache .ruff_cache .pytest_cache
