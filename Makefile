# cats: Computing-Aware Traffic Steering with mobility support.
#
#   make          build the library and programs (build/)
#   make check    unit tests with ASan+UBSan, then the shell tests (tshark ...)
#   make bench    benchmarks, "name: value unit" lines
#   make fuzz     every libFuzzer harness for FUZZ_SECONDS each
#   make deps     install the Debian packages the project needs (root)

CC       ?= cc
FUZZ_CC  ?= clang
O        ?= build
FUZZ_SECONDS ?= 20

WARN     := -Wall -Wextra -Wshadow -Wmissing-prototypes -Werror
CSTD     := -std=c17 -D_DEFAULT_SOURCE
CPPFLAGS += -Iinclude -Isrc
CFLAGS   ?= -O2 -g
CFLAGS   += $(CSTD) $(WARN)
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=all

CORE_SRC := $(wildcard src/core/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(O)/%.o)
CORE_SAN := $(CORE_SRC:%.c=$(O)/san/%.o)

CTL_SRC  := $(wildcard src/catsctl/*.c)
CTL_OBJ  := $(CTL_SRC:%.c=$(O)/%.o)
CTL_LIBS := -ljansson -lpcap

TEST_SRC := $(wildcard tests/unit/test_*.c)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(O)/san/tests/%)
SHTESTS  := $(sort $(wildcard tests/sh/*.sh))

BENCH_SRC := $(wildcard bench/bench_*.c)
BENCHES   := $(BENCH_SRC:bench/%.c=$(O)/bench/%)

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS  := $(FUZZ_SRC:tests/fuzz/%.c=$(O)/fuzz/%)

PROGS    := $(O)/catsctl

.PHONY: all check unit shtest bench fuzz fuzz-build deps deps-check clean
all: deps-check $(PROGS)

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

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CSTD) $(WARN) $(SANFLAGS) -MMD -MP -c -o $@ $<

$(O)/catsctl: $(CTL_OBJ) $(O)/libcats.a
	$(CC) $(CFLAGS) -o $@ $^ $(CTL_LIBS) -lm

# Unit tests link the sanitized core and, where they test catsctl's
# helpers, its objects too (everything but main).
CTL_SAN_LIB := $(filter-out $(O)/san/src/catsctl/main.o,$(CTL_SRC:%.c=$(O)/san/%.o))
$(O)/san/tests/%: tests/unit/%.c $(CTL_SAN_LIB) $(O)/san/libcats.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests $(CSTD) $(WARN) $(SANFLAGS) -o $@ $^ \
		-lcmocka $(CTL_LIBS) -lm

$(O)/san/catsctl: $(CTL_SRC:%.c=$(O)/san/%.o) $(O)/san/libcats.a
	$(CC) $(SANFLAGS) -o $@ $^ $(CTL_LIBS) -lm

$(O)/bench/%: bench/%.c $(O)/libcats.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ibench $(CSTD) $(WARN) -O2 -g -march=native -o $@ $^ -lm

$(O)/fuzz/%: tests/fuzz/%.c $(CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(CSTD) $(WARN) -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $^ -lm

check: deps-check $(PROGS) $(O)/san/catsctl unit shtest

unit: $(TESTS)
	@scripts/run-tests.sh unit $(TESTS)

shtest: $(PROGS) $(O)/san/catsctl
	@scripts/run-tests.sh sh $(SHTESTS)

bench: deps-check $(BENCHES)
	@for b in $(BENCHES); do $$b || exit 1; done

fuzz-build: $(FUZZERS)

fuzz: deps-check $(FUZZERS)
	@for f in $(FUZZERS); do \
		n=$$(basename $$f); c=$(O)/fuzz-corpus/$$n; mkdir -p $$c; \
		echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$$c tests/fuzz/seeds/$${n#fuzz_} 2>$(O)/fuzz-$$n.log || \
			{ tail -n 40 $(O)/fuzz-$$n.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' $(O)/fuzz-$$n.log; \
	done

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
