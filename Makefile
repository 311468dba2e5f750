# The two commands that matter: `make dev` and `make test`. Both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
CFN_LINT_VERSION := 1.58.0
CFN_LINT_SERVERLESS_VERSION := 0.3.6
SAM_CLI_VERSION := 1.170.0
CHECKOV_VERSION := 3.2.500

TOOLS := .tools
UV := $(TOOLS)/uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
HOUSE ?= voorbeeldregio
HOUSES := $(basename $(notdir $(wildcard houses/*.yaml)))

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_TOOL_DIR := $(abspath $(TOOLS)/uv-tools)
export UV_TOOL_BIN_DIR := $(abspath $(TOOLS)/bin)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export NO_MKDOCS_2_WARNING := 1
export PYTHONPATH := $(abspath functions):$(abspath .)
# sam and cfn-lint need a region and credentials shape, never a real account.
export AWS_DEFAULT_REGION ?= eu-central-1

.PHONY: help install dev test lint types infra-lint site-check pytest unit unit-coverage \
        other-tests integration browser \
        infrastructure bench load build openapi fuzz clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)/uv
	$(TOOLS)/uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced ## Create .venv from the lock file

# Infrastructure linters pin other versions of boto3: each gets its own environment.
$(TOOLS)/bin/cfn-lint: | $(UV)
	$(UV) tool install --quiet --python $(PYTHON) cfn-lint==$(CFN_LINT_VERSION) \
		--with cfn-lint-serverless==$(CFN_LINT_SERVERLESS_VERSION)

$(TOOLS)/bin/sam: | $(UV)
	$(UV) tool install --quiet --python $(PYTHON) aws-sam-cli==$(SAM_CLI_VERSION)

$(TOOLS)/bin/checkov: | $(UV)
	$(UV) tool install --quiet --python $(PYTHON) checkov==$(CHECKOV_VERSION)

dev: install ## Run the whole system locally on http://127.0.0.1:8000/ (HOUSE=name)
	$(PY) -m devstack --house $(HOUSE)

test: lint types infra-lint site-check pytest ## Every check: lint, types, template, site, tests

lint: install ## ruff check, ruff format --check, the layer contracts (lint-imports)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --cache-dir $(TOOLS)/import-linter

types: install ## mypy (strict)
	$(VENV)/bin/mypy

# checkov reads the SAM template (and the skips in its Metadata) and the transformed template,
# where the roles and everything else SAM generates are checked too.
CHECKOV := $(TOOLS)/bin/checkov --framework cloudformation --skip-download --quiet --compact

infra-lint: $(TOOLS)/bin/cfn-lint $(TOOLS)/bin/sam $(TOOLS)/bin/checkov install ## cfn-lint (serverless rules), sam validate --lint, checkov
	$(TOOLS)/bin/cfn-lint --append-rules cfn_lint_serverless.rules -- infra/template.yaml infra/waf.yaml
	AWS_ACCESS_KEY_ID=none AWS_SECRET_ACCESS_KEY=none SAM_CLI_TELEMETRY=0 \
		$(TOOLS)/bin/sam validate --lint --template infra/template.yaml
	$(CHECKOV) -f infra/template.yaml
	$(CHECKOV) -f infra/waf.yaml
	@mkdir -p $(TOOLS)/checkov
	$(PY) -m vhtools.template > $(TOOLS)/checkov/transformed-template.json
	$(CHECKOV) -f $(TOOLS)/checkov/transformed-template.json

site-check: install ## mkdocs build --strict for every house
	@set -e; for house in $(HOUSES); do \
		echo "mkdocs build --strict ($$house)"; \
		VH_HOUSE=$$house $(VENV)/bin/mkdocs build --strict --quiet -f site/mkdocs.yml \
			-d $(abspath $(TOOLS))/site-check/$$house; \
	done

pytest: unit-coverage other-tests ## unit (with the rules' coverage), integration, browser and infrastructure tests

# tests/unit alone measures the rules: at least 90% of vhcore.logic's lines, or it fails.
# Only this run collects coverage; the other tests run without it, and without tests/unit.
unit-coverage: install ## tests/unit with the line coverage of vhcore.logic (at least 90%)
	$(VENV)/bin/pytest tests/unit -n 2 -q --cov=vhcore.logic --cov-report=term-missing \
		--cov-fail-under=90

other-tests: install
	$(VENV)/bin/pytest -n 2 --dist loadfile --ignore=tests/unit

unit: install
	$(VENV)/bin/pytest tests/unit

integration: install
	$(VENV)/bin/pytest tests/integration

browser: install
	$(VENV)/bin/pytest tests/browser

infrastructure: install
	$(VENV)/bin/pytest tests/infrastructure

bench: install ## Benchmarks: each function's zip size (after make build), cold starts, site weight and Lighthouse, API latency, a load run (HOUSE=name)
	$(PY) benchmarks/packages/bench_packages.py
	$(PY) benchmarks/coldstart/bench_coldstart.py --house $(HOUSE)
	npm ci --silent --prefix benchmarks/site
	$(PY) benchmarks/site/bench_site.py --house $(HOUSE)
	$(PY) benchmarks/latency/bench_latency.py --house $(HOUSE)
	$(PY) benchmarks/load/bench_load.py --house $(HOUSE) --seconds $(LOAD_SECONDS)

LOAD_SECONDS ?= 60
load: install ## Only the bounded load run on loopback (LOAD_SECONDS=60, HOUSE=name)
	$(PY) benchmarks/load/bench_load.py --house $(HOUSE) --seconds $(LOAD_SECONDS)

# `sam build` without Docker needs the runtime's Python (python3.13, as the template names)
# on PATH: a system python3.13, or pyenv's. The staged copy adds the house files and the
# runtime requirements (exported from uv.lock) to the functions' code.
# (pyenv's shims are skipped: sam would run a shim that may point nowhere.)
PYTHON_RUNTIME ?= $(or $(lastword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.13.*/bin/python3.13)),$(filter-out %/shims/python3.13,$(shell command -v python3.13 2>/dev/null)))
BUILD_STAGE := .aws-sam/stage

