# SPDX-License-Identifier: Apache-2.0
# Sourced by test_truth_*.sh after lib.sh: the demo configuration exactly as shipped
# (etc/demo.yaml: its devices, profiles, labels, rated powers, intervals, energy roles and
# cooling section), with only what must differ in a test changed (lib.sh's demo_config, no
# variant): the store and secret paths into $T, the built drivers and the profiles folder, the
# web folder, and the ports of the peers this test starts (DCSIM_PORT, SNMP_PORT, HTTP_PORT,
# RECV_PORT; defaults = unused).
truth_config() {
	(umask 077 && echo "whsec_dGVzdC1rZXktZm9yLXRydXRoLXRlc3Rz" >"$T/central.key")
	demo_config "$T/greendc.yaml"
	"$B/greendc" check-config "$T/greendc.yaml" >"$T/check.out" 2>&1 ||
		{ cat "$T/check.out"; fail "demo config rejected"; }
}
