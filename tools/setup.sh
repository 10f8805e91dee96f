#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the Debian packages greendc needs to build, demo and test, if any are missing.
# Used by `make demo` and `make check`; safe to run again (it only installs what is absent).
# As root it runs apt-get itself, otherwise through sudo; if neither works it prints the exact
# command and fails.
set -eu

# Build: compiler, libraries (through pkg-config / net-snmp-config).
build_pkgs="gcc make pkg-config libsqlite3-dev libzstd-dev libyaml-dev libmodbus-dev libsnmp-dev
libcjson-dev libcurl4-openssl-dev libmicrohttpd-dev libssl-dev libpq-dev"
# The report's PDF and charts (docs/reports.md): cairo and pango, and the CJK font they embed.
build_pkgs="$build_pkgs libcairo2-dev libpango1.0-dev fonts-wqy-microhei"
# Prometheus remote-write: protobuf-c (library and the protoc-c that generates the messages
# at build time) and snappy.
build_pkgs="$build_pkgs libprotobuf-c-dev protobuf-c-compiler libsnappy-dev"
# Tests: cmocka, the real peers the integration tests talk to, and the tools they use.
test_pkgs="libcmocka-dev sqlite3 python3 python3-pymodbus python3-serial-asyncio snmpd snmp
snmpsim valgrind procps systemd man-db clang python3-jsonschema prometheus-alertmanager socat"
# greendc-receiver's tests: a throwaway PostgreSQL cluster, Ed25519 signing in Python.
test_pkgs="$test_pkgs postgresql python3-cryptography"
# HTTP API, dashboard and Grafana checks: promtool and prometheus, headless chromium with a CJK
# font for the screenshots (driven over the DevTools protocol with python3-websocket), curl, wrk
# for bench/bench_http.sh, and python3-yaml to read the Grafana provisioning file.
test_pkgs="$test_pkgs prometheus chromium fonts-wqy-microhei python3-websocket curl wrk python3-yaml"
# make deb and test_deb.sh: debhelper and dpkg-dev build the packages, lintian checks them;
# devscripts for dch (docs/packaging.md). No fakeroot: debian/control says
# Rules-Requires-Root: no.
test_pkgs="$test_pkgs debhelper dpkg-dev lintian devscripts"
# The openssl CLI makes the test CAs and certificates (TLS, mutual TLS, Redfish tests) and
# checks report signatures independently; poppler-utils (pdftotext, pdffonts, pdftoppm) reads
# the report PDFs back (test_report_pdf.sh).
test_pkgs="$test_pkgs openssl poppler-utils"
# Remote-write receivers (Prometheus above, VictoriaMetrics) and python3-snappy, with which
# test_remote_write.sh writes the sample that makes Prometheus answer 400.
test_pkgs="$test_pkgs victoria-metrics python3-snappy"

# `make demo`: the build, plus what tools/demo.sh itself runs (python3 for its port checks,
# the sqlite3 shell for its status line); no browser, Prometheus or Alertmanager.
demo_pkgs="python3 sqlite3"

case "${1:-all}" in
build) want="$build_pkgs" ;;
demo) want="$build_pkgs $demo_pkgs" ;;
*) want="$build_pkgs $test_pkgs" ;;
esac

missing=""
for p in $want; do
	# dpkg-query prints "install ok installed" only for a fully installed package.
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "setup: installing missing Debian packages:$missing"
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo="sudo"
else
	echo "setup: not root and no password-less sudo; run this, then try again:" >&2
	echo "  sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo $cmd
