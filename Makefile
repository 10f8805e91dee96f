# SPDX-License-Identifier: Apache-2.0
# greendc — the only build system. See README.md.
#
#   make              build the daemon, the CLI, the drivers and the tools into build/
#   make check        set up (installs missing Debian packages), build, run every test
#   make demo         set up, build, run greendc against the simulated data centre
#   make bench        build and run the benchmarks (print figures)
#   make check-layers the one-way layer rule of src/ (docs/architecture.md); part of check
#   make check-style  clang-format --dry-run over every C file, and an SPDX line atop every source
#                     file (tools/check-spdx); part of check (make format fixes the first)
#   make fuzz         run each libFuzzer harness for FUZZ_SECONDS (default 60; needs clang)
#   make install      install to $(DESTDIR)$(PREFIX)
#   make deb          the Debian packages, built from a copy of the tree, into $(O)/deb/
#   make DEVELOPER=1  warnings become errors (-Werror -Wshadow -Wmissing-prototypes)
#   make O=build-san SAN=1   an ASan+UBSan build in its own folder

# `make` alone builds `all` (the version rules below come first in the file).
.DEFAULT_GOAL := all

O ?= build
# Parallel jobs for the builds `make check` and `make demo` start themselves.
NPROC := $(shell nproc 2>/dev/null || echo 1)
# The version rules below come before `all:`; keep `make` alone building everything.
.DEFAULT_GOAL := all
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
DATADIR ?= $(PREFIX)/share
INCLUDEDIR ?= $(PREFIX)/include
SYSCONFDIR ?= /etc
DRIVERDIR ?= $(LIBDIR)/greendc/drivers
PROFILEDIR ?= $(DATADIR)/greendc/profiles

CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
# Debian hardening flags (dpkg-buildflags with hardening=+all).
HARDEN_CFLAGS = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection \
	-fcf-protection -Wformat -Werror=format-security
HARDEN_LDFLAGS = -Wl,-z,relro -Wl,-z,now
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -pthread -MMD -MP -Iinclude -Isrc -I$(O)/gen \
	-DDRIVERDIR='"$(DRIVERDIR)"' -DPROFILEDIR='"$(PROFILEDIR)"'
ifeq ($(DEVELOPER),1)
BASE_CFLAGS += -Werror -Wshadow -Wmissing-prototypes
endif
ifeq ($(SAN),1)
CFLAGS = -O1 -g -fno-omit-frame-pointer
BASE_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all
HARDEN_CFLAGS := $(filter-out -D_FORTIFY_SOURCE=2,$(HARDEN_CFLAGS))
LDFLAGS += -fsanitize=address,undefined
endif

# net-snmp's headers need no -I on Debian; its --cflags drag in perl paths, so none are taken.
SNMP_LIBS := $(shell net-snmp-config --netsnmp-libs 2>/dev/null)
PKGS = sqlite3 libzstd yaml-0.1 libmodbus libcjson libcurl libmicrohttpd libprotobuf-c snappy
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIB_sqlite := $(shell $(PKG_CONFIG) --libs sqlite3 2>/dev/null)
LIB_zstd := $(shell $(PKG_CONFIG) --libs libzstd 2>/dev/null)
LIB_yaml := $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null)
LIB_modbus := $(shell $(PKG_CONFIG) --libs libmodbus 2>/dev/null)
LIB_cjson := $(shell $(PKG_CONFIG) --libs libcjson 2>/dev/null)
LIB_curl := $(shell $(PKG_CONFIG) --libs libcurl 2>/dev/null)
LIB_mhd := $(shell $(PKG_CONFIG) --libs libmicrohttpd 2>/dev/null)
LIB_cmocka := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
LIB_crypto := $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null)
LIB_pq := $(shell $(PKG_CONFIG) --libs libpq 2>/dev/null)
PQ_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpq 2>/dev/null)
# Prometheus remote-write: protobuf-c encodes, snappy compresses (src/delivery/remote_write.c).
LIB_protobufc := $(shell $(PKG_CONFIG) --libs libprotobuf-c 2>/dev/null)
LIB_snappy := $(shell $(PKG_CONFIG) --libs snappy 2>/dev/null)

