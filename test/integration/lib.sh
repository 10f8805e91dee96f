# Shared helpers for the integration tests (sourced). Every test gets its own temporary
# folder, starts its peers on 127.0.0.1 with free ports, and stops everything it started by
# PID when it exits, however it exits.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${GDC_BUILD:-$top/build}
T=$(mktemp -d /tmp/greendc-it.XXXXXX)
PIDS=""
# Debian's python3 has the system packages (pymodbus); a pyenv python on PATH does not.
PY=/usr/bin/python3

cleanup() {
	# PostgreSQL (start_postgres) first, with a fast shutdown (SIGINT), waited for.
	if [ -n "${PG_PID:-}" ]; then
		kill -INT "$PG_PID" 2>/dev/null || true
		_n=0
		while kill -0 "$PG_PID" 2>/dev/null && [ $_n -lt 50 ]; do
			_n=$((_n + 1))
			sleep 0.1
		done
		kill -9 "$PG_PID" 2>/dev/null || true
	fi
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	sleep 0.2
	for p in $PIDS; do kill -9 "$p" 2>/dev/null || true; done
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
ok() { echo "ok - $*"; }

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Arguments for a greendcd the test starts itself (not through bg): --allow-root when the
# suite runs as root, so that a refusal the test expects is for its own reason, not root's.
GDCD_ARGS=""
[ "$(id -u)" = 0 ] && GDCD_ARGS="--allow-root"

# bg NAME CMD...: start CMD in the background, output to $T/NAME.log, remember its PID.
# Started as root (CI runs the suite as root), greendcd refuses to stay root without
# daemon.user or --allow-root (greendcd(8)); the tests run it as root in their own private
# folders on purpose, so they say so (test_privdrop.sh covers the refusal and the drop).
bg() {
	name=$1
	shift
	if [ "$(id -u)" = 0 ] && [ "${1##*/}" = greendcd ]; then
		_prog=$1
		shift
		set -- "$_prog" --allow-root "$@"
	fi
	"$@" >"$T/$name.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$name=$!"
}

wait_port() { # port [seconds]
	n=0
	while ! $PY -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null; do
		n=$((n + 1))
		[ $n -gt $((${2:-10} * 10)) ] && fail "nothing listening on port $1"
		sleep 0.1
	done
}

sql() { # db query
	sqlite3 -readonly -batch -noheader "$1" "$2"
}

# start_snmpsim PORT COMMUNITY: serve the .snmprec files in $T/data with Debian's snmpsim
# (snmpsimd; community = file name) on udp 127.0.0.1:PORT, and wait (bounded) until it answers
# for COMMUNITY. snmpsimd refuses to run as root, so as root it runs as nobody.
start_snmpsim() {
	command -v snmpsimd >/dev/null || fail "snmpsimd missing (Debian package snmpsim; tools/setup.sh installs it)"
	mkdir -p "$T/cache"
	chmod 755 "$T" "$T/data"
	chmod 644 "$T"/data/*
	_asuser=""
	if [ "$(id -u)" = 0 ]; then
		chown nobody "$T/cache"
		_asuser="--process-user=nobody --process-group=nogroup"
	fi
	# shellcheck disable=SC2086
	bg snmpsim snmpsimd --data-dir="$T/data" --cache-dir="$T/cache" \
		--agent-udpv4-endpoint=127.0.0.1:$1 $_asuser
	_n=0
	until snmpget -v2c -c "$2" -t 0.3 -r 0 "127.0.0.1:$1" 1.3.6.1.2.1.1.2.0 >/dev/null 2>&1; do
		_n=$((_n + 1))
		[ $_n -gt 60 ] && { cat "$T/snmpsim.log"; fail "snmpsimd did not answer"; }
		sleep 0.25
	done
}

# A free UDP port on 127.0.0.1.
free_udp_port() {
	$PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_postgres: a throwaway PostgreSQL cluster (Debian's postgresql) in $T/pg, listening on a
# Unix socket in $T/pgsock only; sets PGSPEC, a libpq connection string for it. initdb refuses
# to run as root, so as root the cluster runs as nobody (setpriv execs, so PG_PID is the
# postmaster's). Stopped with a fast shutdown when the test exits.
start_postgres() {
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -x "$PGBIN/initdb" ] || fail "PostgreSQL missing (Debian package postgresql; tools/setup.sh)"
	mkdir -p "$T/pg" "$T/pgsock"
	_asuser=""
	if [ "$(id -u)" = 0 ]; then
		chmod 711 "$T"
		chown nobody:nogroup "$T/pg" "$T/pgsock"
		_asuser="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	fi
	$_asuser "$PGBIN/initdb" -D "$T/pg" -A trust -U greendc -E UTF8 --no-sync \
		>"$T/initdb.log" 2>&1 || { cat "$T/initdb.log"; fail "initdb"; }
	$_asuser "$PGBIN/postgres" -D "$T/pg" -k "$T/pgsock" -c listen_addresses= \
		-c max_connections=${PG_MAX_CONNECTIONS:-60} -c shared_buffers=64MB \
		>"$T/postgres.log" 2>&1 &
	PG_PID=$!
	PGSPEC="host=$T/pgsock user=greendc dbname=postgres"
	_n=0
	until "$PGBIN/pg_isready" -q -h "$T/pgsock" -U greendc; do
		_n=$((_n + 1))
		[ $_n -gt 100 ] && { cat "$T/postgres.log"; fail "postgres did not start"; }
		sleep 0.1
	done
}

# psql_q QUERY: one value from the test's PostgreSQL.
psql_q() {
	"$PGBIN/psql" -X -q -t -A -h "$T/pgsock" -U greendc -d postgres -c "$1"
}
