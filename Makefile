# Run `make help` for the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

# Name of the next migration for `make migrations`.
name ?= changes

.PHONY: help serve test test-sqlite generate migrations migrations-hash vet ci build bench bench-check

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

serve: ## run the server on the embedded SQLite database with the demo tenants
	go run . serve

test: ## run all tests on SQLite and a throwaway PostgreSQL cluster (args: ARGS="-run X")
	./scripts/test.sh $(ARGS)

test-sqlite: ## run all tests on SQLite only (quick; PostgreSQL is not tested)
	go test ./... $(ARGS)

generate: ## regenerate ent and gqlgen code (go generate ./...)
	go generate ./...

migrations: ## plan the next migration of both dialects from the ent schema (name=what_changed)
	go run migrations/gen/main.go --dialect sqlite --name $(name)
	./scripts/with-postgres.sh go run migrations/gen/main.go --dialect postgres --name $(name)

migrations-hash: ## record hand-written migration files (triggers, data) in both atlas.sum files
	go run migrations/gen/main.go --dialect sqlite --rehash
	go run migrations/gen/main.go --dialect postgres --rehash

bench: ## the benchmark: synthetic county (200k hazards) then province (2M), API vs floors (ARGS=…)
	./scripts/bench.sh both $(ARGS)

bench-check: ## the benchmark, failing on a missed latency/throughput/memory target
	./scripts/bench.sh both --check $(ARGS)

vet: ## go vet ./...
	go vet ./...

ci: ## what CI runs: vet, generated code in sync, all tests on both databases
	bash .ci/run

build: ## build the dutychain binary
	go build -o dutychain .
