# One front door. `make help` lists the verbs.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

BUF := node_modules/.bin/buf
# Installed dependencies are current when node_modules/.package-lock.json is newer than package-lock.json.
STAMP := node_modules/.package-lock.json

.PHONY: help install generate check-generated build lint breaking chromium test tck tck-check spec-coverage docs bench clean

# The Node support library's examples, as <directory under $(EXAMPLES_DIR)>:<its contracts under proto/>.
# Each gets its TypeScript and its embedded descriptor set in <directory>/src/gen.
EXAMPLES_DIR := languages/node-support/examples
EXAMPLES := shopping-cart:proto/example/shoppingcart value-shopping-cart:proto/example/valueentity/shoppingcart presence:proto/example/chat/presence
# Every workspace with a tsconfig.test.json, for type-checking the tests.
TEST_PROJECTS := proto languages/node-support languages/node-support/tck-model $(foreach e,$(EXAMPLES),$(EXAMPLES_DIR)/$(firstword $(subst :, ,$(e)))) tck proxy

help: ## List the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(STAMP): package.json package-lock.json
	npm ci

install: $(STAMP) ## Install npm dependencies (npm ci) when package-lock.json changed

generate: $(STAMP) ## Regenerate TypeScript from proto/ (buf generate), also the examples'; commit the result
	$(BUF) generate
	$(BUF) build --exclude-source-info -o -#format=binpb | node proto/scripts/embed-descriptor-set.mjs > proto/src/gen/descriptor-set.ts
	@# Each example: its messages and service definitions, then its descriptor set (its contracts
	@# with their imports) as a TypeScript module, named after the contracts it holds.
	for e in $(EXAMPLES); do \
	  gen="$(EXAMPLES_DIR)/$${e%%:*}/src/gen"; contracts="$${e#*:}"; \
	  $(BUF) generate --template buf.gen.examples.yaml --path "$$contracts" --output "$$gen"; \
	  $(BUF) build --exclude-source-info --path "$$contracts" -o -#format=binpb | node proto/scripts/embed-descriptor-set.mjs \
	    | sed "s|^// source: .*|// source: $$contracts/**, with imports, without source info|" > "$$gen/descriptor-set.ts"; \
	done

check-generated: generate ## Fail if generated code is not what `make generate` produces
	@git diff --exit-code --stat -- '*/src/gen' || { echo "Generated code is stale: run 'make generate' and commit."; exit 1; }
	@test -z "$$(git status --porcelain -- '*/src/gen')" || { git status --porcelain -- '*/src/gen'; echo "Generated files are untracked: run 'make generate' and commit."; exit 1; }

build: $(STAMP) ## Compile every workspace (tsc --build)
	npx tsc --build

lint: build ## buf lint + format, eslint with zero warnings, type-check tests
	$(BUF) lint
	$(BUF) format --diff --exit-code
	npx eslint --max-warnings 0 .
	for p in $(TEST_PROJECTS); do npx tsc -p $$p/tsconfig.test.json; done

breaking: $(STAMP) ## buf breaking against the frozen 0.2 baseline image (and main, off main)
	$(BUF) breaking --against proto/baseline/protocol-0.2.binpb
	@if [ "$$(git rev-parse --abbrev-ref HEAD 2>/dev/null)" != main ] && git rev-parse --verify -q main >/dev/null; then \
	  $(BUF) breaking --against '.git#branch=main'; fi

chromium: ## Install Chromium for the browser test when it is missing (apt-get, as root), or say how
	scripts/ensure-chromium.sh

test: check-generated lint breaking tck-check chromium ## Run every test (installs what it needs)
	npm run test --workspaces --if-present

tck: build ## Run the TCK against the reference implementations (SDK mode, then proxy mode) and print the compliance reports
	@# Both modes run even when the first fails; the target fails if either did.
	cd tck && sdk=0 && { node dist/cli.js --config tck.sdk.yaml || sdk=$$?; } \
	  && node dist/cli.js --config tck.proxy.yaml && exit $$sdk

tck-check: tck ## The TCK passes, every [uf]/[both] MUST is cited by an SDK case or excluded, spec/coverage.md is current
	@# The table goes to stdout (discarded); the counts and any uncovered MUST go to stderr.
	cd tck && node dist/coverage/coverage-cli.js --spec ../spec --cases cases --exclusions coverage-exclusions.yaml --check uf,both > /dev/null
	@# Regenerated beside the real one, so that its relative links are the same.
	@cd tck && node dist/coverage/coverage-cli.js --spec ../spec --cases cases --exclusions coverage-exclusions.yaml --out ../spec/.coverage-check.md > /dev/null 2>&1 \
	  && if cmp -s ../spec/.coverage-check.md ../spec/coverage.md; then rm -f ../spec/.coverage-check.md; \
	  else rm -f ../spec/.coverage-check.md; echo "spec/coverage.md is out of date: run make spec-coverage and commit it" >&2; exit 1; fi

.PHONY: mutants
mutants: build ## Prove the TCK's proxy mode fails faulty proxies: run only the mutant proxies (tck/test/mutant-proxies), ~1 min
	cd tck && npm test -- test/mutant-proxies

spec-coverage: build ## Regenerate spec/coverage.md: the TCK cases citing each spec statement
	cd tck && node dist/coverage/coverage-cli.js --spec ../spec --cases cases --exclusions coverage-exclusions.yaml --out ../spec/coverage.md

docs: build ## Regenerate the Node support library's API reference (docs/node-support/api/) from its TSDoc
	npx typedoc --options languages/node-support/typedoc.json

bench: build ## Run the benchmarks (bench/) and write reports/bench.json; BENCH_ARGS="--duration-s 20" passes options
	node bench/dist/run-bench.js $(BENCH_ARGS)

clean: ## Remove build output
	@# Workspace folders only: a glob like */*/dist would also reach into node_modules.
	for p in proto proxy tck bench languages/node-support languages/node-support/tck-model $(EXAMPLES_DIR)/*; do rm -rf $$p/dist $$p/*.tsbuildinfo; done
	rm -rf reports
