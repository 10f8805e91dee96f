#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make bench`: run every benchmark and print its figures. Benchmarks are not tests; they
# print numbers (and ratios against a baseline measured in the same run) for the notes.
# The scripts are bench/bench_*.sh (docs/performance.md lists them); bench_scale.sh, 10,000
# devices for five minutes, alone takes about six (SCALE_DEVICES=500 SCALE_SECONDS=60 make
# bench shrinks it).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
O=${O:-build}
for b in "$O"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" ${BENCH_ARGS:-}
	echo
done
for s in bench/bench_*.sh; do
	[ -f "$s" ] || continue
	echo "== $(basename "$s" .sh)"
	GDC_BUILD="$top/$O" sh "$s"
	echo
done
