#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build the libFuzzer harnesses (test/fuzz/fuzz_<name>.c) with clang, ASan and UBSan into
# build-fuzz/, and run each for a bounded time over its committed seed corpus
# (test/fuzz/corpus/<name>/). `make fuzz` runs this; test/run.sh runs it with --brief.
#
#   sh test/fuzz/run.sh [--brief] [--list] [--build] [name...]    (default: every harness)
#   (--build: build the harnesses, run none)
#
#   FUZZ_SECONDS   seconds per target (default 60; --brief: 6)
#
# The core (src/*.c) and the driver helpers (drivers/*_*.c) are compiled by the Makefile's
# own rules with CC=clang into build-fuzz/ (incremental, -MMD), instrumented with
# -fsanitize=fuzzer-no-link,address,undefined; each harness links only what it needs from
# that clang-built archive. New inputs go to build-fuzz/corpus/<name>/ (not committed);
# a crash leaves build-fuzz/artifacts/<name>-crash-* and fails the target. Reproduce one
# with: build-fuzz/fuzz/fuzz_<name> build-fuzz/artifacts/<name>-crash-...
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
O=build-fuzz
CLANG=${CLANG:-clang}
brief=0
list=0
build_only=0
names=""
for a in "$@"; do
	case $a in
	--brief) brief=1 ;;
	--list) list=1 ;;
	--build) build_only=1 ;;
	-*) echo "usage: sh test/fuzz/run.sh [--brief] [--list] [--build] [name...]" >&2; exit 2 ;;
	*) names="$names $a" ;;
	esac
done
if [ -z "$names" ]; then
	for f in test/fuzz/fuzz_*.c; do
		n=$(basename "$f" .c)
		names="$names ${n#fuzz_}"
	done
fi
if [ "$list" = 1 ]; then
	for n in $names; do echo "$n"; done
	exit 0
fi
if [ "$brief" = 1 ]; then
	secs=${FUZZ_SECONDS:-6}
else
	secs=${FUZZ_SECONDS:-60}
fi
command -v "$CLANG" >/dev/null 2>&1 || { echo "FAIL: $CLANG not found (apt-get install clang)"; exit 1; }

SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all"
OBJ_CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link"
helpers=""
for f in drivers/*_*.c; do
	[ -f "$f" ] && helpers="$helpers $O/pic/${f%.c}.o"
done
# greendc-receiver's pure request checks (receiver/check.h) and what they use: linked into
# fuzz_receiver only (they are not in the core archive).
rx_objs="$O/receiver/check.o $O/receiver/schema.o $O/receiver/embedded.o $O/receiver/reqlog.o"
# The Makefile builds the clang objects (SAN=1 adds ASan+UBSan; CFLAGS given here wins).
# shellcheck disable=SC2086
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s -j2 O=$O CC="$CLANG" SAN=1 \
	CFLAGS="$OBJ_CFLAGS" \
	$O/libgreendc.a $helpers $rx_objs >"$O.log" 2>&1 || {
	echo "FAIL: building the clang objects — log: $top/$O.log"
	tail -n 20 "$O.log"
	exit 1
}
rm -f "$O.log"
PKG_CFLAGS=$(pkg-config --cflags sqlite3 yaml-0.1 libmodbus libcjson libmicrohttpd 2>/dev/null)
LIBS="$(pkg-config --libs sqlite3 libzstd yaml-0.1 libcjson libmodbus libmicrohttpd libcurl libcrypto libprotobuf-c snappy) $(net-snmp-config --netsnmp-libs 2>/dev/null) -ldl -lm -pthread"
mkdir -p $O/fuzz $O/artifacts

failed=0
for n in $names; do
	src=test/fuzz/fuzz_$n.c
	bin=$O/fuzz/fuzz_$n
	log=$O/fuzz/$n.log
	extra=""
	[ "$n" = receiver ] && extra=$rx_objs
	if [ ! -f "$src" ]; then
		echo "FAIL fuzz/$n: no $src"
		failed=$((failed + 1))
		continue
	fi
	# Linked again only when something it is made of is newer (make check builds them all
	# first, then runs each).
	fresh=1
	for dep in "$src" test/fuzz/*.h $extra $helpers $O/libgreendc.a; do
		[ -e "$dep" ] || continue
		[ "$bin" -nt "$dep" ] || fresh=0
	done
	[ $fresh = 1 ] && : >"$log"
	# shellcheck disable=SC2086
	if [ $fresh = 0 ] && ! $CLANG -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror -Wshadow \
		-Wmissing-prototypes \
		-fsanitize=fuzzer $SAN_FLAGS -I. -Iinclude -Isrc -Idrivers $PKG_CFLAGS \
		-o "$bin" "$src" $extra $helpers $O/libgreendc.a $LIBS >"$log" 2>&1; then
		echo "FAIL fuzz/$n: does not build — log: $top/$log"
		tail -n 20 "$log"
		failed=$((failed + 1))
		continue
	fi
	[ "$build_only" = 1 ] && continue
	mkdir -p "$O/corpus/$n" "test/fuzz/corpus/$n"
	dict=""
	[ -f "test/fuzz/$n.dict" ] && dict="-dict=test/fuzz/$n.dict"
	start=$(date +%s)
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1536 -max_len=8192 \
		-print_final_stats=1 \
		-artifact_prefix="$O/artifacts/$n-" $dict "$O/corpus/$n" "test/fuzz/corpus/$n" \
		>>"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	if [ "$rc" = 0 ]; then
		echo "PASS fuzz/$n: ${runs:-?} runs in $(($(date +%s) - start)) s, ${cov:-cov: ?}"
	else
		echo "FAIL fuzz/$n (exit $rc) — log: $top/$log"
		grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -n 8
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
