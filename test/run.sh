#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The test runner behind `make check`: unit tests (cmocka binaries in $O/test/), then the
# integration tests (test/integration/test_*.sh, which start real peers on 127.0.0.1), then
# the tests whose figures turn on day and month boundaries again with the host in another
# time zone than the site's (tz/), then the unit suite and most integration tests again
# under ASan+UBSan, the unit suite under valgrind, and each fuzzer briefly (test/fuzz/).
# Prints one line per test and the only closing "N passed, N failed, N skipped" line; exits
# non-zero if anything failed. test/README.md says what each stage is for and the rules below.
#
#   sh test/run.sh [unit|integration|tz|sanitize|sanitize-all|fuzz|all] [NAME...]   (default all)
#   O=build-san sh test/run.sh unit                    (test another build folder)
#   sh test/run.sh integration test_reload test_report (only these)
#
# Every test has a time limit (TEST_TIMEOUT, default 300 s; a script may ask for more with a
# line "# timeout: N" near its top; sanitizers and valgrind multiply it): past it the test is
# killed and FAILS, with its last log lines. A test that exits 77 is SKIPPED only for one of
# the named conditions below (documented in test/README.md), and never under CI (CI=true or
# GDC_CI=1): any other skip fails. Logs: test-output/<stage>_<test>.log, and the folder
# test-output/<stage>_<test>/ keeps a failed integration test's logs and configs.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
O=${O:-build}
what=${1:-all}
[ $# -gt 0 ] && shift
only="$*"
out="$top/test-output"
mkdir -p "$out"
# Every outcome is a line "PASS|FAIL|SKIP name secs" in $results (appended with one write, so
# that parallel workers can share it); the closing counts are taken from it.
results="$out/.results"
: >"$results"
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
ci=0
{ [ "${CI:-}" = true ] || [ "${GDC_CI:-0}" = 1 ]; } && ci=1

# The conditions a test may skip for (test/README.md, "Skips", says why each is legitimate).
SKIP_CONDITIONS="not-root user-greendc-exists no-weather-file"

fail_runner() { # name, reason
	echo "FAIL $1 0" >>"$results"
	echo "FAIL $1 — $2"
}
for c in $SKIP_CONDITIONS; do
	grep -q "^| \`$c\` |" test/README.md || fail_runner "runner" "skip condition $c is not documented in test/README.md"
done

# The time limit of a test script: "# timeout: N" in its first 30 lines, or the default.
limit_of() { # script
	l=$(head -n 30 "$1" 2>/dev/null | sed -n 's/^# timeout: *\([0-9][0-9]*\).*/\1/p' | head -n 1)
	echo "${l:-$TEST_TIMEOUT}"
}

selected() { # test name: in the NAME... list, or no list
	[ -z "$only" ] && return 0
	for o in $only; do [ "$o" = "$1" ] && return 0; done
	return 1
}

# run_one NAME LIMIT COMMAND...: run with a time limit (the whole process group is signalled:
# the test's exit handler stops its daemons; 20 s later everything left is killed).
run_one() {
	name=$1
	limit=$2
	shift 2
	slug=$(echo "$name" | tr '/ ' '__')
	log="$out/$slug.log"
	rm -rf "${out:?}/$slug"
	start=$(date +%s)
	rc=0
	GDC_TEST_OUT="$out/$slug" timeout -k 20 "$limit" "$@" >"$log" 2>&1 || rc=$?
	secs=$(($(date +%s) - start))
	# A test killed before its exit handler ran leaves its folder: keep its logs, remove it.
	if [ -f "$out/$slug/.tmpdir" ]; then
		d=$(cat "$out/$slug/.tmpdir")
		case $d in /tmp/greendc-it.*)
			[ -d "$d" ] && (cd "$d" && find . -maxdepth 2 -type f -size -4M -name '*.log' \
				-exec cp --parents {} "$out/$slug/" \;) 2>/dev/null
			rm -rf "$d"
			;;
		esac
		rm -f "$out/$slug/.tmpdir"
	fi
	if [ $rc = 0 ]; then
		echo "PASS $name $secs" >>"$results"
		echo "PASS $name (${secs}s)"
		return
	fi
	if [ $rc = 77 ]; then
		cond=$(sed -n 's/^SKIPPED: \([a-z0-9-]*\): .*/\1/p' "$log" | head -n 1)
		case " $SKIP_CONDITIONS " in
		*" $cond "*)
			if [ $ci = 0 ]; then
				echo "SKIP $name $secs" >>"$results"
				echo "SKIP $name (${secs}s) — $(grep -m1 '^SKIPPED: ' "$log" | cut -c10-)"
				return
			fi
			why="skipped under CI, where no skip is allowed"
			;;
		*) why="skipped for a reason that is not a named condition (test/README.md, \"Skips\")" ;;
		esac
	elif [ $rc = 124 ] || [ $rc = 137 ]; then
		why="timed out after ${limit} s"
	else
		why="exit status $rc"
	fi
	echo "FAIL $name $secs" >>"$results"
	# One write, so that a parallel worker's line never lands inside this block.
	msg=$(
		echo "FAIL $name (${secs}s) — $why — log: $log"
		tail -n 25 "$log" | sed 's/^/    /'
		[ -d "$out/$slug" ] && echo "    (logs of its daemons and peers: $out/$slug/)"
	)
	printf '%s\n' "$msg"
}