ALL_CFLAGS = $(BASE_CFLAGS) $(HARDEN_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)

# The report's PDF and charts (docs/reports.md): cairo and pango draw them, only in the two
# files that include their headers. Only the CLI renders reports: greendcd links the same
# archive but pulls none of these objects, so it is linked without cairo. The glib/pango
# folders are -isystem so their headers' own warnings do not fail DEVELOPER=1.
CAIRO_PKGS = pangocairo cairo-pdf cairo-svg fontconfig
CAIRO_CFLAGS := $(patsubst -I%,-isystem %,$(shell $(PKG_CONFIG) --cflags $(CAIRO_PKGS) 2>/dev/null))
LIB_cairo := $(shell $(PKG_CONFIG) --libs $(CAIRO_PKGS) 2>/dev/null)
CAIRO_OBJS = $(O)/src/delivery/report_chart.o $(O)/src/delivery/report_pdf.o
$(CAIRO_OBJS): ALL_CFLAGS += $(CAIRO_CFLAGS)

# The version `greendc --version` and `greendcd --version` print: `git describe` of the
# checkout at build time (1.2.0-3-gabc1234 under a v1.2.0 tag; BASE_VERSION+gabc1234 before the
# first tag; -dirty with local changes), else BASE_VERSION (a tree without git). Only the
# files that print it get -DGREENDC_VERSION, and they are rebuilt when it changes.
BASE_VERSION = 0.1.0
VERSION := $(shell if d=$$(git -C '$(CURDIR)' describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); \
	then echo "$${d\#v}"; \
	elif h=$$(git -C '$(CURDIR)' describe --always --dirty 2>/dev/null); \
	then echo "$(BASE_VERSION)+g$$h"; else echo "$(BASE_VERSION)"; fi)
VERSION_OBJS = $(O)/src/cli/main.o $(O)/src/daemon/main.o $(O)/src/daemon/start.o \
	$(O)/src/http/http_snap.o $(O)/src/delivery/report.o
$(VERSION_OBJS): ALL_CFLAGS += -DGREENDC_VERSION='"$(VERSION)"'
$(VERSION_OBJS): $(O)/VERSION
$(O)/VERSION: FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' >$@
.PHONY: FORCE
FORCE:
CORE_LIBS = $(LIB_sqlite) $(LIB_zstd) $(LIB_yaml) $(LIB_cjson) $(LIB_crypto) $(LIB_protobufc) \
	$(LIB_snappy) -ldl -lm -pthread

