#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# docs/architecture.md's folder table says what tools/check-layers enforces: one row per layer
# folder of src/, and its "may include" column equal to the tool's list for that folder.
. "$(dirname "$0")/lib.sh"

doc="$top/docs/architecture.md"
tool="$top/tools/check-layers"
# The tool's table: lines like `	ingest) echo "core config store" ;;`.
sed -n 's/^[[:space:]]*\([a-z]*\)) echo "\([^"]*\)" ;;$/\1:\2/p' "$tool" | sort >"$T/tool"
[ -s "$T/tool" ] || fail "no layer list found in tools/check-layers"
# The doc's table: rows like "| `src/ingest/` | ... | `core` `config` `store` |".
grep '^| `src/[a-z]*/` |' "$doc" | while IFS= read -r row; do
	layer=$(echo "$row" | sed 's/^| `src\/\([a-z]*\)\/`.*/\1/')
	inc=$(echo "$row" | awk -F'|' '{print $(NF-1)}' | grep -o '`[a-z]*`' | tr -d '`' | tr '\n' ' ' | sed 's/ $//')
	echo "$layer:$inc"
done | sort >"$T/doc"
diff -u "$T/tool" "$T/doc" >"$T/diff" || {
	cat "$T/diff"
	fail "docs/architecture.md's layer table differs from tools/check-layers (- tool, + doc)"
}
for d in "$top"/src/*/; do
	l=$(basename "$d")
	grep -q "^$l:" "$T/doc" || fail "src/$l/ has no row in docs/architecture.md"
done
ok "docs/architecture.md's table matches tools/check-layers ($(wc -l <"$T/tool") layers)"