unit() { # build folder, label, time-limit factor, wrapper...
	b=$1
	label=$2
	factor=$3
	shift 3
	for t in "$b"/test/test_*; do
		[ -x "$t" ] || continue
		selected "$(basename "$t")" || continue
		GDC_TOP="$top" GDC_BUILD="$top/$b" run_one "$label$(basename "$t")" \
			$((120 * factor)) "$@" "$t"
	done
}

integration_one() { # label, build folder, time-limit factor, test
	GDC_TOP="$top" GDC_BUILD="$top/$2" GDC_SLOW=$3 \
		run_one "$1$(basename "$4" .sh)" $(($(limit_of "$4") * $3)) sh "$4"
}

# Integration tests run GDC_JOBS at a time (default: 2, or 1 on one core): each has its own
# folder, free ports and peers, and most of their time is spent waiting for polls. A test
# that measures time or load (a p99, a poll's delay, a backoff), installs into the system or
# creates users says "# serial" in its first 30 lines and runs alone, after the others.
# Longest first, from the durations of the previous run when test-output/ has them.
JOBS=${GDC_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$JOBS" -gt 2 ] 2>/dev/null && [ -z "${GDC_JOBS:-}" ] && JOBS=2
# The optimised build's tests leave a third of two cores idle at two at a time (make check on
# two cores: 15 CPU-min user + 8 sys in 26 min): they run three at a time there. The sanitized
# ones, several times heavier on the CPU, stay at JOBS.
PLAIN_JOBS=$JOBS
[ -z "${GDC_JOBS:-}" ] && [ "$JOBS" -ge 2 ] && PLAIN_JOBS=$((JOBS + 1))
durations="$out/.durations"
# A fresh clone starts from the committed durations of a full run on a two-core machine.
[ -f "$durations" ] || cp "$top/test/durations.txt" "$durations" 2>/dev/null || : >"$durations"

# Wait for this stage's workers only (not for the background builds of `all`).
worker_pids=""
wait_workers() {
	for p in $worker_pids; do wait "$p"; done
	worker_pids=""
}

integration() { # label, build folder, time-limit factor, tests...
	label=$1
	b=$2
	factor=$3
	shift 3
	ijobs=$JOBS
	[ "$label" = integration/ ] && ijobs=$PLAIN_JOBS
	par=""
	ser=""
	for t in "$@"; do
		[ -f "$t" ] || continue
		selected "$(basename "$t" .sh)" || continue
		if [ "$ijobs" -gt 1 ] && head -n 30 "$t" | grep -q '^# serial'; then
			ser="$ser $t"
		else
			par="$par $t"
		fi
	done
	if [ "$ijobs" -gt 1 ] && [ -n "$par" ]; then
		# Known durations first, longest first; new tests after them, in name order.
		par=$(for t in $par; do
			d=$(awk -v n="$label$(basename "$t" .sh)" '$1 == n { d = $2 } END { print d + 0 }' "$durations")
			echo "$d $t"
		done | sort -s -k1,1nr | cut -d' ' -f2)
		q=$(mktemp -d "$out/.queue.XXXXXX")
		w=0
		while [ $w -lt "$ijobs" ]; do
			(
				for t in $par; do
					# The first worker to make the test's folder runs it.
					mkdir "$q/$(basename "$t" .sh)" 2>/dev/null || continue
					integration_one "$label" "$b" "$factor" "$t"
				done
			) &
			worker_pids="$worker_pids $!"
			w=$((w + 1))
		done
		wait_workers
		rm -rf "$q"
		ser=$(echo $ser)
	else
		ser="$par $ser"
	fi
	# The serial tests measure time: nothing else of ours runs beside them (the background
	# builds of `all` finish first).
	wait
	for t in $ser; do
		integration_one "$label" "$b" "$factor" "$t"
	done
}

# The tests whose figures depend on where site days and months begin, run again with the host
# in America/Los_Angeles (UTC-8/-7) while the site is Asia/Shanghai (UTC+8): each asserts that
# days, months and summary periods start at site midnight (the truth's hour_local).
TZ_TESTS="test_truth_history test_truth_inprogress test_summary_site_time test_regulator"

# Left out of the sanitizer pass, with the reason (test/README.md, "Sanitizers"):
#   soak, receiver_fleet  load figures for the optimised build; their C paths run in
#                         shorter tests here (crash_ingest, receiver_attack)
#   truth_live            5 minutes at real speed on purpose (the rated powers bound counter
#                         increases by wall time); its C path (polling, counters, wraps) is
#                         the same as truth_inprogress's and counter_wrap_live's, which run
#   install, deb, walk2profile, grafana, dashboard_browser, receiver_browser,
#   architecture_doc, man_commands, man_config, completion
#                         no C code of ours beyond what other tests run: packaging, Python,
#                         Grafana's PromQL, the dashboard's JavaScript, documentation
#   push_outage, chat_robots
#                         mostly wait out backoff and rate limits; alerts_push, push_retry_after
#                         and push_tls_sig run the same pusher paths
#   remote_write          30 s of receiver outage; its encoder and pusher run in the unit
#                         tests (test_remote_write) and here in regulator's pusher paths
#   energy_demo, truth_history, freecool_live
#                         the energy and free-cooling engines over minutes of real-time data;
#                         the same engines run under ASan in the unit tests (test_energy,
#                         test_energy_views, test_freecool_stored) and here in
#                         truth_inprogress, truth_freecool and counter_wrap_live
#   snmp_devices, modbus_devices, dcsim_snmp
#                         every recording through the same drivers; snmp_counter, snmp_v3,
#                         snmp_wrong_types, modbus_pipeline and hostile_modbus run those paths
#   import_export, report_pdf
#                         a million-row import and a PDF over a year; their parsers and renderers
#                         run here on smaller inputs (crash_ingest, report, regulator) and in
#                         the unit tests (test_import, test_report)
# (each takes 35-70 s under ASan; `sh test/run.sh sanitize-all` runs every test under ASan)
SAN_SKIP="test_soak test_receiver_fleet test_truth_live test_install test_deb test_walk2profile
test_grafana test_dashboard_browser test_receiver_browser test_architecture_doc test_man_commands
test_man_config test_completion test_push_outage test_chat_robots test_remote_write"
[ "$what" = sanitize-all ] || SAN_SKIP="$SAN_SKIP test_energy_demo test_truth_history
test_freecool_live test_snmp_devices test_modbus_devices test_dcsim_snmp test_import_export
test_report_pdf"

san_tests() {
	for t in test/integration/test_*.sh; do
		case " $(echo $SAN_SKIP) " in *" $(basename "$t" .sh) "*) continue ;; esac
		echo "$t"
	done
}

