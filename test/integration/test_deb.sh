#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: installs the packages, which create the system user greendc
# make deb builds greendc, greendc-receiver and libgreendc-driver-dev from a copy of the tree
# (the tree is left as it was); lintian finds no error, and no warning that
# debian/README.source does not list; dpkg -i installs them, and then: the units are where
# systemd looks and verify clean, the sysusers.d entry made the greendc user, the tmpfiles.d
# entry its state folder, the installed greendcd drops to that user and stores polls the
# installed greendc reads, a driver built with libgreendc-driver-dev loads, the bash
# completion completes, and greendc --version prints the package version. dpkg --purge
# then removes every file the packages shipped or made (the test deletes the users it made:
# Debian keeps system users on purge). Needs root; refuses to run where greendc is
# installed or configured already, rather than touch it. While it runs, the system user
# greendc exists: a greendcd that another test starts as root at the same time without
# daemon.user would drop to it (and fail to read its root-owned secrets), so it runs alone.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip not-root "installing packages needs root (run make check as root, as CI does)"
fi
for t in dpkg-buildpackage dh lintian; do
	command -v $t >/dev/null || fail "$t missing (tools/setup.sh installs debhelper, devscripts, lintian)"
done
PKGS="greendc greendc-receiver libgreendc-driver-dev"
installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q ' installed$'; }
for p in $PKGS; do
	if installed "$p"; then fail "$p is installed on this machine: not touching it"; fi
done
for d in /etc/greendc /var/lib/greendc /etc/greendc-receiver /var/lib/greendc-receiver; do
	if [ -e "$d" ]; then fail "$d exists on this machine (a make install?): purge would delete it"; fi
done
new_users=""
for u in greendc greendc-receiver; do
	getent passwd "$u" >/dev/null || new_users="$new_users $u"
done

# dpkg with the lock waited for (other package operations may be running), output kept.
dpkg_w() {
	_n=0
	until dpkg "$@" >"$T/dpkg.log" 2>&1; do
		grep -q "lock" "$T/dpkg.log" && [ $_n -lt 90 ] || { cat "$T/dpkg.log"; return 1; }
		_n=$((_n + 1))
		sleep 2
	done
}
purge_all() {
	for p in $PKGS; do
		if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -qv 'not-installed'; then
			dpkg_w --purge "$p" || echo "purge $p failed" >&2
		fi
	done
	# userdel refuses while a process runs as the user: wait (bounded) for it to end.
	for u in $new_users; do
		_n=0
		while getent passwd "$u" >/dev/null && ! userdel "$u" 2>"$T/userdel.log"; do
			_n=$((_n + 1))
			[ $_n -gt 30 ] && { cat "$T/userdel.log" >&2; break; }
			sleep 2
		done
		if getent group "$u" >/dev/null; then groupdel "$u" 2>/dev/null || true; fi
	done
	return 0
}
PURGE=1
on_exit '[ "$PURGE" = 0 ] || purge_all'

# ---- build, out of tree ----
status_before=$(git -C "$top" status --porcelain 2>/dev/null || true)
start=$(date +%s)
make -s -C "$top" O="${B#$top/}" deb >"$T/deb.log" 2>&1 || { tail -30 "$T/deb.log"; fail "make deb failed"; }
secs=$(($(date +%s) - start))
D="$B/deb"
for p in $PKGS; do
	ls "$D/${p}_"*.deb >/dev/null 2>&1 || fail "no $p package in $D"
done
[ "$(git -C "$top" status --porcelain 2>/dev/null || true)" = "$status_before" ] ||
	fail "make deb changed the source tree: $(git -C "$top" status --porcelain | head -3)"
ok "make deb: $PKGS in $D in ${secs}s; the tree is unchanged"

# ---- lintian: no errors; each warning justified in debian/README.source ----
lintian --tag-display-limit 0 "$D"/greendc_*.changes >"$T/lintian.log" 2>&1 || true
grep -q '^E: ' "$T/lintian.log" && { grep '^[EW]: ' "$T/lintian.log"; fail "lintian errors"; }
grep -q 'internal error\|^Unknown\|[Cc]annot' "$T/lintian.log" && { cat "$T/lintian.log"; fail "lintian did not run"; }
nwarn=0
for tag in $(sed -n 's/^W: [^ ]*: \([a-z0-9.+-]*\).*/\1/p' "$T/lintian.log" | sort -u); do
	grep -q "^$tag" "$top/debian/README.source" ||
		{ grep "^W: " "$T/lintian.log"; fail "lintian warning $tag not justified in debian/README.source"; }
	nwarn=$((nwarn + 1))
