# One front door. `make help` lists the verbs.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

BUF := node_modules/.bin/buf
# Installed dependencies are current when node_modules/.package-lock.json is newer than package-lock.json.
STAMP := node_modules/.package-lock.json

.PHONY: help install generate check-generated build lint breaking test tck spec-coverage bench clean

help: ## List the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(STAMP): package.json package-lock.json
	npm ci

install: $(STAMP) ## Install npm dependencies (npm ci) when package-lock.json changed

generate: $(STAMP) ## Regenerate TypeScript from proto/ (buf generate); commit the result
	$(BUF) generate
	$(BUF) build --exclude-source-info -o -#format=binpb | node proto/scripts/embed-descriptor-set.mjs > proto/src/gen/descriptor-set.ts

check-generated: generate ## Fail if generated code is not what `make generate` produces
	@git diff --exit-code --stat -- '*/src/gen' || { echo "Generated code is stale: run 'make generate' and commit."; exit 1; }
	@test -z "$$(git status --porcelain -- '*/src/gen')" || { git status --porcelain -- '*/src/gen'; echo "Generated files are untracked: run 'make generate' and commit."; exit 1; }

build: $(STAMP) ## Compile every workspace (tsc --build)
	npx tsc --build

lint: build ## buf lint + format, eslint with zero warnings, type-check tests
	$(BUF) lint
	$(BUF) format --diff --exit-code
	npx eslint --max-warnings 0 .
	for p in proto languages/node-support languages/node-support/tck-model tck proxy; do npx tsc -p $$p/tsconfig.test.json; done

breaking: $(STAMP) ## buf breaking against the frozen 0.2 baseline image (and main, off main)
	$(BUF) breaking --against proto/baseline/protocol-0.2.binpb
	@if [ "$$(git rev-parse --abbrev-ref HEAD 2>/dev/null)" != main ] && git rev-parse --verify -q main >/dev/null; then \
	  $(BUF) breaking --against '.git#branch=main'; fi

test: check-generated lint breaking ## Run every test (installs what it needs)
	npm run test --workspaces --if-present

tck: build ## Run the TCK against the reference implementations and print the compliance report
	cd tck && node dist/cli.js --config tck.sdk.yaml

spec-coverage: build ## Regenerate spec/coverage.md: the TCK cases citing each spec statement
	cd tck && node dist/coverage/coverage-cli.js --spec ../spec --cases cases --out ../spec/coverage.md

bench: build ## Run the benchmarks (bench/) and write reports/bench.json
	@echo "The benchmarks are not built yet (issue: 'Reference proxy'). Nothing to measure."

clean: ## Remove build output
	rm -rf */dist */*/dist */*.tsbuildinfo */*/*.tsbuildinfo reports
