#!/usr/bin/env bash
# with-postgres.sh [--replica] CMD [ARGS...] — run CMD against a throwaway
# PostgreSQL cluster (with --replica: a primary and a streaming replica).
#
# The cluster is created from the local PostgreSQL server binaries with initdb
# in a fresh temporary directory (as the `postgres` user when run as root),
# listens on 127.0.0.1 on a free port (unix socket inside the temporary
# directory), runs with fsync and synchronous_commit off, and is stopped and
# removed when CMD ends — also when CMD fails or on Ctrl-C.
#
# CMD sees:
#   DUTYCHAIN_TEST_POSTGRES_URL  postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
#                                (superuser, trust authentication)
#   PGHOST PGPORT PGUSER         for psql and friends
#   PGDATA PG_BINDIR             the cluster's data directory and the server
#                                binaries, for `pg_ctl restart` (fault tests;
#                                as root, run pg_ctl as the postgres user)
#
# With --replica (or DUTYCHAIN_PG_REPLICA=1) a second cluster is cloned from
# the first with pg_basebackup -R (streaming replication, hot_standby) and
# CMD also sees:
#   DUTYCHAIN_TEST_POSTGRES_READ_URL  the same URL for the replica
#   DATABASE_URL DATABASE_READ_URL    the primary's and the replica's
#                                     `postgres` database, as `dutychain serve`
#                                     reads them (docs/DEPLOY.md)
#   REPLICA_PGDATA REPLICA_PGPORT     the replica's data directory and port
#
# The exit status is CMD's. Missing binaries are an error (status 3) with
# what to install; nothing is ever skipped silently.
#
# Environment:
#   PG_BINDIR            directory with initdb/pg_ctl/postgres (default: newest
#                        /usr/lib/postgresql/*/bin, else `pg_config --bindir`)
#   DUTYCHAIN_PG_KEEP=1  keep the cluster directory after exit (debugging)
#   DUTYCHAIN_PG_OPTS    extra server settings, e.g. "-c shared_buffers=2GB"
#   DUTYCHAIN_PG_REPLICA=1  as --replica
#
# This is the single implementation of the throwaway cluster: scripts/test.sh,
# the migration generator (make migrations) and benchmarks all go through it.
set -euo pipefail