# The core: every src/<layer>/*.c except the two programs' mains (docs/architecture.md).
MAINS = src/daemon/main.c src/cli/main.c
CORE_SRCS = $(filter-out $(MAINS),$(sort $(wildcard src/*/*.c)))
CORE_OBJS = $(CORE_SRCS:%.c=$(O)/%.o) $(GEN_PB_OBJS)

# Code generated from src/<layer>/*.proto by protoc-c into $(O)/gen/<layer>/ (included as
# "<layer>/<name>.pb-c.h"). Generated at build time, not checked in: the header protoc-c writes
# refuses a libprotobuf-c of another version, so it must come from the protoc-c that matches
# the library on the build machine (Debian ships them together).
PROTOS = $(sort $(wildcard src/*/*.proto))
GEN_PB_OBJS = $(PROTOS:src/%.proto=$(O)/gen/%.pb-c.o)
$(O)/gen/%.pb-c.c $(O)/gen/%.pb-c.h: src/%.proto
	@mkdir -p $(O)/gen
	$(say) PROTOC $<
	$(Q)protoc-c --proto_path=src --c_out=$(O)/gen $*.proto
$(O)/gen/%.pb-c.o: $(O)/gen/%.pb-c.c
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -fPIE -c -o $@ $<
# Whatever includes a generated header waits for it.
$(O)/src/delivery/remote_write.o $(O)/test/unit/test_remote_write.o: $(O)/gen/delivery/prompb.pb-c.h

# Drivers: drivers/<name>.c is one driver; drivers/<name>_*.c are its helper files.
# (make's patterns take one %, so names with "_" are sorted out with findstring.)
DRIVER_NAMES = $(sort $(basename $(notdir $(foreach f,$(wildcard drivers/*.c),$(if $(findstring _,$(notdir $f)),,$f)))))
DRIVER_SOS = $(DRIVER_NAMES:%=$(O)/drivers/%.so)
DRIVER_HELPER_SRCS = $(sort $(wildcard drivers/*_*.c))
DRIVER_HELPER_OBJS = $(DRIVER_HELPER_SRCS:%.c=$(O)/pic/%.o)
# Core files with no dependencies that drivers link too (one secret-file reader for all, the
# capped buffer).
DRIVER_CORE_OBJS = $(O)/pic/src/core/secretfile.o $(O)/pic/src/core/sbuf.o
LIBS_driver_modbus = $(LIB_modbus)
LIBS_driver_snmp = $(SNMP_LIBS)
LIBS_driver_redfish = $(LIB_curl) $(LIB_cjson)

# Tools: tools/<name>/*.c is one program build/<name>.
TOOL_NAMES = $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard tools/*/*.c)))))
TOOL_BINS = $(TOOL_NAMES:%=$(O)/%)
LIBS_tool_dcsim = $(LIB_modbus) -lnetsnmpagent $(SNMP_LIBS) -lm
LIBS_tool_rxload = $(LIB_curl) $(LIB_cjson) $(LIB_crypto) -lm

# greendc-receiver, the central service (docs/fleet.md): receiver/*.c, linking the core's
# secret-file reader, time and buffers and the delivery layer's whsign, with the report,
# summary and alert schemas and the web page (receiver/web/) compiled in.
RX_SRCS = $(sort $(wildcard receiver/*.c))
RX_OBJS = $(RX_SRCS:%.c=$(O)/%.o) $(O)/receiver/embedded.o
RX_EMBED = rx_report_schema_json docs/report.schema.json \
	rx_summary_schema_json docs/summary.schema.json \
	rx_alert_schema_json docs/alert.schema.json \
	rx_report_v1_schema_json docs/report-v1.schema.json \
	web_index_html receiver/web/index.html web_app_js receiver/web/app.js \
	web_style_css receiver/web/style.css
RX_LIBS = $(LIB_sqlite) $(LIB_pq) $(LIB_mhd) $(LIB_cjson) $(LIB_crypto) -lm -pthread
# The program used to be build/receiver; its object folder now has that name.
$(shell test -f $(O)/receiver && rm -f $(O)/receiver)

UNIT_SRCS = $(sort $(wildcard test/unit/test_*.c))
UNIT_BINS = $(UNIT_SRCS:test/unit/%.c=$(O)/test/%)
BENCH_SRCS = $(sort $(wildcard bench/bench_*.c))
BENCH_BINS = $(BENCH_SRCS:bench/%.c=$(O)/bench/%)

PROGRAMS = $(O)/greendcd $(O)/greendc $(O)/greendc-receiver

# Quiet by default; V=1 shows the full commands.
ifeq ($(V),1)
Q =
say = @true
else
Q = @
say = @printf '  %-6s %s\n'
endif

.PHONY: all setup check check-layers check-style unit integration soak demo bench install deb clean format fuzz
all: $(PROGRAMS) $(DRIVER_SOS) $(TOOL_BINS)

setup:
	@sh tools/setup.sh

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -fPIE -c -o $@ $<

$(O)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -c -o $@ $<

$(O)/libgreendc.a: $(CORE_OBJS)
	@rm -f $@
	$(say) AR $@
	$(Q)ar rcs $@ $^

$(O)/greendcd: $(O)/src/daemon/main.o $(O)/libgreendc.a
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) -pie $(HARDEN_LDFLAGS) $(LDFLAGS) -rdynamic -o $@ $^ $(CORE_LIBS) $(LIB_curl) $(LIB_mhd)

$(O)/greendc: $(O)/src/cli/main.o $(O)/libgreendc.a
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) -pie $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CORE_LIBS) $(LIB_curl) $(LIB_mhd) $(LIB_cairo)

# Each driver .so: its main file plus its helper files.
.SECONDEXPANSION:
.SECONDARY:
$(O)/drivers/%.so: $(O)/pic/drivers/%.o $$(addprefix $(O)/pic/,$$(addsuffix .o,$$(basename $$(wildcard drivers/$$*_*.c)))) $(DRIVER_CORE_OBJS)
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) -shared -fPIC $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBS_driver_$*) -lm

$(TOOL_BINS): $(O)/%: $$(addprefix $(O)/,$$(addsuffix .o,$$(basename $$(wildcard tools/$$*/*.c)))) $(O)/libgreendc.a
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) -pie $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(O)/libgreendc.a $(LIBS_tool_$*) $(CORE_LIBS)