done
ok "lintian: no errors, $nwarn warning tag(s), each justified in debian/README.source"

# ---- install ----
ver=$(dpkg-deb -f "$D"/greendc_*_*.deb Version)
for p in $PKGS; do
	dpkg -c "$D/${p}_"*.deb | awk '{ print $6 }' | sed 's|^\./|/|' | grep -v '/$' >>"$T/files"
done
dpkg_w -i "$D"/greendc_*_*.deb "$D"/greendc-receiver_*_*.deb "$D"/libgreendc-driver-dev_*_all.deb ||
	fail "dpkg -i failed"
for p in $PKGS; do installed "$p" || fail "$p not installed"; done
ok "dpkg -i: $PKGS $ver installed"

# The units, where Debian 12's systemd looks, paths filled in, verified, enabled.
unit=/lib/systemd/system/greendcd.service
grep -q '^ExecStart=/usr/sbin/greendcd -c /etc/greendc/greendc.yaml$' "$unit" || fail "greendcd.service ExecStart"
grep -q '^User=greendc$' "$unit" || fail "greendcd.service User="
for u in greendcd.service greendc-report.service greendc-report.timer greendc-receiver.service; do
	systemd-analyze verify "/lib/systemd/system/$u" >"$T/verify.log" 2>&1 &&
		! grep -v '^$' "$T/verify.log" | grep -q . || { cat "$T/verify.log"; fail "systemd-analyze verify $u"; }
done
[ -L /etc/systemd/system/multi-user.target.wants/greendcd.service ] || fail "greendcd.service not enabled"
[ -L /etc/systemd/system/timers.target.wants/greendc-report.timer ] || fail "greendc-report.timer not enabled"
ok "units in /lib/systemd/system verify clean; greendcd.service and greendc-report.timer enabled"

# The sysusers.d entries made the users; the tmpfiles.d entry the state folder.
[ -f /usr/lib/sysusers.d/greendc.conf ] || fail "no sysusers.d/greendc.conf"
pw=$(getent passwd greendc) || fail "postinst did not create the greendc user"
[ "$(echo "$pw" | cut -d: -f6,7)" = /var/lib/greendc:/usr/sbin/nologin ] || fail "greendc user: $pw"
[ "$(echo "$pw" | cut -d: -f3)" -lt 1000 ] || fail "greendc is not a system user: $pw"
id -nG greendc | grep -qw dialout && fail "greendc is in dialout (serial access comes from the --systemd-dropin drop-in only)"
getent passwd greendc-receiver >/dev/null || fail "no greendc-receiver user"
[ "$(stat -c '%U:%G %a' /var/lib/greendc)" = "greendc:greendc 750" ] ||
	fail "/var/lib/greendc is $(stat -c '%U:%G %a' /var/lib/greendc)"
[ "$(stat -c '%U %a' /etc/greendc/secrets)" = "root 700" ] || fail "/etc/greendc/secrets not root 0700"
ok "sysusers.d: system user greendc (uid $(id -u greendc), home /var/lib/greendc, not in dialout) and greendc-receiver; tmpfiles.d: /var/lib/greendc greendc 0750"

# The installed programs, with their compiled-in /usr paths: the example config validates
# against the installed drivers and profiles, and greendcd started as root drops to greendc
# and polls dcsim into a database the installed CLI reads.
drivers=$(ls /usr/lib/greendc/drivers | tr '\n' ' ')
case " $drivers" in *" skel.so "* | *_*) fail "drivers folder holds: $drivers" ;; esac
greendc check-config /etc/greendc/greendc.yaml.example >"$T/cc.log" 2>&1 || { cat "$T/cc.log"; fail "example config"; }
P=$(free_port)
bg dcsim "$B/dcsim" --port "$P"
wait_port "$P"
cat >"$T/site.yaml" <<Y
site: {id: deb}
storage: {path: /var/lib/greendc/test.db, commit_interval: 200ms}
daemon: {user: greendc}
devices:
  - {name: utility-a, driver: modbus, address: "tcp://127.0.0.1:$P", profile: meter/eastron-sdm630,
     interval: 500ms, timeout: 400ms, options: {unit_id: 1}}
