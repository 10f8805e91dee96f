#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# One secrets policy (issue 20, items 4 and 9; docs/config.md "Secret files"): every secret
# file a config names -- http.token_file, http.tls_key, a report target's secret_file, a chat
# robot's url_file and secret_file, an mTLS client_key -- goes through the one reader
# (core/secretfile.h) in `greendc check-config` and when greendcd starts or reloads. A FIFO,
# a directory, a symlink, an empty or oversized file, a file readable by others (the token
# hash at 0666 included) or a malformed key is a file:line error; greendcd refuses to start
# (exit 1, at once: a FIFO never blocks it), a reload with one keeps the running config, and
# SIGTERM still stops the daemon.
. "$(dirname "$0")/lib.sh"

HP=$(free_port)
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$T/s"
secret() { (umask 077 && printf '%s\n' "$2" >"$T/s/$1"); }
secret token.sha256 "$(printf '%s' "$TOKEN" | sha256sum | cut -c1-64)"
secret central.key "whsec_$(head -c 24 /dev/urandom | base64)"
secret ops.url "http://127.0.0.1:9/robot?access_token=TOKEN123"
secret ops.sec "SECops"
secret client.key "-----BEGIN PRIVATE KEY-----"
cat >"$T/greendc.yaml" <<Y
site: {id: t, timezone: UTC}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, audit_log: $T/audit.log}
storage: {path: t.db}
http:
  listen: 127.0.0.1
  port: $HP
  token_file: s/token.sha256
outputs:
  report:
    - name: central
      url: "http://127.0.0.1:9/ingest"
      secret_file: s/central.key
      client_cert: s/client.key
      client_key: s/client.key
  chat:
    - {name: ops, kind: dingtalk, url_file: s/ops.url, secret_file: s/ops.sec}
devices: []
Y
"$B/greendc" check-config "$T/greendc.yaml" >"$T/ok.out" 2>&1 || { cat "$T/ok.out"; fail "the good config was refused"; }
ok "good secrets: check-config ok"

line_of() { grep -n "$1" "$T/greendc.yaml" | head -n 1 | cut -d: -f1; }

# broken NAME FILE KEY LINE EXPECTED: with s/FILE spoiled (already done by the caller),
# check-config and greendcd both fail with greendc.yaml:LINE: KEY: ... EXPECTED, at once.
broken() {
	name=$1 key=$2 line=$3 want=$4
	start=$(date +%s)
	if timeout 10 "$B/greendc" check-config "$T/greendc.yaml" >"$T/$name.out" 2>&1; then
		fail "$name: check-config accepted it"
	fi
	grep -q "greendc.yaml:$line: $key: .*$want" "$T/$name.out" || { cat "$T/$name.out"; fail "$name: check-config's message"; }
	rc=0
	timeout 10 "$B/greendcd" $GDCD_ARGS -c "$T/greendc.yaml" >"$T/$name.log" 2>&1 || rc=$?
	[ "$rc" = 1 ] || { cat "$T/$name.log"; fail "$name: greendcd exit $rc (want 1; 124 = blocked)"; }
	grep -q "greendc.yaml:$line: $key: .*$want" "$T/$name.log" || { cat "$T/$name.log"; fail "$name: greendcd's message"; }
	[ $(($(date +%s) - start)) -le 5 ] || fail "$name: took $(($(date +%s) - start)) s"
	ok "$name: check-config and greendcd fail at once with greendc.yaml:$line: $key"
}
swap() { # file: keep the good one aside
	mv "$T/s/$1" "$T/s/$1.good"
}
restore() {
	rm -rf "$T/s/$1"
	mv "$T/s/$1.good" "$T/s/$1"
}

L_TOKEN=$(line_of token_file)
L_CENTRAL=$(line_of "name: central")
L_OPS=$(line_of "name: ops")

swap token.sha256
mkfifo -m 600 "$T/s/token.sha256"
broken "FIFO as token_file" http.token_file "$L_TOKEN" "not a regular file"
restore token.sha256

swap ops.url
mkfifo -m 600 "$T/s/ops.url"
broken "FIFO as url_file" outputs.ops.url_file "$L_OPS" "not a regular file"
restore ops.url

swap central.key
mkfifo -m 600 "$T/s/central.key"
broken "FIFO as secret_file" outputs.central.secret_file "$L_CENTRAL" "not a regular file"
restore central.key

swap central.key
mkdir -m 700 "$T/s/central.key"
broken "directory as secret_file" outputs.central.secret_file "$L_CENTRAL" "is a directory"
restore central.key

swap ops.sec
ln -s "$T/s/ops.sec.good" "$T/s/ops.sec"
broken "symlink as secret_file" outputs.ops.secret_file "$L_OPS" "symbolic link"
restore ops.sec

swap client.key
(umask 077 && : >"$T/s/client.key")
broken "empty client_key" outputs.central.client_key "$L_CENTRAL" "is empty"
restore client.key

swap central.key
(umask 077 && head -c 4096 /dev/zero | tr '\0' 'a' >"$T/s/central.key")
broken "oversized secret_file" outputs.central.secret_file "$L_CENTRAL" "larger than"
restore central.key

chmod 666 "$T/s/token.sha256"
broken "token hash at mode 0666" http.token_file "$L_TOKEN" "mode 0666"
chmod 600 "$T/s/token.sha256"

chmod 640 "$T/s/client.key"
broken "client_key at mode 0640" outputs.central.client_key "$L_CENTRAL" "mode 0640"
chmod 600 "$T/s/client.key"

swap central.key
secret central.key "whsec_!!!"
broken "malformed signing key" outputs.central.secret_file "$L_CENTRAL" "not a usable signing key"
restore central.key

swap ops.url
secret ops.url "ftp://example/robot"
broken "url_file without a URL" outputs.ops.url_file "$L_OPS" "not an http"
restore ops.url

"$B/greendc" check-config --no-secrets "$T/greendc.yaml" >/dev/null 2>&1 || fail "--no-secrets"
chmod 666 "$T/s/token.sha256"
"$B/greendc" check-config --no-secrets "$T/greendc.yaml" >"$T/nosec.out" 2>&1 || fail "--no-secrets still checked the secrets"
grep -q "secret files not checked" "$T/nosec.out" || fail "--no-secrets does not say so: $(cat "$T/nosec.out")"
chmod 600 "$T/s/token.sha256"
ok "check-config --no-secrets skips them, and says so"

# ---- a reload with a FIFO keeps the running config; SIGTERM still stops the daemon ----
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
wait_port "$HP"
swap ops.url
mkfifo -m 600 "$T/s/ops.url"
kill -HUP "$PID_greendcd"
n=0
until grep -q "reload failed, keeping the running configuration" "$T/greendcd.log"; do
	n=$((n + 1))
	[ $n -gt 50 ] && { cat "$T/greendcd.log"; fail "no reload refusal"; }
	sleep 0.1
done
grep -q "greendc.yaml:$L_OPS: outputs.ops.url_file: .*not a regular file" "$T/greendcd.log" || fail "reload refusal without file:line"
st=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HP/api/v1/site")
[ "$st" = 200 ] || fail "after the refused reload the API answers $st"
STOP_SECONDS=$((5 * GDC_SLOW)) # it stops within 5 s of SIGTERM (the optimised build)
stop greendcd
grep -q "config_reload.*rejected: invalid configuration" "$T/audit.log" || fail "refused reload not audited"
ok "a reload with a FIFO as url_file is refused (file:line, audited); the API keeps answering; SIGTERM stops it"
