# SPDX-License-Identifier: Apache-2.0
# Shared by the Redfish tests and the benchmark (sourced after lib.sh): a private CA and a
# server certificate for 127.0.0.1 made with the openssl CLI (as a BMC with a site CA has),
# and a 0600 credentials file.
#   redfish_certs DIR     -> DIR/ca.crt, DIR/bmc.crt, DIR/bmc.key
#   redfish_secrets FILE  -> username admin, password from $RF_PASSWORD
RF_PASSWORD=${RF_PASSWORD:-correct-horse-battery}

redfish_certs() {
	command -v openssl >/dev/null || fail "openssl missing"
	d=$1
	mkdir -p "$d"
	{
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-subj "/CN=greendc test BMC CA" -keyout "$d/ca.key" -out "$d/ca.crt" &&
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-subj "/CN=127.0.0.1" -keyout "$d/bmc.key" -out "$d/bmc.csr" &&
			printf 'subjectAltName=IP:127.0.0.1\n' >"$d/ext" &&
			openssl x509 -req -in "$d/bmc.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
				-CAcreateserial -days 2 -extfile "$d/ext" -out "$d/bmc.crt"
	} >"$d/openssl.log" 2>&1 || fail "openssl: $(cat "$d/openssl.log")"
}

redfish_secrets() {
	umask 077
	printf '# BMC credentials\nusername: admin\npassword: %s\n' "$RF_PASSWORD" >"$1"
	chmod 600 "$1"
	umask 022
}

# redfish_fixture PORTFILE --serve ... : start test/integration/redfish_fixture.py with the
# certificate made by redfish_certs "$T/tls" and wait (bounded) for its ports.
redfish_fixture() {
	pf=$1
	shift
	bg fixture $PY "$top/test/integration/redfish_fixture.py" --cert "$T/tls/bmc.crt" \
		--key "$T/tls/bmc.key" --user admin --password "$RF_PASSWORD" --port-file "$pf" "$@"
	n=0
	until [ -s "$pf" ]; do
		n=$((n + 1))
		[ $n -gt 100 ] && { cat "$T/fixture.log"; fail "the Redfish fixture did not start"; }
		sleep 0.1
	done
}

# fixture_port PORTFILE NAME
fixture_port() { sed -n "s/^$2 //p" "$1"; }