Y
chmod 755 "$T"
chmod 644 "$T/site.yaml"
bg --judge greendcd /usr/sbin/greendcd -c "$T/site.yaml"
n=0
until [ -s /var/lib/greendc/test.db ] && [ "$(greendc --db /var/lib/greendc/test.db query 'utility-a power_w' \
	--from -5m --to now --step raw --format csv 2>/dev/null | tail -n +2 | wc -l)" -ge 3 ]; do
	n=$((n + 1))
	[ $n -gt 100 ] && { cat "$T/greendcd.log"; fail "no polls stored by the installed greendcd"; }
	sleep 0.1
done
stop greendcd
[ "$(stat -c %U /var/lib/greendc/test.db)" = greendc ] || fail "database not owned by greendc"
ok "installed greendcd ran as greendc, stored polls in /var/lib/greendc; installed greendc reads them"

# libgreendc-driver-dev: pkg-config names the version and the drivers folder; the template
# driver built against the installed header loads in the installed greendc.
[ "$(pkg-config --modversion greendc-driver)" = "$ver" ] || fail "pkg-config --modversion greendc-driver"
[ "$(pkg-config --variable=driverdir greendc-driver)" = /usr/lib/greendc/drivers ] || fail "driverdir"
# (in a folder of its own: a profiles/ beside a config is where that config looks first)
O2="$T/oot"
mkdir -p "$O2/drv" "$O2/profiles/test"
# shellcheck disable=SC2046
cc $(pkg-config --cflags greendc-driver) -Wall -fPIC -shared -o "$O2/drv/skel.so" "$top/drivers/skel.c" ||
	fail "out-of-tree driver build"
printf 'profile: const\nclass: test\ndriver: skel\nsource: "test"\npoints:\n  - {metric: inlet_temp_c, value: 21.5}\n' \
	>"$O2/profiles/test/const.yaml"
printf 'site: {id: oot}\nstorage: {path: %s/oot.db}\ndaemon: {drivers_dir: %s/drv, profiles_dir: %s/profiles}\ndevices:\n  - {name: c1, driver: skel, address: none, profile: test/const}\n' \
	"$O2" "$O2" "$O2" >"$O2/oot.yaml"
greendc check-config "$O2/oot.yaml" >"$T/oot.log" 2>&1 || { cat "$T/oot.log"; fail "out-of-tree driver refused"; }
ok "libgreendc-driver-dev: pkg-config greendc-driver $ver; a driver built against it loads"

# The receiver and the man pages.
greendc-receiver --help | grep -q -- '--secret-file' || fail "greendc-receiver --help"
for m in greendc greendcd greendc.yaml greendc-receiver; do man -w "$m" >/dev/null 2>&1 || fail "no man page $m"; done
ok "greendc-receiver runs; man pages greendc(1) greendcd(8) greendc.yaml(5) greendc-receiver(8)"

# The bash completion, as bash-completion loads it: commands, and series of the site.
comp=/usr/share/bash-completion/completions/greendc
out=$(bash -c '. "$1"; COMP_WORDS=(greendc ""); COMP_CWORD=1; _greendc; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp")
for c in check-config devices query report; do
	echo "$out" | grep -qx "$c" || fail "completion: no command $c in: $out"
done
out=$(bash -c '. "$1"; COMP_WORDS=(greendc -c "$2" query util); COMP_CWORD=4; _greendc
	printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$T/site.yaml")
echo "$out" | grep -qx 'utility-a power_w' || {
	greendc -c "$T/site.yaml" series --format csv
	fail "completion: no series from the store: $out"
}
ok "bash completion: commands, and series names from the configured store"

# Last, as it depends on the CLI's --version: the version the package was built as.
v=$(greendc --version 2>&1) || fail "greendc --version: not supported ($v)"
echo "$v" | grep -qF "$ver" || fail "greendc --version says \"$v\", the package is $ver"
ok "greendc --version: $v"

# ---- purge: nothing left ----
PURGE=0
purge_all
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in "" | *not-installed) ;; *) fail "$p after purge: $st" ;; esac
done
left=$(while read -r f; do if [ -e "$f" ]; then echo "$f"; fi; done <"$T/files")
[ -z "$left" ] || fail "left after purge: $left"
for f in /var/lib/greendc /etc/greendc /etc/greendc-receiver /var/lib/greendc-receiver \
	/etc/systemd/system/multi-user.target.wants/greendcd.service \
	/etc/systemd/system/timers.target.wants/greendc-report.timer; do
	if [ -e "$f" ] || [ -L "$f" ]; then fail "left after purge: $f"; fi
done
for u in $new_users; do
	if getent passwd "$u" >/dev/null; then fail "user $u left"; fi
done
ok "dpkg --purge: no package, no file of theirs ($(wc -l <"$T/files") files), no state, config, unit link or user left"