$(O)/receiver/%.o: ALL_CFLAGS += $(PQ_CFLAGS)
$(O)/receiver/embedded.c: receiver/embed.sh $(filter-out rx_% web_%,$(RX_EMBED))
	@mkdir -p $(dir $@)
	$(say) GEN $@
	$(Q)sh receiver/embed.sh $@ $(RX_EMBED)
$(O)/receiver/embedded.o: $(O)/receiver/embedded.c
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -fPIE -c -o $@ $<

$(O)/greendc-receiver: $(RX_OBJS) $(O)/libgreendc.a
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) -pie $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $^ $(RX_LIBS) $(CORE_LIBS)

# Unit tests link the core and every driver helper (pure decoding code) with cmocka; the
# helpers come before the core archive, which they may use (secretfile, sbuf).
$(UNIT_BINS): $(O)/test/%: $(O)/test/unit/%.o $(DRIVER_HELPER_OBJS) $(O)/libgreendc.a
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.a,$^) $(filter %.a,$^) $(LIB_cmocka) $(CORE_LIBS) $(LIB_modbus) $(SNMP_LIBS) $(LIB_curl) $(LIB_cairo)

# test_receiver also links greendc-receiver's pure parts.
RX_UNIT_OBJS = $(O)/receiver/check.o $(O)/receiver/schema.o $(O)/receiver/embedded.o \
	$(O)/receiver/auth.o $(O)/receiver/reqlog.o
$(O)/test/test_receiver: $(RX_UNIT_OBJS)
$(O)/test/unit/test_receiver.o: ALL_CFLAGS += -I.

$(BENCH_BINS): $(O)/bench/%: $(O)/bench/%.o $(DRIVER_HELPER_OBJS) $(O)/libgreendc.a
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(CORE_LIBS) $(LIB_modbus) $(SNMP_LIBS) $(LIB_curl) $(LIB_cairo)

# ---- tests ----
# `make check` = setup + build + unit tests + integration tests + sanitizer/valgrind passes.
check: setup
	@$(MAKE) --no-print-directory check-layers check-style
	@$(MAKE) --no-print-directory -j$(NPROC) all unit-bins
	@sh test/run.sh

unit-bins: $(UNIT_BINS)
.PHONY: unit-bins

unit: unit-bins
	@sh test/run.sh unit

integration: all
	@sh test/run.sh integration

