# SPDX-License-Identifier: Apache-2.0
# Sourced by bench_snmp.sh and bench_scale.sh: Debian's snmpd on 127.0.0.1 serving N integer
# scalars (.1.3.6.1.4.1.8072.9999.1.I.0 = 1000 + I, v2c community "bench"), for greendc (and
# collectd) to poll. Uses the caller's $T (work folder) and $PIDS (stopped on exit).

# start_bench_snmpd PORT N: start it, set $AGENT to its PID, wait until the last value answers.
# Returns 1 (with snmpd's log on stderr) when it does not start within 10 s.
start_bench_snmpd() {
	mkdir -p "$T/persist"
	{
		echo "agentAddress udp:127.0.0.1:$1"
		echo "[snmp] persistentDir $T/persist"
		echo "rocommunity bench 127.0.0.1"
		_i=0
		while [ $_i -lt "$2" ]; do
			echo "override .1.3.6.1.4.1.8072.9999.1.$_i.0 integer $((1000 + _i))"
			_i=$((_i + 1))
		done
	} >"$T/snmpd.conf"
	snmpd -f -Lo -C -c "$T/snmpd.conf" -p "$T/snmpd.pid" >"$T/snmpd.log" 2>&1 &
	AGENT=$!
	PIDS="$PIDS $AGENT"
	_n=0
	until snmpget -v2c -c bench -t 0.3 -r 0 "127.0.0.1:$1" "1.3.6.1.4.1.8072.9999.1.$(($2 - 1)).0" >/dev/null 2>&1; do
		_n=$((_n + 1))
		[ $_n -gt 40 ] && { echo "snmpd did not start" >&2; cat "$T/snmpd.log" >&2; return 1; }
		sleep 0.25
	done
}
