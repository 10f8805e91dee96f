#!/bin/sh
# The test runner behind `make check`: unit tests (cmocka binaries in $O/test/), then the
# integration tests (test/integration/test_*.sh, which start real peers on 127.0.0.1), then the
# unit suite again under ASan+UBSan and under valgrind, then each fuzzer briefly (test/fuzz/).
# Prints one line per test and a closing "N passed, N failed" line; exits non-zero if anything
# failed.
#
#   sh test/run.sh [unit|integration|sanitize|fuzz|all]     (default all)
#   O=build-san sh test/run.sh unit                    (test another build folder)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
O=${O:-build}
what=${1:-all}
out="$top/test-output"
mkdir -p "$out"
passed=0
failed=0
failures=""

run_one() { # name, command...
	name=$1
	shift
	log="$out/$(echo "$name" | tr '/ ' '__').log"
	start=$(date +%s)
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "PASS $name ($(($(date +%s) - start))s)"
		# A test that ran on a fallback (e.g. no weather file) says so loudly here too.
		grep -E '^(WARNING|SKIPPED):' "$log" | sort -u | sed 's/^/    /' || true
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "FAIL $name ($(($(date +%s) - start))s) — log: $log"
		tail -n 25 "$log" | sed 's/^/    /'
	fi
}

unit() { # build folder, label, wrapper...
	b=$1
	label=$2
	shift 2
	for t in "$b"/test/test_*; do
		[ -x "$t" ] || continue
		GDC_TOP="$top" GDC_BUILD="$top/$b" run_one "$label$(basename "$t")" "$@" "$t"
	done
}

case $what in
unit | all)
	unit "$O" "unit/" env
	;;
esac
case $what in
integration | all)
	for t in test/integration/test_*.sh; do
		[ -f "$t" ] || continue
		GDC_TOP="$top" GDC_BUILD="$top/$O" run_one "integration/$(basename "$t" .sh)" sh "$t"
	done
	;;
esac
case $what in
sanitize | all)
	# The unit suite again with ASan+UBSan (any finding aborts the test) and under valgrind.
	if make --no-print-directory -s O=build-san SAN=1 all unit-bins >"$out/build-san.log" 2>&1; then
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
			unit build-san "asan/" env
		# The integration tests again with the sanitized daemon, CLI, drivers and dcsim.
		# Left out here, to keep make check near 15 minutes: the soak (its figures are for
		# the optimised build), tests of no C code of ours (install, deb, walk2profile, Grafana's
		# PromQL, the dashboard's JavaScript), and two that mostly wait out backoff and rate
		# limits (push_outage, chat_robots) whose C paths alerts_push and http_api run here.
		for t in test/integration/test_*.sh; do
			case $t in
			*test_soak.sh | *test_install.sh | *test_deb.sh | *test_walk2profile.sh | *test_grafana.sh | \
				*test_dashboard_browser.sh | *test_push_outage.sh | *test_chat_robots.sh)
				continue
				;;
			esac
			# The receiver fleet with 300 sites here: the sanitized receivers are slower,
			# and its 2,000-site figures are for the optimised build.
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
				RX_FLEET_SITES=300 RX_FLEET_KILL_AFTER=1000 \
				GDC_TOP="$top" GDC_BUILD="$top/build-san" \
				run_one "asan-integration/$(basename "$t" .sh)" sh "$t"
		done
	else
		failed=$((failed + 1))
		failures="$failures build-san"
		echo "FAIL build-san — log: $out/build-san.log"
		tail -n 25 "$out/build-san.log"
	fi
	if command -v valgrind >/dev/null 2>&1; then
		unit "$O" "valgrind/" valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --track-fds=no
	else
		failed=$((failed + 1))
		echo "FAIL valgrind — not installed (tools/setup.sh installs it)"
	fi
	;;
esac

case $what in
fuzz | all)
	# Each libFuzzer harness briefly (test/fuzz/run.sh --brief: clang, ASan+UBSan, ~6 s).
	for t in $(sh test/fuzz/run.sh --list); do
		run_one "fuzz/$t" sh test/fuzz/run.sh --brief "$t"
	done
	;;
esac

echo
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