build: $(TOOLS)/bin/sam install ## sam build (arm64 wheels; houses as JSON; each function ships what it imports)
	@test -n "$(PYTHON_RUNTIME)" || { echo "python3.13 not found: install it or set PYTHON_RUNTIME"; exit 1; }
	rm -rf $(BUILD_STAGE) && mkdir -p $(BUILD_STAGE)
	cp -r functions infra $(BUILD_STAGE)/
	find $(BUILD_STAGE) -name __pycache__ -prune -exec rm -rf {} +
	$(PY) -m deploy.bundle $(BUILD_STAGE)/functions/vhcore/houses
	$(UV) export --frozen --no-dev --no-hashes --no-emit-project --quiet \
		-o $(BUILD_STAGE)/functions/requirements.txt
	PATH="$(dir $(PYTHON_RUNTIME)):$$PATH" SAM_CLI_TELEMETRY=0 $(TOOLS)/bin/sam build \
		--template $(BUILD_STAGE)/infra/template.yaml --build-dir .aws-sam/build
	@# sam build gives every function the same folder: each keeps what its handler imports.
	$(PY) -m deploy.packages .aws-sam/build
	@# Lambda's code folder is read-only: without .pyc files every cold start compiles each
	@# module it imports again. Hash-based, because SAM's zip drops the files' mtimes.
	"$(PYTHON_RUNTIME)" -m compileall -q -j 0 --invalidation-mode checked-hash .aws-sam/build

# Deploying a house to AWS (README, "Deploy your house"); STAGE=prod unless told otherwise.
.PHONY: site deploy publish-site
STAGE ?= prod
# WAF=off: no web ACL of the house's own (infra/waf.yaml in us-east-1); see docs/cost.md.
WAF ?= on
SITE_DIR := site/build/$(HOUSE)

site: install ## Build the public site of one house into site/build/<house> (HOUSE=name)
	VH_HOUSE=$(HOUSE) $(VENV)/bin/mkdocs build --strict --quiet -f site/mkdocs.yml \
		-d $(abspath $(SITE_DIR))

deploy: build site ## sam deploy of the house's WAF stack and its stack (HOUSE=name STAGE=prod WAF=on; GUIDED=1 asks again)
	SAM_CLI_TELEMETRY=0 $(PY) -m deploy.stack --house $(HOUSE) --stage $(STAGE) \
		--site-dir $(SITE_DIR) --sam $(TOOLS)/bin/sam --waf $(WAF) $(if $(GUIDED),--guided)

publish-site: site ## Upload the site to the house's bucket, invalidate CloudFront (HOUSE=name)
	$(PY) -m deploy.publish --house $(HOUSE) --stage $(STAGE) --site-dir $(SITE_DIR)

openapi: install ## Regenerate docs/openapi.json and docs/rights.md from the code
	$(PY) -m devstack.openapi

FUZZ_EXAMPLES ?= 1000
# Bounded: the seed is fixed, the count per operation set, and the whole run stops by itself.
fuzz: install ## schemathesis on every API operation, FUZZ_EXAMPLES (1000) cases each, all checks
	VH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) timeout --signal=INT 3000 \
		$(VENV)/bin/pytest tests/fuzz -p no:cacheprovider -q

clean: ## Remove environments and build output
	rm -rf $(VENV) $(TOOLS) site/build .pytest_cache .mypy_cache .ruff_cache
