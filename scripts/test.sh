#!/usr/bin/env bash
# test.sh [GO TEST ARGS...] — run the whole test suite on SQLite AND PostgreSQL.
#
# Starts a throwaway PostgreSQL primary and streaming replica from the local
# binaries (see scripts/with-postgres.sh --replica), points the tests at them
# with DUTYCHAIN_TEST_POSTGRES_URL, DUTYCHAIN_TEST_POSTGRES_READ_URL and
# DUTYCHAIN_REQUIRE_POSTGRES=1 (so no test can quietly fall back to SQLite
# only), runs `go test`, then removes both clusters, also when tests fail or
# on Ctrl-C. Exits with go test's status.
#
#   ./scripts/test.sh                       # go test -count=1 ./...
#   ./scripts/test.sh -run TestMigrate -v   # extra flags go to go test
#   ./scripts/test.sh ./internal/db/...     # package patterns replace ./...
#
# -count=1 and -timeout=30m are added unless such flags are given.
set -euo pipefail

cd "$(dirname "$0")/.."

have_pkg=0
have_count=0
have_timeout=0
for a in "$@"; do
	case $a in
	-count | -count=* | --count | --count=*) have_count=1 ;;
	-timeout | -timeout=* | --timeout | --timeout=*) have_timeout=1 ;;
	. | ./* | ../* | github.com/dutychain/dutychain*) have_pkg=1 ;;
	esac
done
args=()
[[ $have_count -eq 1 ]] || args+=(-count=1)
# graph runs every test on both databases: past go's 10-minute default on a
# loaded 2-core machine.
[[ $have_timeout -eq 1 ]] || args+=(-timeout=30m)
[[ $have_pkg -eq 1 ]] || args+=(./...)
args+=("$@")

export DUTYCHAIN_REQUIRE_POSTGRES=1
# The tests pick their databases themselves: DATABASE_URL and
# DATABASE_READ_URL, exported for `dutychain serve`, would redirect the
# servers of tests that parse the environment.
exec ./scripts/with-postgres.sh --replica env -u DATABASE_URL -u DATABASE_READ_URL go test "${args[@]}"
