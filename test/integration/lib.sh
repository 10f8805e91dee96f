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

# bg NAME CMD...: start CMD in the background, output to $T/NAME.log, remember its PID.
bg() {
	name=$1
	shift
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