fuzz_stage() {
	# Each libFuzzer harness briefly (test/fuzz/run.sh --brief: clang, ASan+UBSan, ~6 s).
	if [ -f "$out/.build-fuzz.rc" ] && [ "$(cat "$out/.build-fuzz.rc")" != 0 ]; then
		fail_runner fuzz/build "log: $out/build-fuzz.log"
		tail -n 25 "$out/build-fuzz.log"
		return
	fi
	for t in $(sh test/fuzz/run.sh --list); do
		selected "$t" || continue
		run_one "fuzz/$t" 600 sh test/fuzz/run.sh --brief "$t"
	done
}

case $what in
unit | all)
	unit "$O" "unit/" 1 env
	;;
esac
# The builds the later stages need (the ASan+UBSan build, the clang fuzz harnesses) run, in
# `all`, at the lowest priority beside the first integration tests, which mostly wait on their
# polls: two to three minutes saved. integration() waits for them before its serial tests.
san_build() { # command prefix...
	if "$@" make --no-print-directory -s -j"$JOBS" O=build-san SAN=1 all unit-bins \
		>"$out/build-san.log" 2>&1; then echo 0; else echo 1; fi >"$out/.build-san.rc"
}
rm -f "$out/.build-san.rc" "$out/.build-fuzz.rc"
if [ "$what" = all ]; then
	(
		san_build nice -n 19
		if nice -n 19 sh test/fuzz/run.sh --build >"$out/build-fuzz.log" 2>&1; then echo 0; else echo 1; fi \
			>"$out/.build-fuzz.rc"
	) &
