#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# man/greendc.1 documents exactly the commands of the CLI's command table
# (src/cli/cli_commands.c, listed by the undocumented `greendc --commands`), so the two cannot
# drift: a command added to the table without a man page entry, or an entry for a command that
# is gone, fails here.
. "$(dirname "$0")/lib.sh"

"$B/greendc" --commands | sort >"$T/table" || fail "greendc --commands"
[ -s "$T/table" ] || fail "greendc --commands listed nothing"
# Each command is a tagged paragraph of the COMMANDS section: ".TP" then ".B name ...".
awk '/^\.SH /{incmd = ($2 == "COMMANDS")} incmd && prev == ".TP" {print} {prev = $0}' \
	"$top/man/greendc.1" | sed 's/^\.[A-Z]* *"\{0,1\}\([a-z-]*\).*/\1/' | sort >"$T/man"
[ -s "$T/man" ] || fail "no COMMANDS entries found in man/greendc.1"
diff -u "$T/table" "$T/man" >"$T/diff" || {
	cat "$T/diff"
	fail "man/greendc.1 and the command table differ (- table, + man page)"
}
# Every command's help names the command (what `greendc CMD --help` prints).
while read -r c; do
	"$B/greendc" "$c" --help | head -n 1 | grep -q " $c\b" || fail "greendc $c --help: no usage line"
done <"$T/table"
ok "man/greendc.1 documents the $(wc -l <"$T/table") commands of the table and no other"
