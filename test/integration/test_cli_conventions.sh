#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The CLI's conventions (docs/internals/cli.md): `COMMAND --help` and `-h` print that
# command's help on stdout, exit 0 and do nothing else (no file appears in the working folder,
# no config or database is read); `greendc --version` and `greendcd --version` print the build's
# version; a mistyped command gets the nearest command, not the whole usage.
. "$(dirname "$0")/lib.sh"

G="$B/greendc"
cmds=$("$G" --commands) || fail "greendc --commands"
[ "$(echo "$cmds" | wc -l)" -ge 13 ] || fail "only $(echo "$cmds" | wc -l) commands listed: $cmds"

# An empty folder, and a config path and database that do not exist: a command that ran
# would fail or create something.
mkdir "$T/empty"
cd "$T/empty"
for c in $cmds; do
	for h in --help -h; do
		# The flag after other arguments too: backup once copied the database to "--help".
		for args in "$h" "x.db $h"; do
			rc=0
			# shellcheck disable=SC2086
			"$G" -c "$T/none.yaml" --db "$T/none.db" "$c" $args >"$T/out" 2>"$T/err" || rc=$?
			[ $rc = 0 ] || fail "greendc $c $args: exit status $rc: $(cat "$T/err")"
			[ ! -s "$T/err" ] || fail "greendc $c $args wrote to stderr: $(cat "$T/err")"
			head -n 1 "$T/out" | grep -q "^usage: greendc.* $c\b" ||
				fail "greendc $c $args: no usage line for $c: $(head -n 3 "$T/out")"
			[ -z "$(ls -A "$T/empty")" ] ||
				fail "greendc $c $args created $(ls -A "$T/empty")"
		done
	done
done
[ ! -e "$T/none.db" ] || fail "--help created the database"
ok "--help and -h on $(echo "$cmds" | wc -l) commands: help on stdout, exit 0, no file"

# kpi has its own help (it once printed pue's, with pue --interim).
"$G" kpi --help >"$T/kpi"
grep -q "interim" "$T/kpi" && fail "kpi --help shows pue's --interim"
"$G" help kpi | cmp -s - "$T/kpi" || fail "greendc help kpi differs from greendc kpi --help"
ok "kpi has its own help; greendc help COMMAND prints the same"

# --version: both programs, the same version, from the build (git describe or the base).
v=$("$G" --version) || fail "greendc --version"
vd=$("$B/greendcd" --version) || fail "greendcd --version"
echo "$v" | grep -Eq '^greendc [0-9]+\.[0-9]+\.[0-9]+' || fail "greendc --version: \"$v\""
[ "${v#greendc }" = "${vd#greendcd }" ] || fail "versions differ: \"$v\" vs \"$vd\""
# The version is what the build recorded ($B/VERSION, from git describe at build time), and a
# commit it names is one of this repository's (a build made before a later commit still names
# its own commit, so HEAD itself is not required).
[ -f "$B/VERSION" ] || fail "no $B/VERSION recorded by the build"
[ "${v#greendc }" = "$(cat "$B/VERSION")" ] || fail "greendc --version \"$v\" is not the build's $(cat "$B/VERSION")"
h=$(echo "$v" | sed -n 's/.*+g\([0-9a-f]\{7,\}\).*/\1/p; s/.*-g\([0-9a-f]\{7,\}\).*/\1/p' | head -n 1)
if [ -n "$h" ] && git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$top" cat-file -e "$h^{commit}" 2>/dev/null ||
		fail "greendc --version \"$v\" names $h, not a commit of this repository"
fi
ok "--version: $v"

# A typo: the nearest command and a pointer to --help, on stderr; not the whole list.
typo() { # typed, expected
	if "$G" "$1" >"$T/out" 2>"$T/err"; then fail "greendc $1 succeeded"; fi
	grep -q "did you mean \"$2\"" "$T/err" || fail "greendc $1: no suggestion of $2: $(cat "$T/err")"
	[ ! -s "$T/out" ] || fail "greendc $1 wrote to stdout"
	[ "$(wc -l <"$T/err")" -le 2 ] || fail "greendc $1 printed the whole usage: $(cat "$T/err")"
}
typo qeury query
typo tial tail
typo chek-config check-config
typo exprot export
typo freecol freecool
typo chec check-config
if "$G" frobnicate 2>"$T/err"; then fail "greendc frobnicate succeeded"; fi
grep -q "did you mean" "$T/err" && fail "a suggestion for frobnicate: $(cat "$T/err")"
ok "typos get the nearest command, nonsense gets none"
