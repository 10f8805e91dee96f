#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The rules every integration test keeps (test/README.md), checked over the scripts themselves
# so that a new test cannot quietly break them:
#  1. only the runner prints the closing "N passed, N failed" line;
#  2. no test edits a shipped config (etc/*.yaml): a test's variant of the demo is made by
#     lib.sh's demo_config from named, commented files in test/integration/variants/; every
#     variant file says why it differs, and none touches rated powers, coverage_min, max_gap,
#     counter widths, retention, grades or the CO2 factor;
#  3. background processes are started with lib.sh's bg and ended with stop, crash or reap
#     (which wait for them and judge their exit): no bare "&", no "wait ... || true";
#  4. a test skips only through skip CONDITION, and only for a condition the runner knows.
. "$(dirname "$0")/lib.sh"
cd "$top"
bad=0
complain() {
	echo "FAIL - $*"
	bad=$((bad + 1))
}
# A script with its continuation lines joined, numbered, comments and heredoc bodies kept
# (rules 1 and 2 hold inside heredocs too: a Python step may not rewrite a config either).
joined() {
	awk '{ if (cont) { line = line " " $0 } else { line = $0; start = NR }
		cont = sub(/\\$/, "", line); if (!cont) print start ": " line }' "$1"
}
for f in test/integration/test_*.sh; do
	n=$(basename "$f")
	[ "$n" = test_suite_rules.sh ] && continue
	joined "$f" >"$T/j"
	grep -q '^[0-9]*: \. "$(dirname "$0")/lib.sh"' "$T/j" || complain "$n: does not source lib.sh"
	# 1
	if grep -Eq 'passed, *[0-9$][a-z_]* *failed' "$T/j"; then
		complain "$n: prints a summary line: $(grep -E 'passed, *[0-9$][a-z_]* *failed' "$T/j" | head -n 1)"
	fi
	# 2: sed, awk, perl or Python over a shipped config, or a copy of one edited in place
	if grep -E 'etc/(demo|greendc)\.yaml' "$T/j" | grep -Eq '(^|[ ;|(])(sed|awk|perl)[ ]|re\.sub|\.replace\('; then
		complain "$n: edits a shipped config: $(grep -E 'etc/(demo|greendc)\.yaml' "$T/j" | grep -E '(sed|awk|perl) |re\.sub' | head -n 1)"
	fi
	# 3: our programs and peers in the background only through bg; every wait judged
	grep -E '[^&|]&[ ]*$|[^&|]&[ ]*(#.*)?$' "$T/j" | grep -Ev '&&|^\s*[0-9]*: *#|2>&1[ ]*$|>&2' |
		grep -Ev "^[0-9]+: *(echo|printf|print|assert|[a-z_]+ =)" >"$T/amp" || true
	[ -s "$T/amp" ] && complain "$n: starts a process with a bare & (use bg): $(head -n 1 "$T/amp")"
	grep -Eq '^[0-9]*: *wait [^|]*\|\| *true' "$T/j" && complain "$n: ignores a process's exit status (wait ... || true; use stop/reap)"
	grep -Eq 'PIDS="\$PIDS' "$T/j" && complain "$n: adds to PIDS by hand (use bg)"
	# 4
	grep -Eq '(echo|printf)[^#]*SKIPPED' "$T/j" && complain "$n: prints SKIPPED itself (use skip CONDITION REASON)"
	grep -o '^[0-9]*: *skip [a-z0-9-]*' "$T/j" | awk '{ print $NF }' | while read -r c; do
		grep -q "^SKIP_CONDITIONS=.*[\" ]$c[\" ]" test/run.sh || echo "FAIL - $n: skips for \"$c\", which test/run.sh does not know"
	done | grep . && bad=$((bad + 1))
done
for v in test/integration/variants/*.sed; do
	head -n 1 "$v" | grep -q '^# ..........' || complain "$(basename "$v"): does not open with a comment saying why it differs"
	grep -rqw "$(basename "$v" .sed)" test/integration/*.sh || complain "$(basename "$v"): no test uses it"
	# what bounds or publishes a figure is never a variant's business
	grep -v '^#' "$v" | grep -Eq 'rated_power|coverage_min|max_gap|counter_bits|raw_retention|gb40879|co2' &&
		complain "$(basename "$v"): changes what bounds or publishes a figure"
done
[ "$bad" = 0 ] || fail "$bad rule(s) broken (above)"
ok "$(ls test/integration/test_*.sh | wc -l) test scripts: no summary line of their own, no shipped config edited, every background process through bg, skips only for named conditions; $(ls test/integration/variants/*.sed | wc -l) variants, each saying why"