if [[ $# -eq 0 || $1 == -h || $1 == --help ]]; then
	sed -n '2,38p' "$0" | sed 's/^# \{0,1\}//'
	[[ $# -eq 0 ]] && exit 2
	exit 0
fi

REPLICA=0
[[ ${DUTYCHAIN_PG_REPLICA:-} == 1 ]] && REPLICA=1
if [[ $1 == --replica ]]; then
	REPLICA=1
	shift
	[[ $# -gt 0 ]] || { echo "with-postgres: --replica needs a command" >&2; exit 2; }
fi

log() { printf 'with-postgres: %s\n' "$*" >&2; }

find_bindir() {
	local d
	if [[ -n ${PG_BINDIR:-} ]]; then
		printf '%s\n' "$PG_BINDIR"
		return
	fi
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [[ -n $d && -x $d/initdb ]]; then
		printf '%s\n' "$d"
		return
	fi
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null || true)
		if [[ -n $d && -x $d/initdb ]]; then
			printf '%s\n' "$d"
			return
		fi
	fi
	if command -v initdb >/dev/null 2>&1; then
		dirname "$(command -v initdb)"
		return
	fi
}

BINDIR=$(find_bindir)
if [[ -z $BINDIR || ! -x $BINDIR/initdb || ! -x $BINDIR/pg_ctl || ! -x $BINDIR/postgres ]]; then
	cat >&2 <<'EOF'
with-postgres: PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found.
  Looked in: $PG_BINDIR, /usr/lib/postgresql/*/bin, `pg_config --bindir`, $PATH.
  Install them, e.g. on Debian/Ubuntu:
      apt-get install postgresql-15      (or: apt-get install postgresql)
  or point PG_BINDIR at the directory that holds initdb and pg_ctl.
  The PostgreSQL half of the test suite cannot run without them; nothing was skipped.
EOF
	exit 3
fi

if [[ $REPLICA -eq 1 && ( ! -x $BINDIR/pg_basebackup || ! -x $BINDIR/psql ) ]]; then
	log "--replica needs pg_basebackup and psql next to initdb in $BINDIR (the postgresql client package)"
	exit 3
fi

# As root, the cluster must belong to an unprivileged user (postgres refuses
# to run as root). Elsewhere it runs as the current user.
RUN_AS=()
if [[ $(id -u) -eq 0 ]]; then
	if ! id postgres >/dev/null 2>&1; then
		log "running as root, but there is no 'postgres' user to own the cluster (install the postgresql package, or run as a normal user)"
		exit 3
	fi
	if command -v runuser >/dev/null 2>&1; then
		RUN_AS=(runuser -u postgres --)
	else
		RUN_AS=(su postgres -s /bin/sh -c '"$0" "$@"')
	fi
	# $TMPDIR may be private to root; /tmp is reachable by every user.
	TMPBASE=/tmp
else
	TMPBASE=${TMPDIR:-/tmp}
fi

PGTMP=$(mktemp -d "$TMPBASE/dutychain-pg.XXXXXX")
if [[ $(id -u) -eq 0 ]]; then
	chown postgres: "$PGTMP"
fi
chmod 700 "$PGTMP"

started=0
replica_started=0
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if [[ $replica_started -eq 1 ]]; then
		"${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$PGTMP/replica" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	if [[ $started -eq 1 ]]; then
		"${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	if [[ ${DUTYCHAIN_PG_KEEP:-} == 1 ]]; then
		log "kept cluster directory $PGTMP"
	else
		rm -rf "$PGTMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

locale_args=(--encoding=UTF8)
if locale -a 2>/dev/null | grep -qix 'C.utf-\{0,1\}8'; then
	locale_args+=(--locale=C.UTF-8)
fi

if ! "${RUN_AS[@]}" "$BINDIR/initdb" -D "$PGTMP/data" -U postgres --auth=trust "${locale_args[@]}" \
	>"$PGTMP/initdb.log" 2>&1; then
	log "initdb failed:"
	cat "$PGTMP/initdb.log" >&2
	exit 3
fi

port_free() {
	# Nothing accepts a TCP connection on the port.
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Replication needs WAL senders (on by default) and, for a replica that reads
# soon after a commit, a WAL writer that flushes asynchronous commits often.
SERVER_OPTS="-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
if [[ $REPLICA -eq 1 ]]; then
	SERVER_OPTS+=" -c wal_level=replica -c max_wal_senders=4 -c wal_writer_delay=10ms -c hot_standby=on"
fi

# start_cluster DIR LOG: starts the cluster in DIR on a free port, printed.
start_cluster() {
	local dir=$1 logfile=$2 candidate attempt
	for attempt in 1 2 3 4 5 6 7 8 9 10; do
		candidate=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		port_free "$candidate" || continue
		if "${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$dir" -l "$logfile" -w -t 60 start -o \
			"$SERVER_OPTS -c port=$candidate -c unix_socket_directories=$PGTMP ${DUTYCHAIN_PG_OPTS:-}" \
			>/dev/null 2>&1; then
			printf '%s\n' "$candidate"
			return 0
		fi
		# A failed start may have left a postmaster behind only if it was racing;
		# make sure nothing runs before the next attempt.
		"${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 || true
	done
	return 1
}

# Set before starting: a start that fails half-way is stopped on exit too.
started=1
if ! PORT=$(start_cluster "$PGTMP/data" "$PGTMP/server.log"); then
	log "could not start PostgreSQL; server log:"
	cat "$PGTMP/server.log" >&2 2>/dev/null || true
	exit 3
fi

if [[ $REPLICA -eq 1 ]]; then
	# The replica: a base backup of the primary with standby.signal and
	# primary_conninfo written (-R), streaming over TCP (trust authentication
	# covers replication connections from 127.0.0.1 in initdb's pg_hba.conf).
	if ! "${RUN_AS[@]}" "$BINDIR/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U postgres -D "$PGTMP/replica" \
		-R -X stream -c fast >"$PGTMP/basebackup.log" 2>&1; then
		log "pg_basebackup failed:"
		cat "$PGTMP/basebackup.log" >&2
		exit 3
	fi
	replica_started=1
	if ! REPLICA_PORT=$(start_cluster "$PGTMP/replica" "$PGTMP/replica.log"); then
		log "could not start the replica; its log:"
		cat "$PGTMP/replica.log" >&2 2>/dev/null || true
		exit 3
	fi
	# Ready means streaming: the primary lists the replica's WAL receiver.
	for _ in $(seq 1 100); do
		streaming=$("${RUN_AS[@]}" "$BINDIR/psql" -h 127.0.0.1 -p "$PORT" -U postgres -Atqc \
			"SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" postgres 2>/dev/null || true)
		[[ $streaming == 1 ]] && break
		sleep 0.1
	done
	if [[ $streaming != 1 ]]; then
		log "the replica does not stream from the primary; its log:"
		cat "$PGTMP/replica.log" >&2 2>/dev/null || true
		exit 3
	fi
	export DUTYCHAIN_TEST_POSTGRES_READ_URL="postgres://postgres@127.0.0.1:$REPLICA_PORT/postgres?sslmode=disable"
	export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
	export DATABASE_READ_URL=$DUTYCHAIN_TEST_POSTGRES_READ_URL
	export REPLICA_PGDATA=$PGTMP/replica REPLICA_PGPORT=$REPLICA_PORT
	log "streaming replica on 127.0.0.1:$REPLICA_PORT"
fi

export DUTYCHAIN_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
export PGDATA=$PGTMP/data PG_BINDIR=$BINDIR
log "PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (cluster in $PGTMP)"

set +e
"$@"
status=$?
set -e
exit "$status"