# The long soaks: 500 simulated devices for 10 minutes (not in make check; `sh test/run.sh
# integration test_soak` runs 90 s of it), the
# receiver fleet on PostgreSQL until all 84,000 messages are in (make check bounds it at 60 s),
# and the remote-write receivers down for 5 minutes (make check: 30 s).
soak: all
	@SOAK_SECONDS=600 GDC_BUILD=$(CURDIR)/$(O) sh test/integration/test_soak.sh
	@RX_FLEET_SECONDS=600 RX_FLEET_REQUIRE_ALL=1 GDC_TOP=$(CURDIR) GDC_BUILD=$(CURDIR)/$(O) sh test/integration/test_receiver_fleet.sh
	@RW_OUTAGE=300 GDC_BUILD=$(CURDIR)/$(O) sh test/integration/test_remote_write.sh

bench: setup
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@sh bench/run.sh

# The demo installs only what it needs (tools/setup.sh demo), not the test peers.
demo:
	@sh tools/setup.sh demo
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@sh tools/demo.sh

# libFuzzer harnesses (test/fuzz/, clang + ASan/UBSan in build-fuzz/), FUZZ_SECONDS each.
fuzz:
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-60} sh test/fuzz/run.sh

# Every C file of ours; `make format` rewrites them, `make check-style` fails on any difference.
C_SOURCES = $(sort $(wildcard src/*/*.[ch] drivers/*.[ch] include/greendc/*.h tools/*/*.[ch] \
	receiver/*.[ch] test/unit/*.[ch] test/fuzz/*.[ch] bench/*.c))
format:
	clang-format -i $(C_SOURCES)

check-style:
	@clang-format --dry-run -Werror $(C_SOURCES) && echo "check-style: ok ($(words $(C_SOURCES)) files)"
	@sh tools/check-spdx

# One-way layers and SQL only in src/store/ (docs/architecture.md).
check-layers:
	@sh tools/check-layers

MANDIR ?= $(DATADIR)/man
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
PKGCONFIGDIR ?= $(DATADIR)/pkgconfig
# What is installed (docs/packaging.md): the drivers but not the template skel.so; the driver
# ABI header for out-of-tree drivers with its pkg-config file; greendc-receiver as
# greendc-receiver. dcsim and gdcfill are development tools and stay in the build folder.
INSTALL_DRIVER_SOS = $(filter-out $(O)/drivers/skel.so,$(DRIVER_SOS))
UNITS_IN = greendcd.service greendc-report.service greendc-report-annual.service \
	greendc-receiver.service
DRIVER_ABI = $(shell sed -n 's/^\#define GDC_DRIVER_ABI *\([0-9]*\).*/\1/p' include/greendc/driver.h)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(DRIVERDIR) $(DESTDIR)$(PROFILEDIR)
	install -d $(DESTDIR)$(DATADIR)/greendc $(DESTDIR)$(SYSTEMDDIR)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/greendc $(DESTDIR)$(SYSCONFDIR)/greendc/conf.d
	install -d -m 0700 $(DESTDIR)$(SYSCONFDIR)/greendc/secrets
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/greendc-receiver
	install -m 0755 $(O)/greendcd $(DESTDIR)$(SBINDIR)/greendcd
	install -m 0755 $(O)/greendc $(DESTDIR)$(BINDIR)/greendc
	install -m 0755 $(O)/greendc-receiver $(DESTDIR)$(SBINDIR)/greendc-receiver
	install -m 0644 $(INSTALL_DRIVER_SOS) $(DESTDIR)$(DRIVERDIR)/
	cp -R etc/profiles/. $(DESTDIR)$(PROFILEDIR)/
	install -d $(DESTDIR)$(DATADIR)/greendc/web $(DESTDIR)$(DATADIR)/greendc/grafana
	cp -R dashboards/web/. $(DESTDIR)$(DATADIR)/greendc/web/
	install -m 0644 dashboards/grafana/*.json $(DESTDIR)$(DATADIR)/greendc/grafana/
	sed -e 's|@DATADIR@|$(DATADIR)|g' dashboards/grafana/provisioning.yaml.in \
		>$(DESTDIR)$(DATADIR)/greendc/grafana/provisioning.yaml
	chmod 0644 $(DESTDIR)$(DATADIR)/greendc/grafana/provisioning.yaml
	install -d $(DESTDIR)$(INCLUDEDIR)/greendc $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0644 include/greendc/driver.h $(DESTDIR)$(INCLUDEDIR)/greendc/driver.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
		-e 's|@DRIVERDIR@|$(DRIVERDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
		-e 's|@DRIVER_ABI@|$(DRIVER_ABI)|g' include/greendc-driver.pc.in \
		>$(DESTDIR)$(PKGCONFIGDIR)/greendc-driver.pc
	install -m 0644 etc/greendc.yaml $(DESTDIR)$(SYSCONFDIR)/greendc/greendc.yaml.example
	install -d $(DESTDIR)$(DATADIR)/greendc/regulator
	install -m 0644 etc/regulator/example.json $(DESTDIR)$(DATADIR)/greendc/regulator/example.json
	install -m 0644 man/greendc.1 $(DESTDIR)$(MANDIR)/man1/greendc.1
	install -m 0644 man/greendc.yaml.5 $(DESTDIR)$(MANDIR)/man5/greendc.yaml.5
	install -m 0644 man/greendcd.8 man/greendc-receiver.8 $(DESTDIR)$(MANDIR)/man8/
	for u in $(UNITS_IN); do \
		sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
			-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
			systemd/$$u.in >$(DESTDIR)$(SYSTEMDDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/$$u || exit 1; \
	done
	install -m 0644 systemd/greendc-report.timer systemd/greendc-report-annual.timer \
		$(DESTDIR)$(SYSTEMDDIR)/
	install -d $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 systemd/greendc.sysusers $(DESTDIR)$(SYSUSERSDIR)/greendc.conf
	install -m 0644 systemd/greendc-receiver.sysusers $(DESTDIR)$(SYSUSERSDIR)/greendc-receiver.conf
	install -m 0644 systemd/greendc.tmpfiles $(DESTDIR)$(TMPFILESDIR)/greendc.conf
	install -m 0644 completion/greendc.bash $(DESTDIR)$(BASHCOMPDIR)/greendc
	install -d $(DESTDIR)$(DATADIR)/doc/greendc
	install -m 0644 README.md LICENSE NOTICE docs/*.md docs/*.schema.json \
		$(DESTDIR)$(DATADIR)/doc/greendc/
	@# A real install (no DESTDIR, as root) also creates the users and the state folder the
	@# units need; a staged one (DESTDIR, packages) leaves that to the package's postinst.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v systemd-sysusers >/dev/null; then \
		echo "systemd-sysusers greendc.conf greendc-receiver.conf; systemd-tmpfiles --create greendc.conf"; \
		systemd-sysusers greendc.conf greendc-receiver.conf && \
		systemd-tmpfiles --create greendc.conf; \
	fi

# The Debian packages (debian/, docs/packaging.md). dpkg-buildpackage writes its results next
# to the source folder, so it runs on a copy of the tree in $(DEB_DIR)/greendc: the .debs,
# .buildinfo and .changes land in $(DEB_DIR) and the tree stays clean. The copy is what git
# would commit (tracked and untracked, minus .gitignore) or, outside git, the tree minus
# build folders.
DEB_DIR = $(O)/deb
deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/greendc
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | grep -zv '^$(O)/' | \
			tar --null -T - --ignore-failed-read -cf - 2>/dev/null; \
	else \
		tar --exclude='./build*' --exclude='./$(O)' --exclude=./test-output --exclude=./.git \
			-cf - .; \
	fi | tar -xf - -C $(DEB_DIR)/greendc
	cd $(DEB_DIR)/greendc && dpkg-buildpackage -us -uc -b -j2
	@ls -1 $(DEB_DIR)/*.deb

clean:
	rm -rf build build-san

# Dependency files of this build only: not the package build's copy in $(DEB_DIR), whose
# staged trees also hold folders named sysusers.d and tmpfiles.d.
-include $(shell find $(O) -path $(DEB_DIR) -prune -o -name '*.d' -type f -print 2>/dev/null)
