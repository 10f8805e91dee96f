# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the integration tests (sourced). Every test gets its own temporary
# folder, starts its peers on 127.0.0.1 with free ports, and stops everything it started by
# PID when it exits, however it exits (test/README.md, "Daemons").
#
# Daemons and peers are started with `bg` and stopped with `stop` (or `crash`, or `reap` for
# one that ends by itself). Every process bg starts is waited for: greendc's own programs
# (anything run from $B) fail the test when they exit non-zero, take longer than
# STOP_SECONDS to stop, or print a sanitizer report; at exit, whatever is still running is
# stopped and judged the same way. A failed test's logs are copied to $GDC_TEST_OUT (the
# runner sets it: test-output/<test>/).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${GDC_BUILD:-$top/build}
T=$(mktemp -d /tmp/greendc-it.XXXXXX)
PIDS="" # processes a test starts without bg (killed at exit, not judged)
BG_NAMES=""
ON_EXIT=""
# Debian's python3 has the system packages (pymodbus); a pyenv python on PATH does not.
PY=/usr/bin/python3
# GDC_SLOW (set by the runner for sanitized builds) stretches the helpers' own bounded waits.
GDC_SLOW=${GDC_SLOW:-1}
STOP_SECONDS=${STOP_SECONDS:-$((30 * GDC_SLOW))}
# The runner finds the folder here when it has to kill a test that hung (to keep its logs).
if [ -n "${GDC_TEST_OUT:-}" ]; then
	mkdir -p "$GDC_TEST_OUT"
	echo "$T" >"$GDC_TEST_OUT/.tmpdir"
fi
# Sanitizer reports of every sanitized process the test runs -- daemons, and CLI commands a
# test expects to fail -- go to files the exit handler looks for, besides each one's status.
if [ -n "${ASAN_OPTIONS:-}" ]; then ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$T/sanitizer"; fi
if [ -n "${UBSAN_OPTIONS:-}" ]; then UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$T/sanitizer"; fi
export ASAN_OPTIONS UBSAN_OPTIONS 2>/dev/null || true

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
ok() { echo "ok - $*"; }

# skip CONDITION REASON: end the test as skipped (exit 77). CONDITION must be one of the named
# conditions of test/README.md ("Skips"); the runner fails any other, and every skip under CI.
skip() {
	echo "SKIPPED: $1: $2"
	exit 77
}

# on_exit CMD: run CMD when the test ends, after its daemons have stopped (e.g. umount).
on_exit() { ON_EXIT="$ON_EXIT
$1"; }

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Arguments for a greendcd the test starts itself (not through bg): --allow-root when the
# suite runs as root, so that a refusal the test expects is for its own reason, not root's.
GDCD_ARGS=""
[ "$(id -u)" = 0 ] && GDCD_ARGS="--allow-root"

# bg [--append] [--as-is] [--peer|--judge] NAME CMD...: start CMD in the background, output to
# $T/NAME.log (--append: added to it), PID in PID_NAME. Started as root (CI runs the suite as
# root), greendcd refuses to stay root without daemon.user or --allow-root (greendcd(8)); the
# tests run it as root in their own private folders on purpose, so bg says so (--as-is: it
# does not; test_privdrop.sh covers the refusal and the drop). Programs from $B are judged
# (exit status 0, no sanitizer report); others are peers, only stopped (--judge/--peer
# override).
bg() {
	_append=0 _asis=0 _judge=""
	while :; do
		case $1 in
		--append) _append=1 ;;
		--as-is) _asis=1 ;;
		--peer) _judge=0 ;;
		--judge) _judge=1 ;;
		*) break ;;
		esac
		shift
	done
	_name=$1
	shift
	case $_name in *[!A-Za-z0-9_]*) fail "bg: name '$_name' must be a shell word" ;; esac
	if [ -z "$_judge" ]; then
		case $1 in "$B"/*) _judge=1 ;; *) _judge=0 ;; esac
	fi
	if [ $_asis = 0 ] && [ "$(id -u)" = 0 ] && [ "${1##*/}" = greendcd ]; then
		_prog=$1
		shift
		set -- "$_prog" --allow-root "$@"
	fi
	if [ $_append = 1 ]; then
		"$@" >>"$T/$_name.log" 2>&1 &
	else
		"$@" >"$T/$_name.log" 2>&1 &
	fi
	eval "PID_$_name=$! JUDGE_$_name=$_judge DONE_$_name=0"
	case " $BG_NAMES " in *" $_name "*) ;; *) BG_NAMES="$BG_NAMES $_name" ;; esac
}

