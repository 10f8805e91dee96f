# Sourced by test_truth_*.sh after lib.sh: the demo configuration exactly as shipped
# (etc/demo.yaml: its devices, profiles, labels, rated powers, intervals, energy roles and
# cooling section), with only what must differ in a test changed: the store and secret paths
# into $T, the built drivers and the profiles folder, the web folder, and the ports of the
# peers this test starts (DCSIM_PORT, SNMP_PORT, HTTP_PORT, RECV_PORT; defaults = unused).
truth_config() {
	sed -e "s|path: ../demo-state/greendc.db|path: greendc.db|" \
		-e "s|secret_file: ../demo-state/central.key|secret_file: central.key|" \
		-e "s|web_dir: ../dashboards/web|web_dir: $top/dashboards/web|" \
		-e "s|tcp://127.0.0.1:5020|tcp://127.0.0.1:${DCSIM_PORT:-5020}|" \
		-e "s|udp:127.0.0.1:5161|udp:127.0.0.1:${SNMP_PORT:-5161}|" \
		-e "s|port: 8470|port: ${HTTP_PORT:-8470}|" \
		-e "s|http://127.0.0.1:8480/ingest|http://127.0.0.1:${RECV_PORT:-8480}/ingest|" \
		-e "s|^daemon:|daemon:\n  drivers_dir: $B/drivers\n  profiles_dir: $top/etc/profiles|" \
		"$top/etc/demo.yaml" >"$T/greendc.yaml"
	(umask 077 && echo "whsec_dGVzdC1rZXktZm9yLXRydXRoLXRlc3Rz" >"$T/central.key")
	"$B/greendc" check-config "$T/greendc.yaml" >"$T/check.out" 2>&1 ||
		{ cat "$T/check.out"; fail "demo config rejected"; }
	# Nothing but paths and ports may differ from the shipped file.
	diff "$top/etc/demo.yaml" "$T/greendc.yaml" | grep '^[<>]' |
		grep -v -e 'path:' -e 'secret_file:' -e 'web_dir:' -e '127.0.0.1' -e 'port:' \
			-e 'drivers_dir:' -e 'profiles_dir:' >"$T/config.diff" &&
		{ cat "$T/config.diff"; fail "the test config differs from etc/demo.yaml beyond paths and ports"; }
	return 0
}
