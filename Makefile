# cats: Computing-Aware Traffic Steering with mobility support.
#
#   make          build the library and programs (build/)
#   make check    unit tests with ASan+UBSan, shell tests (tshark ...), fuzzing
#   make bench    benchmarks, "name: value unit" lines
#   make fuzz     every libFuzzer harness for FUZZ_SECONDS (60) each
#   make fuzz-corpus  every harness 10 min, the corpus into tests/fuzz/corpus
#   make deps     install the Debian packages the project needs (root)

CC       ?= cc
FUZZ_CC  ?= clang
O        ?= build
FUZZ_SECONDS ?= 60
# make fuzz-corpus: seconds per harness
FUZZ_LONG ?= 600

WARN     := -Wall -Wextra -Wshadow -Wmissing-prototypes -Werror
CSTD     := -std=c17 -D_DEFAULT_SOURCE
CPPFLAGS += -Iinclude -Isrc
CFLAGS   ?= -O2 -g
CFLAGS   += $(CSTD) $(WARN)
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=all

CORE_SRC := $(wildcard src/core/*.c)
# The core signs and verifies signaling with HMAC-SHA-256 (src/core/auth.c).
CORE_LIBS := -lcrypto
CORE_OBJ := $(CORE_SRC:%.c=$(O)/%.o)
CORE_SAN := $(CORE_SRC:%.c=$(O)/san/%.o)

CTL_SRC  := $(wildcard src/catsctl/*.c)
CTL_OBJ  := $(CTL_SRC:%.c=$(O)/%.o)
CTL_LIBS := -ljansson -lpcap

SIM_SRC  := $(wildcard src/sim/*.c)
CATSD_SRC := $(wildcard src/catsd/*.c)
SIM_OBJ  := $(SIM_SRC:%.c=$(O)/%.o)

TEST_SRC := $(wildcard tests/unit/test_*.c)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(O)/san/tests/%)
SHTESTS  := $(sort $(wildcard tests/sh/*.sh))

BENCH_SRC := $(wildcard bench/bench_*.c)
BENCHES   := $(BENCH_SRC:bench/%.c=$(O)/bench/%)

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS  := $(FUZZ_SRC:tests/fuzz/%.c=$(O)/fuzz/%)

PROGS    := $(O)/catsctl $(O)/cats-sim $(O)/catsd

# The reference edge service and its client (apps/, docs/apps.md): the
# testbed's measurable service; the shell test runs the sanitized builds.
# cats-delay: the testbed's delay line (a TUN; this kernel has no netem).
APP_SAN_LIB := $(O)/san/apps/appproto.o
APPS     := $(O)/cats-edge $(O)/cats-client $(O)/cats-delay
APPS_SAN := $(O)/san/cats-edge $(O)/san/cats-client $(O)/san/cats-delay
PROGS    += $(APPS)

# The kernel data plane (rtnetlink through libmnl): src/io, its test tool.
IO_SRC   := $(wildcard src/io/*.c)
IO_OBJ   := $(IO_SRC:%.c=$(O)/%.o)
IO_SAN_LIB := $(IO_SRC:%.c=$(O)/san/%.o)
IO_LIBS  := -lmnl -lbpf -lelf -lz
IO_TOOLS := $(O)/kroute_tool $(O)/san/kroute_tool

.PHONY: all check unit shtest bench fuzz fuzz-corpus fuzz-build deps deps-check clean demo lint \
	check-the-checks results install uninstall
# Objects made on the way to a test are kept: make's cleanup of them would
# otherwise print after make check's closing line.
.SECONDARY:
all: deps-check $(PROGS)
all: $(O)/libcatsio.a $(IO_TOOLS)

deps:
	@scripts/deps.sh

# Install what is missing before building (needs root); otherwise say what.
deps-check:
	@scripts/deps.sh --check 2>/dev/null || scripts/deps.sh

$(O)/libcats.a: $(CORE_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(O)/san/libcats.a: $(CORE_SAN)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(O)/libcatsio.a: $(IO_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(O)/san/libcatsio.a: $(IO_SAN_LIB)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# The eBPF data plane (src/bpf, docs/dataplane.md): tc programs built for
# the BPF target and embedded in the backend (src/io/dp_bpf.c) as a libbpf
# skeleton, so catsd needs no object file at run time.
BPF_CC   ?= clang
BPF_CFLAGS := -O2 -g -target bpf -Wall -Wextra -Werror \
	-I/usr/include/$(shell $(CC) -print-multiarch) -Isrc/bpf
$(O)/bpf/cats.bpf.o: src/bpf/cats.bpf.c src/bpf/maps.h
	@mkdir -p $(@D)
	$(BPF_CC) $(BPF_CFLAGS) -c -o $@ $<
$(O)/bpf/cats.skel.h: $(O)/bpf/cats.bpf.o
	bpftool gen skeleton $< name cats_bpf >$@.tmp && mv $@.tmp $@
$(O)/src/io/dp_bpf.o $(O)/san/src/io/dp_bpf.o: $(O)/bpf/cats.skel.h
$(O)/src/io/dp_bpf.o $(O)/san/src/io/dp_bpf.o: CPPFLAGS += -I$(O)/bpf -Isrc/bpf
# The programs' unit test loads them from the skeleton.  Order-only: in
# $^ the header would be compiled too (a failed build then leaves a
# precompiled header as the test); dp_bpf.o, which the test links, is
# rebuilt when the skeleton changes, and the test with it.
$(O)/san/tests/test_bpf: | $(O)/bpf/cats.skel.h
$(O)/san/tests/test_bpf: CPPFLAGS += -I$(O)/bpf -Isrc/bpf

$(O)/kroute_tool: tests/io/kroute_tool.c $(O)/libcatsio.a $(O)/libcats.a
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(IO_LIBS) $(CORE_LIBS)

$(O)/san/kroute_tool: tests/io/kroute_tool.c $(O)/san/libcatsio.a $(O)/san/libcats.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CSTD) $(WARN) $(SANFLAGS) -o $@ $^ $(IO_LIBS) $(CORE_LIBS)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CSTD) $(WARN) $(SANFLAGS) -MMD -MP -c -o $@ $<

$(O)/catsctl: $(CTL_OBJ) $(O)/libcats.a
	$(CC) $(CFLAGS) -o $@ $^ $(CTL_LIBS) -lm $(CORE_LIBS)

$(O)/cats-sim: $(SIM_OBJ) $(O)/libcatsio.a $(O)/libcats.a
	$(CC) $(CFLAGS) -o $@ $^ $(IO_LIBS) -lm $(CORE_LIBS)

# The daemon: src/catsd, the kernel data plane, libev and jansson.
# Transaction switching (xfer.c) speaks the edge's protocol (apps/).
# It drops to its user with libcap-ng and filters its calls with
# libseccomp (src/catsd/priv.c).
CATSD_LIBS := -ljansson -lev -lseccomp -lcap-ng -lmicrohttpd $(IO_LIBS) -lm $(CORE_LIBS)
$(O)/src/catsd/xfer.o $(O)/san/src/catsd/xfer.o: CPPFLAGS += -Iapps
# It checks "bgp route" requests with catsctl's checker (bgp_route.c,
# which reads a raw TLV's octets with hex.c).
# Its "show bgp routes" is catsctl's "pkt bgp" naming (bgp_json.c).
CATSD_CTL := src/catsctl/bgp_route.c src/catsctl/hex.c src/catsctl/bgp_json.c
$(O)/catsd: $(CATSD_SRC:%.c=$(O)/%.o) $(O)/apps/appproto.o $(CATSD_CTL:%.c=$(O)/%.o) $(O)/libcatsio.a $(O)/libcats.a
	$(CC) $(CFLAGS) -o $@ $^ $(CATSD_LIBS)

$(O)/san/catsd: $(CATSD_SRC:%.c=$(O)/san/%.o) $(APP_SAN_LIB) $(CATSD_CTL:%.c=$(O)/san/%.o) $(O)/san/libcatsio.a $(O)/san/libcats.a
	$(CC) $(SANFLAGS) -o $@ $^ $(CATSD_LIBS)

$(O)/cats-edge: $(O)/apps/edge.o $(O)/apps/appproto.o
	$(CC) $(CFLAGS) -o $@ $^ -lev

$(O)/cats-client: $(O)/apps/client.o $(O)/apps/appproto.o $(O)/src/catsctl/hex.o
	$(CC) $(CFLAGS) -o $@ $^ -lm

$(O)/cats-delay: $(O)/apps/delay.o
	$(CC) $(CFLAGS) -o $@ $^

$(O)/san/cats-edge: $(O)/san/apps/edge.o $(APP_SAN_LIB)
	$(CC) $(SANFLAGS) -o $@ $^ -lev

$(O)/san/cats-client: $(O)/san/apps/client.o $(APP_SAN_LIB) $(O)/san/src/catsctl/hex.o
	$(CC) $(SANFLAGS) -o $@ $^ -lm

$(O)/san/cats-delay: $(O)/san/apps/delay.o
	$(CC) $(SANFLAGS) -o $@ $^

# Unit tests link the sanitized core and, where they test catsctl's or the
# simulator's helpers, their objects too (everything but main).
CTL_SAN_LIB := $(filter-out $(O)/san/src/catsctl/main.o,$(CTL_SRC:%.c=$(O)/san/%.o))
SIM_SAN_LIB := $(filter-out $(O)/san/src/sim/main.o,$(SIM_SRC:%.c=$(O)/san/%.o))
# ... and the daemon's objects that stand alone: its configuration parser
# and printer (the others call into catsd.c and libev).
CATSD_SAN_LIB := $(filter $(O)/san/src/catsd/conf%.o,$(CATSD_SRC:%.c=$(O)/san/%.o))
$(O)/san/tests/%: tests/unit/%.c $(CTL_SAN_LIB) $(SIM_SAN_LIB) $(APP_SAN_LIB) $(IO_SAN_LIB) $(CATSD_SAN_LIB) $(O)/san/libcats.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests -Iapps $(CSTD) $(WARN) $(SANFLAGS) -o $@ $^ \
		-lcmocka $(CTL_LIBS) $(IO_LIBS) -lm $(CORE_LIBS)
# test_ctl runs control.c's parser: it links the rest of the daemon too,
# catsd.c with its main renamed (as for fuzz_ctl).
$(O)/san/catsd-nomain.o: src/catsd/catsd.c
	$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -Wno-missing-prototypes \
		-Dmain=catsd_main $(SANFLAGS) -MMD -MP -c -o $@ $<
$(O)/san/tests/test_ctl: tests/unit/test_ctl.c $(filter-out %/catsd.o,\
	$(CATSD_SRC:%.c=$(O)/san/%.o)) $(O)/san/catsd-nomain.o $(APP_SAN_LIB) \
	$(CATSD_CTL:%.c=$(O)/san/%.o) $(O)/san/libcatsio.a $(O)/san/libcats.a
	$(CC) $(CPPFLAGS) -Itests $(CSTD) $(WARN) $(SANFLAGS) -o $@ $^ \
		-lcmocka $(CATSD_LIBS)

$(O)/san/catsctl: $(CTL_SRC:%.c=$(O)/san/%.o) $(O)/san/libcats.a
	$(CC) $(SANFLAGS) -o $@ $^ $(CTL_LIBS) -lm $(CORE_LIBS)

$(O)/san/cats-sim: $(SIM_SRC:%.c=$(O)/san/%.o) $(O)/san/libcatsio.a $(O)/san/libcats.a
	$(CC) $(SANFLAGS) -o $@ $^ $(IO_LIBS) -lm $(CORE_LIBS)

# Benchmarks build the core with them, tuned for this machine.
$(O)/bench/%: bench/%.c bench/bench.h $(CORE_SRC)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ibench -Itests $(CSTD) $(WARN) -O2 -g -march=native -o $@ \
		$(filter %.c,$^) -lm $(CORE_LIBS)

# The data-plane layer's benchmark builds it (src/io with the eBPF
# skeleton, libmnl, libbpf) with it.
$(O)/bench/bench_dp: bench/bench_dp.c bench/bench.h $(IO_SRC) $(CORE_SRC) $(O)/bpf/cats.skel.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I$(O)/bpf -Isrc/bpf -Ibench $(CSTD) $(WARN) -O2 -g \
		-march=native -o $@ $(filter %.c,$^) $(IO_LIBS) -lm $(CORE_LIBS)

# cats-sim's scale engine plays handovers with the packet-level simulator
# (all of src/sim but the command line) on src/io's memory data plane: its
# benchmark and its world file's harness build them with it.
SIM_LIB_SRC := $(filter-out src/sim/main.c src/sim/scale_main.c,$(SIM_SRC))
$(O)/bench/bench_sim: bench/bench_sim.c bench/bench.h $(CORE_SRC) $(SIM_LIB_SRC) $(IO_SRC) $(O)/bpf/cats.skel.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I$(O)/bpf -Isrc/bpf -Ibench $(CSTD) $(WARN) -O2 -g \
		-march=native -o $@ $(filter %.c,$^) $(IO_LIBS) -lm $(CORE_LIBS)

$(O)/fuzz/fuzz_world: tests/fuzz/fuzz_world.c $(CORE_SRC) $(SIM_LIB_SRC) $(IO_SRC) $(O)/bpf/cats.skel.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -I$(O)/bpf -Isrc/bpf $(CSTD) $(WARN) -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $(filter %.c,$^) \
		$(IO_LIBS) -lm $(CORE_LIBS)

$(O)/fuzz/%: tests/fuzz/%.c $(CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(CSTD) $(WARN) -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $^ -lm $(CORE_LIBS)

$(O)/fuzz/fuzz_kroute: tests/fuzz/fuzz_kroute.c src/io/kroute.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(CSTD) $(WARN) -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $^ $(IO_LIBS)

$(O)/fuzz/fuzz_appproto: tests/fuzz/fuzz_appproto.c apps/appproto.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -Iapps $(CSTD) $(WARN) -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $^

# The configuration parser's harness links it and its printer.
$(O)/fuzz/fuzz_conf: tests/fuzz/fuzz_conf.c $(CORE_SRC) $(wildcard src/catsd/conf*.c)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(CSTD) $(WARN) -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $^ -ljansson -lm $(CORE_LIBS)

# Harnesses of catsctl's parsers link its objects (all but main) too.
CTL_LIB_SRC := $(filter-out src/catsctl/main.c,$(CTL_SRC))
$(O)/fuzz/fuzz_frame $(O)/fuzz/fuzz_pktjson $(O)/fuzz/fuzz_bgp_route $(O)/fuzz/fuzz_bgpdump: $(O)/fuzz/%: tests/fuzz/%.c $(CORE_SRC) $(CTL_LIB_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(CSTD) $(WARN) -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $^ $(CTL_LIBS) -lm $(CORE_LIBS)

# The control socket's parser (control.c) links the whole daemon, its main
# renamed (libFuzzer has its own; so no prototype check for that build).
$(O)/fuzz/fuzz_ctl: tests/fuzz/fuzz_ctl.c $(CORE_SRC) $(CATSD_SRC) $(IO_SRC) apps/appproto.c $(CATSD_CTL) $(O)/bpf/cats.skel.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -I$(O)/bpf -Isrc/bpf -Iapps $(CSTD) $(WARN) \
		-Wno-missing-prototypes -Dmain=catsd_main -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $(filter %.c,$^) \
		$(CATSD_LIBS)

# The one test command of the README and of CI: unit tests under ASan and
# UBSan, the shell tests (tshark, catsctl), then every fuzz harness for
# FUZZ_SECONDS; the last line sums them all.
check: deps-check $(PROGS) $(O)/san/catsctl $(TESTS) $(FUZZERS)
	@rm -f $(O)/check.counts
	@export O=$(O) FUZZ_SECONDS=$(FUZZ_SECONDS) CHECK_COUNTS=$(O)/check.counts; \
	if scripts/lint.sh; then l="1 0"; else l="0 1"; fi; echo "lint $$l 0" >>$(O)/check.counts; \
	scripts/run-tests.sh unit $(TESTS); \
	scripts/run-tests.sh sh $(SHTESTS); \
	scripts/run-tests.sh fuzz $(FUZZERS); \
	scripts/run-tests.sh total $(O)/check.counts

# The namespace tests (tests/sh/kroute.sh, catsd.sh) run sanitized builds.
check shtest: $(IO_TOOLS) $(O)/san/catsd

# The apps test (tests/sh/apps.sh) runs the sanitized edge and client.
check shtest: $(APPS_SAN)

# The scale test (tests/sh/scale.sh) runs the sanitized cats-sim.
check shtest: $(O)/san/cats-sim

# The BGP test (tests/sh/bgp.sh) sends test_bgp's malformed table with the
# benchmark's sender.
check shtest: $(O)/bgp-blast $(O)/san/tests/test_bgp

# Whether the suite goes red when it should: deliberate faults, each in a
# copy of the tree, and the tests that must catch them
# (scripts/check-the-checks.sh; root; about 10 min).
check-the-checks: deps-check $(PROGS)
	@scripts/check-the-checks.sh

# docs/results.md and its plots from cats-sim's scale runs (a few minutes).
results: deps-check $(O)/cats-sim
	@O=$(O) scripts/results.sh

# The README's main command.
demo: deps-check $(PROGS)
	@O=$(O) scripts/demo.sh

# The shell tests' lint (scripts/lint.sh): checks that cannot fail, bare
# sleeps.  make check runs it first and counts it as one test.
lint:
	@scripts/lint.sh

unit: $(TESTS)
	@scripts/run-tests.sh unit $(TESTS)

shtest: $(PROGS) $(O)/san/catsctl
	@scripts/run-tests.sh sh $(SHTESTS)

# The benchmarks of the core, then the testbed's handover and set-up times
# (docs/testbed.md) as root with ip netns; else one line says why not (77).
bench: deps-check $(BENCHES) $(PROGS) $(O)/bgp-blast $(IO_TOOLS)
	@for b in $(BENCHES); do $$b || exit 1; done
	@O=$(O) bench/bgp_ingest.sh; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 77 ]
	@bench/dp_forward.sh; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 77 ]
	@testbed/run.sh bench; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 77 ]

# The signaling flood of the load test (tests/sh/load.sh): valid, forged,
# malformed and strangers' messages mixed, at a set rate.
check shtest: $(O)/mh-flood
$(O)/mh-flood: bench/mh_flood.c $(O)/libcats.a
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ bench/mh_flood.c $(O)/libcats.a -lm $(CORE_LIBS)

# The peer that benchmarks and tests a BGP speaker: the same UPDATE stream
# to catsd and to gobgpd (bench/bgp_ingest.sh), malformed messages to catsd
# (tests/sh/bgp.sh).
$(O)/bgp-blast: bench/bgp_blast.c bench/bgpgen.h bench/bench.h $(O)/libcats.a
	$(CC) $(CPPFLAGS) -Ibench $(CFLAGS) -o $@ bench/bgp_blast.c $(O)/libcats.a -lm $(CORE_LIBS)

fuzz-build: $(FUZZERS)

fuzz: deps-check $(FUZZERS)
	@O=$(O) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/run-tests.sh fuzz $(FUZZERS)

# The long campaign: every harness 10 minutes, its corpus minimized into
# tests/fuzz/corpus/ (scripts/fuzz-corpus.sh; about 2.5 h on one core).
fuzz-corpus: deps-check $(FUZZERS)
	@O=$(O) FUZZ_SECONDS=$(FUZZ_LONG) scripts/fuzz-corpus.sh $(FUZZERS)

# make install [PREFIX=/usr/local] [DESTDIR=]: the programs as built in
# $(O) (catsd in sbin), catsd(8), catsctl(8), catsd.conf(5), the examples,
# the systemd unit (written from its .in with the installed paths),
# catsctl's bash completion and, when it exists, the Wireshark dissector.
# Every directory can be set on its own; tests/sh/install.sh installs
# into a DESTDIR and checks the tree.
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
DOCDIR   ?= $(PREFIX)/share/doc/cats
# catsd's own default file is /etc/catsd.json, whatever PREFIX is.
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# Wireshark's global Lua plugins are in /usr/lib/MULTIARCH/wireshark/plugins
# ("tshark -G folders"): with PREFIX=/usr the dissector goes there; under
# another PREFIX it stays under it (Wireshark does not look there: set
# WIRESHARK_PLUGINDIR, or copy it to ~/.local/lib/wireshark/plugins).
WIRESHARK_PLUGINDIR ?= $(PREFIX)/lib/$(shell $(CC) -print-multiarch)/wireshark/plugins
INSTALL  ?= install
MANPAGES := docs/man/catsd.8 docs/man/catsctl.8 docs/man/catsd.conf.5
EXAMPLES := $(filter-out %~,$(wildcard examples/*))
DISSECTOR := $(wildcard dist/wireshark/cats.lua)
BIN_PROGS := $(filter-out $(O)/catsd,$(PROGS))

# The unit is written at each install: PREFIX may not be the last one's.
install: $(PROGS)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/systemd/catsd.service.in >$(O)/catsd.service
	$(INSTALL) -D -m 0755 $(O)/catsd $(DESTDIR)$(SBINDIR)/catsd
	for p in $(BIN_PROGS:$(O)/%=%); do \
		$(INSTALL) -D -m 0755 $(O)/$$p $(DESTDIR)$(BINDIR)/$$p || exit 1; \
	done
	for m in $(MANPAGES); do \
		$(INSTALL) -D -m 0644 $$m \
		    $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/} || exit 1; \
	done
	for f in $(EXAMPLES); do \
		$(INSTALL) -D -m 0644 $$f $(DESTDIR)$(DOCDIR)/$$f || exit 1; \
	done
	$(INSTALL) -D -m 0644 $(O)/catsd.service $(DESTDIR)$(SYSTEMDUNITDIR)/catsd.service
	$(INSTALL) -D -m 0644 dist/bash-completion/catsctl $(DESTDIR)$(BASHCOMPDIR)/catsctl
	$(if $(DISSECTOR),$(INSTALL) -D -m 0644 $(DISSECTOR) $(DESTDIR)$(WIRESHARK_PLUGINDIR)/cats.lua)

# What install put, and the documentation's directories once empty.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/catsd $(BIN_PROGS:$(O)/%=$(DESTDIR)$(BINDIR)/%) \
		$(foreach m,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
		$(EXAMPLES:%=$(DESTDIR)$(DOCDIR)/%) \
		$(DESTDIR)$(SYSTEMDUNITDIR)/catsd.service \
		$(DESTDIR)$(BASHCOMPDIR)/catsctl $(DESTDIR)$(WIRESHARK_PLUGINDIR)/cats.lua
	for d in $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR); do \
		[ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d || exit 1; \
	done

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