fi

case $what in
integration | all)
	# test_soak is a load figure for `make soak` (500 devices for 10 minutes); it runs here only
	# when named (sh test/run.sh integration test_soak).
	# shellcheck disable=SC2046
	integration "integration/" "$O" 1 $(for t in test/integration/test_*.sh; do
		[ "$t" = test/integration/test_soak.sh ] && [ -z "$only" ] && continue
		echo "$t"
	done)
	;;
esac
case $what in
tz | all)
	tz_list=""
	for n in $TZ_TESTS; do
		[ -f "test/integration/$n.sh" ] || fail_runner "tz/$n" "test/integration/$n.sh missing"
		tz_list="$tz_list test/integration/$n.sh"
	done
	# shellcheck disable=SC2086
	TZ=America/Los_Angeles integration "tz/" "$O" 1 $tz_list
	;;
esac
case $what in
sanitize | sanitize-all | all)
	# The unit suite again with ASan+UBSan (any finding aborts the test), the integration tests
	# with the sanitized daemon, CLI, drivers and dcsim, and the unit suite under valgrind.
	wait # the background builds of `all`
	[ -f "$out/.build-san.rc" ] || san_build env
	if [ "$(cat "$out/.build-san.rc")" = 0 ]; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
		unit build-san "asan/" 3 env
		# The receiver fleet, where it runs, with 300 sites (the 2,000-site figures are for the
		# optimised build).
		RX_FLEET_SITES=300 RX_FLEET_KILL_AFTER=1000 integration "asan-integration/" build-san 3 $(san_tests)
		unset ASAN_OPTIONS UBSAN_OPTIONS
	else
		fail_runner build-san "log: $out/build-san.log"
		tail -n 25 "$out/build-san.log"
	fi
	# In `all`, the fuzzers (one core) run beside valgrind (one core): neither measures time.
	if [ "$what" = all ]; then fuzz_stage & fi
	if command -v valgrind >/dev/null 2>&1; then
		unit "$O" "valgrind/" 10 valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --track-fds=no
	else
		fail_runner valgrind "not installed (tools/setup.sh installs it)"
	fi
	wait
	;;
esac
[ "$what" = fuzz ] && fuzz_stage

# The durations of this run order the next one (longest first).
{ awk '$1 != "FAIL" || $3 > 0 { print $2, $3 }' "$results" && cat "$durations"; } |
	awk '!seen[$1]++' >"$durations.new" && mv "$durations.new" "$durations"
passed=$(grep -c '^PASS ' "$results")
failed=$(grep -c '^FAIL ' "$results")
skipped=$(grep -c '^SKIP ' "$results")
failures=$(sed -n 's/^FAIL \([^ ]*\) .*/ \1/p' "$results" | tr -d '\n')
skips=$(sed -n 's/^SKIP \([^ ]*\) .*/ \1/p' "$results" | tr -d '\n')
echo
[ -n "$failures" ] && echo "failed:$failures"
[ -n "$skips" ] && echo "skipped:$skips"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
