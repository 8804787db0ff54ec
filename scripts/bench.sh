#!/usr/bin/env bash
# bench.sh [county|province|both] [BENCH FLAGS...] — the benchmark against raw SQL (docs/PERFORMANCE.md).
#
# Builds dutychain, starts a throwaway PostgreSQL cluster (scripts/with-postgres.sh),
# loads a synthetic tenant (`dutychain seed synthetic --scale …`) into a fresh
# database per scale and runs `dutychain bench` on it. `both` (the default) runs
# the county (200,000 hazards) and then the province (2,000,000 hazards) and
# checks the province run against the county one (--baseline). Reports go to
# bench-out/<scale>.txt and .json. Extra flags go to `dutychain bench`, e.g.
# --check (fail on a missed target), --concurrency 50, --profile bench-out/prof.
set -euo pipefail
cd "$(dirname "$0")/.."

scale=${1:-both}
[[ $# -gt 0 ]] && shift
case $scale in county | province | both) ;; *)
	echo "usage: scripts/bench.sh [county|province|both] [bench flags]" >&2
	exit 2
	;;
esac

if [[ -z ${DUTYCHAIN_TEST_POSTGRES_URL:-} ]]; then
	# Memory as a server for this data would have it (the province database is
	# ≈ 4.5 GB): with the default 128 MB of shared buffers, a town's page reads
	# hundreds of heap pages from the OS cache, one system call each.
	export DUTYCHAIN_PG_OPTS="${DUTYCHAIN_PG_OPTS:--c shared_buffers=2GB -c effective_cache_size=8GB}"
	exec scripts/with-postgres.sh "$0" "$scale" "$@"
fi

mkdir -p bench-out
go build -o bench-out/dutychain .
bin=$PWD/bench-out/dutychain
base=${DUTYCHAIN_TEST_POSTGRES_URL%/*}
query=${DUTYCHAIN_TEST_POSTGRES_URL##*\?}

run() { # run SCALE [extra bench flags]
	local s=$1
	shift
	local url="$base/bench_$s?$query"
	psql -q -c "DROP DATABASE IF EXISTS bench_$s" -c "CREATE DATABASE bench_$s" postgres
	echo "== $s: loading synthetic data" >&2
	/usr/bin/env time -f "seed: %e s, peak RSS %M kB" "$bin" seed synthetic --scale "$s" --database-url "$url" --no-progress
	# The load ANALYZEs; VACUUM also sets the visibility map, without which
	# counts cannot be index-only (autovacuum would get there, later).
	psql -q -c "VACUUM ANALYZE" "$url"
	echo "== $s: benchmark" >&2
	"$bin" bench --database-url "$url" --save "bench-out/$s.json" "$@" | tee "bench-out/$s.txt"
}

case $scale in
county) run county "$@" ;;
province) run province "$@" ;;
both)
	run county "$@"
	run province --baseline bench-out/county.json "$@"
	;;
esac
