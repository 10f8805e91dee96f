#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The bash completion (completion/greendc.bash) with the built greendc: commands, global
# options, the choices an option lists in its help, series names (with spaces and braces) from
# a store, device names from a configuration in flow and block style, "--opt=value" words, and
# what it offers when greendc is missing or cannot list a command's options.
. "$(dirname "$0")/lib.sh"
comp="$top/completion/greendc.bash"
mkdir -p "$T/bin"
ln -s "$B/greendc" "$T/bin/greendc"
"$B/gdcfill" --db "$T/site.db" --days 1 --step 1h >"$T/fill.log" 2>&1 || fail "gdcfill"
cat >"$T/site.yaml" <<Y
site: {id: comp}
storage: {path: $T/site.db}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}
devices:
  - {name: utility-a, driver: modbus, address: "tcp://127.0.0.1:1", profile: meter/eastron-sdm630}
  - name: "chiller-9"
    driver: modbus
    address: "tcp://127.0.0.1:2"
    profile: meter/eastron-sdm630
Y
"$B/greendc" check-config "$T/site.yaml" >/dev/null || fail "test config invalid"

# complete PATH WORD...: what _greendc offers for the last word, one per line.
complete_words() {
	PATH="$1:/usr/bin:/bin" bash -c '. "$0"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _greendc; printf "%s\n" "${COMPREPLY[@]}"' \
		"$comp" "$@"
}
has() { # output, expected line
	printf '%s\n' "$1" | grep -qxF -- "$2" || fail "expected \"$2\" among: $(printf '%s' "$1" | tr '\n' '|')"
}

out=$(complete_words "$T/bin" greendc "")
for c in check-config devices series query tail backup pue kpi freecool alerts report import export; do
	has "$out" "$c"
done
has "$(complete_words "$T/bin" greendc q)" query
has "$(complete_words "$T/bin" greendc --)" --db
ok "commands and global options from greendc --help"

out=$(complete_words "$T/bin" greendc --db "$T/site.db" query "utility-a\\ p")
has "$out" "utility-a power_w{feed=A,hall=A,role=facility_input}"
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "more than the one power series of utility-a: $out"
has "$(complete_words "$T/bin" greendc --db "$T/site.db" query "'utility-b e")" \
	"utility-b energy_kwh{feed=B,hall=A,role=facility_input}"
has "$(complete_words "$T/bin" greendc --db = "$T/site.db" series crah-1)" "crah-1 power_w{hall=A,role=cooling}"
ok "series names from the store, whole and unexpanded, for escaped, quoted and --db=PATH words"

out=$(complete_words "$T/bin" greendc -c "$T/site.yaml" tail "")
has "$out" chiller-9
has "$out" utility-a
has "$(complete_words "$T/bin" greendc --config = "$T/site.yaml" export ch)" chiller-9
ok "device names from the configuration (flow and block style)"

has "$(complete_words "$T/bin" greendc -c "$T/s")" "$T/site.yaml"
has "$(complete_words "$T/bin" greendc check-config "$T/site.")" "$T/site.yaml"
ok "files for -c and for check-config"

# A command's options come from `greendc COMMAND --help`, asked only of a CLI that has
# --version (whose --help does nothing else); an older one gets none rather than a command
# run with --help as its argument.
if "$B/greendc" --version >/dev/null 2>&1; then
	bin="$T/bin"
	note="the built CLI"
else
	mkdir -p "$T/shim"
	printf '#!/bin/sh\n[ "$1" = --version ] && { echo shim; exit 0; }\nexec "%s" "$@"\n' "$B/greendc" >"$T/shim/greendc"
	chmod +x "$T/shim/greendc"
	bin="$T/shim"
	note="a --version shim over the built CLI, which has no --version yet"
	[ -z "$(complete_words "$T/bin" greendc query --f)" ] || fail "options asked of a CLI without --version"
fi
out=$(complete_words "$bin" greendc query --)
has "$out" --from
has "$out" --format
has "$(complete_words "$bin" greendc query --format "")" csv
has "$(complete_words "$bin" greendc query --agg = m)" max
has "$(complete_words "$bin" greendc report --format "")" html
ok "command options and their listed choices ($note)"

out=$(complete_words "$T/nothing" greendc "")
has "$out" query
has "$out" export
[ -z "$(complete_words "$T/nothing" greendc query u)" ] || fail "names offered without greendc"
ok "without greendc on the PATH: the fixed command list, no names, no errors"