# alive NAME: the process bg started as NAME is still running (not a zombie).
alive() {
	eval "_p=\${PID_$1:-}"
	[ -n "$_p" ] && kill -0 "$_p" 2>/dev/null || return 1
	_st=$(sed 's/.*) //' "/proc/$_p/stat" 2>/dev/null | cut -d' ' -f1)
	[ "$_st" != Z ] && [ -n "$_st" ]
}

# _sanitizer_report LOG [PID]: print the sanitizer report in LOG or in the sanitizer's own
# file for PID (any process's without PID, see above); 1 if there is none.
_sanitizer_report() {
	grep -E -m 3 '(ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: (Address|Leak|Undefined|Thread)|Sanitizer:DEADLYSIGNAL)' \
		"$1" 2>/dev/null && return 0
	for _f in "$T"/sanitizer.${2:-*}; do
		[ -s "$_f" ] && { echo "$_f:" && head -20 "$_f"; } && return 0
	done
	return 1
}

# _wait_gone NAME SECONDS: wait (bounded) for NAME to end; sets _status (its exit status), or
# returns 1 if it is still running.
_wait_gone() {
	eval "_p=\$PID_$1"
	_n=0
	while alive "$1"; do
		_n=$((_n + 1))
		[ $_n -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
	_status=0
	wait "$_p" 2>/dev/null || _status=$?
	eval "DONE_$1=1"
	return 0
}

# _judge NAME EXPECTED HOW: the verdict on a process that ended: its exit status against
# EXPECTED ("any" for none) and its log against sanitizer reports. Prints why and returns 1.
_judge() {
	if [ "$2" != any ] && [ "$_status" != "$2" ]; then
		echo "FAIL: $1 exited with status $_status ($3; expected $2); its log ends:" >&2
		tail -n 15 "$T/$1.log" | sed 's/^/    /' >&2
		return 1
	fi
	eval "_j=\$JUDGE_$1 _p=\$PID_$1"
	if [ "$_j" = 1 ] && _sanitizer_report "$T/$1.log" "$_p" >"$T/.sanitizer" 2>&1; then
		echo "FAIL: $1: sanitizer report ($3):" >&2
		sed 's/^/    /' "$T/.sanitizer" >&2
		return 1
	fi
	return 0
}

# stop NAME [SIGNAL [EXPECTED]]: send SIGNAL (TERM) to the process bg started as NAME, wait
# for it (at most STOP_SECONDS; then it is killed and the test fails) and judge it: a judged
# program must exit with EXPECTED (0; "any" for none) and print no sanitizer report. A peer's
# exit status is not judged unless EXPECTED is given.
stop() {
	eval "_p=\${PID_$1:-} _d=\${DONE_$1:-1} _j=\${JUDGE_$1:-0}"
	[ -n "$_p" ] || fail "stop $1: nothing started under that name"
	[ "$_d" = 0 ] || fail "stop $1: already stopped"
	_exp=${3:-}
	[ -n "$_exp" ] || { [ "$_j" = 1 ] && _exp=0 || _exp=any; }
	kill -"${2:-TERM}" "$_p" 2>/dev/null || true
	if ! _wait_gone "$1" "$STOP_SECONDS"; then
		kill -9 "$_p" 2>/dev/null || true
		_wait_gone "$1" 5 || true
		tail -n 15 "$T/$1.log" | sed 's/^/    /' >&2
		fail "$1 did not stop within $STOP_SECONDS s of SIG${2:-TERM} (killed)"
	fi
	_judge "$1" "$_exp" "after SIG${2:-TERM}" || exit 1
}

# crash NAME [SIGNAL]: kill NAME on purpose (SIGKILL) and reap it; its status is not judged.
crash() {
	eval "_p=\${PID_$1:-}"
	[ -n "$_p" ] || fail "crash $1: nothing started under that name"
	kill -"${2:-9}" "$_p" 2>/dev/null || true
	_wait_gone "$1" "$STOP_SECONDS" || fail "$1 did not die of SIG${2:-KILL}"
}

# reap NAME [EXPECTED [SECONDS]]: wait for NAME to end by itself (at most SECONDS, default
# STOP_SECONDS) and judge it like stop ("any": its status is left in STATUS for the test).
reap() {
	eval "_j=\${JUDGE_$1:-0}"
	_exp=${2:-}
	[ -n "$_exp" ] || { [ "$_j" = 1 ] && _exp=0 || _exp=any; }
	_wait_gone "$1" "${3:-$STOP_SECONDS}" || fail "$1 still running after ${3:-$STOP_SECONDS} s"
	STATUS=$_status
	_judge "$1" "$_exp" "ended by itself" || exit 1
}

# The exit handler: stop what is still running -- greendc's programs with SIGTERM, judged as
# by stop -- then PostgreSQL, then the on_exit commands; keep the logs of a failed test.
_lib_exit() {
	_rc=$1
	set +e
	for _name in $BG_NAMES; do
		eval "_d=\$DONE_$_name _j=\$JUDGE_$_name _p=\$PID_$_name"
		[ "$_d" = 0 ] || continue
		if [ "$_j" = 1 ]; then
			kill -TERM "$_p" 2>/dev/null
			if _wait_gone "$_name" "$STOP_SECONDS"; then
				_judge "$_name" 0 "still running at the end of the test, stopped with SIGTERM" ||
					{ [ "$_rc" = 0 ] && _rc=1; }
			else
				kill -9 "$_p" 2>/dev/null
				echo "FAIL: $_name did not stop within $STOP_SECONDS s of SIGTERM at the end of the test" >&2
				[ "$_rc" = 0 ] && _rc=1
			fi
		else
			kill -TERM "$_p" 2>/dev/null
		fi
	done
	# Peers get 2 s after SIGTERM, then SIGKILL.
	_n=0
	for _name in $BG_NAMES; do
		eval "_d=\$DONE_$_name _p=\$PID_$_name"
		[ "$_d" = 0 ] || continue
		while alive "$_name" && [ $_n -lt 20 ]; do
			_n=$((_n + 1))
			sleep 0.1
		done
		kill -9 "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	# Processes a test started itself and listed in PIDS.
	for _p in $PIDS; do kill -9 "$_p" 2>/dev/null; done
	# PostgreSQL (start_postgres): a fast shutdown (SIGINT), waited for.
	if [ -n "${PG_PID:-}" ]; then
		kill -INT "$PG_PID" 2>/dev/null
		_n=0
		while kill -0 "$PG_PID" 2>/dev/null && [ $_n -lt 50 ]; do
			_n=$((_n + 1))
			sleep 0.1
		done
		kill -9 "$PG_PID" 2>/dev/null
	fi
	eval "$ON_EXIT"
	# A sanitizer report from any process (a CLI command expected to fail, too) fails the test.
	if [ "$_rc" = 0 ] && _sanitizer_report /dev/null >"$T/.sanitizer" 2>&1; then
		echo "FAIL: a sanitizer report:" >&2
		sed 's/^/    /' "$T/.sanitizer" >&2
		_rc=1
	fi
	if [ "$_rc" != 0 ] && [ "$_rc" != 77 ] && [ -n "${GDC_TEST_OUT:-}" ]; then
		# The logs, outputs and configs (not the databases): find them in test-output/.
		(cd "$T" && find . -maxdepth 2 -type f -size -4M \( -name '*.log' -o -name '*.out' \
			-o -name '*.err' -o -name '*.yaml' -o -name '*.json' -o -name '*.txt' -o -name '*.csv' \
			-o -name 'sanitizer.*' \) -exec cp --parents {} "$GDC_TEST_OUT/" \;) 2>/dev/null
		echo "logs kept in $GDC_TEST_OUT/" >&2
	fi
	[ -n "${GDC_TEST_OUT:-}" ] && rm -f "$GDC_TEST_OUT/.tmpdir"
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
	exit "$_rc"
}
trap '_lib_exit $?' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# Compatibility: what tests called before stop/crash existed.
cleanup() { :; }

wait_port() { # port [seconds]
	n=0
	while ! $PY -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null; do
		n=$((n + 1))
		[ $n -gt $((${2:-10} * 10 * GDC_SLOW)) ] && fail "nothing listening on port $1"
		sleep 0.1
	done
}

sql() { # db query
	sqlite3 -readonly -batch -noheader "$1" "$2"
}

# demo_config OUT [VARIANT...]: etc/demo.yaml as shipped, with only what must differ in a
# test changed -- the store (DB_NAME, default greendc.db) and secret paths into OUT's folder,
# the built drivers, the profiles and web folders, and the ports of the peers the test starts
# (DCSIM_PORT, SNMP_PORT, HTTP_PORT, RECV_PORT; defaults = the shipped ones) -- and then each
# named VARIANT, a sed script test/integration/variants/VARIANT.sed that says why the test
# differs from what users run (@NAME@ in it is the shell variable NAME). The report target's
# key (made by `make demo`) is one of the test's own. The result must pass check-config.
demo_config() {
	_out=$1
	shift
	_dir=$(dirname "$_out")
	sed -e "s|path: ../demo-state/greendc.db|path: ${DB_NAME:-greendc.db}|" \
		-e "s|secret_file: ../demo-state/central.key|secret_file: central.key|" \
		-e "s|web_dir: ../dashboards/web|web_dir: $top/dashboards/web|" \
		-e "s|tcp://127.0.0.1:5020|tcp://127.0.0.1:${DCSIM_PORT:-5020}|" \
		-e "s|udp:127.0.0.1:5161|udp:127.0.0.1:${SNMP_PORT:-5161}|" \
		-e "s|port: 8470|port: ${HTTP_PORT:-8470}|" \
		-e "s|http://127.0.0.1:8480/ingest|http://127.0.0.1:${RECV_PORT:-8480}/ingest|" \
		-e "s|^daemon:|daemon:\n  drivers_dir: $B/drivers\n  profiles_dir: $top/etc/profiles|" \
		"$top/etc/demo.yaml" >"$_out.tmp"
	# Nothing but paths and ports differ from the shipped file so far.
	diff "$top/etc/demo.yaml" "$_out.tmp" | grep '^[<>]' |
		grep -v -e 'path:' -e 'secret_file:' -e 'web_dir:' -e '127.0.0.1' -e 'port:' \
			-e 'drivers_dir:' -e 'profiles_dir:' >"$_out.diff" &&
		{ cat "$_out.diff"; fail "demo_config: the environment changed more than paths and ports"; }
	for _v in "$@"; do
		_f="$top/test/integration/variants/$_v.sed"
		[ -f "$_f" ] || fail "demo_config: no variant $_f"
		_subst=""
		for _ph in $(grep -o '@[A-Z_][A-Z0-9_]*@' "$_f" | sort -u); do
			_var=${_ph#@}
			_var=${_var%@}
			eval "_val=\${$_var-}"
			[ -n "$_val" ] || fail "demo_config: variant $_v needs \$$_var"
			_subst="$_subst s|$_ph|$_val|g;"
		done
		sed -e "$_subst" "$_f" >"$_out.sed"
		sed -f "$_out.sed" "$_out.tmp" >"$_out.tmp2" && mv "$_out.tmp2" "$_out.tmp"
		cmp -s "$_out.tmp" "$_out.prev" 2>/dev/null && fail "demo_config: variant $_v changed nothing"
		cp "$_out.tmp" "$_out.prev"
	done
	mv "$_out.tmp" "$_out"
	rm -f "$_out.diff" "$_out.sed" "$_out.prev"
	[ -s "$_dir/central.key" ] || (umask 077 && echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$_dir/central.key")
	return 0
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
		[ $_n -gt $((60 * GDC_SLOW)) ] && { cat "$T/snmpsim.log"; fail "snmpsimd did not answer"; }
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
		[ $_n -gt $((100 * GDC_SLOW)) ] && { cat "$T/postgres.log"; fail "postgres did not start"; }
		sleep 0.1
	done
}

# psql_q QUERY: one value from the test's PostgreSQL.
psql_q() {
	"$PGBIN/psql" -X -q -t -A -h "$T/pgsock" -U greendc -d postgres -c "$1"
}
