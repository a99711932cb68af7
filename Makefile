# mxray — build, test, run, bench, install.  See README.md.
PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
PKGS    := ncursesw sqlite3 jansson libpsl libidn2 libarchive zlib libcares openssl avro-c snappy
OPT     ?= -O2 -g
WERROR  ?=
SANFLAGS ?=

# Check the Debian packages first (installs them when run as root).
ifeq ($(filter clean distclean,$(MAKECMDGOALS)),)
DEPS_MODE := $(if $(filter bench,$(MAKECMDGOALS)),bench,$(if $(filter lint,$(MAKECMDGOALS)),lint,$(if $(filter test unit cli asan run crashtest,$(MAKECMDGOALS)),test,build)))
DEPS_RC := $(shell sh .ci/deps $(DEPS_MODE) >&2; echo $$?)
ifneq ($(DEPS_RC),0)
$(error missing build dependencies (see the message above))
endif
endif

CFLAGS  += -std=c11 -Wall -Wextra $(WERROR) $(OPT) $(SANFLAGS) \
           -D_XOPEN_SOURCE=700 -D_XOPEN_SOURCE_EXTENDED -D_DEFAULT_SOURCE \
           -Iinclude $(filter-out -D_XOPEN_SOURCE=% -D_DEFAULT_SOURCE,$(shell pkg-config --cflags $(PKGS)))
LDFLAGS += $(SANFLAGS)
LDLIBS  := $(shell pkg-config --libs $(PKGS)) -lm -pthread
TESTLIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

ENGINE_SRC := $(filter-out src/main.c,$(wildcard src/*.c))
UI_SRC     := $(wildcard ui/*.c)
CLI_SRC    := $(wildcard src/cli/*.c)
MXGEN_SRC  := $(wildcard tools/mxgen/*.c)
TEST_SRC   := $(wildcard tests/test_*.c)
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/kb_default.o
UI_OBJ     := $(UI_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ    := $(CLI_SRC:%.c=$(BUILD)/%.o)
MXGEN_OBJ  := $(MXGEN_SRC:%.c=$(BUILD)/%.o)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
LIB        := $(BUILD)/libmxray.a

ifeq ($(BUILD),build)
MXRAY := mxray
MXGEN := mxgen
else
MXRAY := $(BUILD)/mxray
MXGEN := $(BUILD)/mxgen
endif

.SECONDARY:
.PHONY: all test unit cli asan run bench fuzz install uninstall clean sample-data lint funclen crashtest
all: $(MXRAY) $(MXGEN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# The default knowledge base, compiled in as a byte array.
$(BUILD)/kb_default.c: src/kb-default.json
	@mkdir -p $(dir $@)
	{ echo '/* generated from src/kb-default.json */'; \
	  echo 'const char kb_default_json[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0};'; \
	  echo 'const unsigned long kb_default_json_len = sizeof kb_default_json - 1;'; } > $@
$(BUILD)/kb_default.o: $(BUILD)/kb_default.c
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(ENGINE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# The command line: main.c dispatches to the handlers in src/cli/.
$(MXRAY): $(BUILD)/src/main.o $(CLI_OBJ) $(UI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The sample-data generator (tools/mxgen/) reuses the engine's util helpers.
$(MXGEN): $(MXGEN_OBJ) $(BUILD)/src/util.o
	$(CC) $(LDFLAGS) -o $@ $^ -lm

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(UI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(TESTLIBS)

# make test: every cmocka unit test and the CLI end-to-end tests, several at
# a time (tests/suite.sh: each one's output printed whole, in this order,
# and the failed ones named at the end); the build runs TEST_JOBS
# compilers at once (default: one per core).
CLI_TESTS := $(addprefix tests/cli/,run.sh golden.sh tui.sh probe.sh diskfull.sh concurrent.sh partial.sh)
SUITE = sh tests/suite.sh $(abspath $(MXRAY)) $(abspath $(MXGEN))
ifneq ($(filter test unit cli crashtest,$(MAKECMDGOALS)),)
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
MAKEFLAGS += -j$(TEST_JOBS)
endif
test: $(TEST_BIN) $(MXRAY) $(MXGEN)
	@$(SUITE) $(TEST_BIN) $(CLI_TESTS)
unit: $(TEST_BIN)
	@$(SUITE) $(TEST_BIN)
# (after unit when both are asked for: one suite's output at a time)
cli: $(MXRAY) $(MXGEN) | $(filter unit,$(MAKECMDGOALS))
	@$(SUITE) $(CLI_TESTS)

# The same tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" test

# Build, import the sample data into $(BUILD)/run.db (build/run.db), infer,
# and open the review desk on it.  The database is kept, with the desk's
# decisions: an import of the same files again adds nothing, and infer
# re-applies them.
run: all
	@mkdir -p $(BUILD)
	@for d in $(SNAPSHOTS); do dir=sample-data; [ $$d = 2021-06-08 ] || dir=sample-data/$$d; \
	  echo "$(MXRAY) import --db $(BUILD)/run.db --snapshot $$d ... ($$dir)"; \
	  $(MXRAY) import --db $(BUILD)/run.db --snapshot $$d --quiet \
	    --list alexa --targets $$dir/targets-alexa.txt \
	    --list com --targets $$dir/targets-com.txt \
	    --list gov --targets $$dir/targets-gov.txt \
	    --dns $$dir/dns.jsonl \
	    --scans $$dir/scans-censys.jsonl --scans $$dir/scans-zgrab2.jsonl \
	    --scans $$dir/scans-censys2.jsonl \
	    --pfx2as sample-data/pfx2as.txt --asorg sample-data/as2org.txt || exit 1; done
	$(MXRAY) stats --db $(BUILD)/run.db
	$(MXRAY) infer --db $(BUILD)/run.db --all
	$(MXRAY) review --db $(BUILD)/run.db

# Static analysis: cppcheck and clang's analyzer over src/ and ui/; a
# finding fails unless tools/lint.supp gives the reason it is no defect.
# Then the function-length check (funclen); both run, either fails it.
lint:
	@rc=0; sh tools/lint.sh "$(filter-out -O% -g -Werror,$(CFLAGS))" || rc=1; \
	  sh tools/funclen.sh $(FUNC_MAX) $(FUNCLEN_SRC) || rc=1; exit $$rc

# No function in src/, src/cli/, ui/ or tools/mxgen/ longer than FUNC_MAX lines.
FUNC_MAX ?= 150
FUNCLEN_SRC = $(wildcard src/*.c src/cli/*.c ui/*.c tools/mxgen/*.c)
funclen:
	@sh tools/funclen.sh $(FUNC_MAX) $(FUNCLEN_SRC)

# kill -9 at CRASH_ROUNDS seeded points of import, infer and the review
# desk; then the database must be sound, readable, and lose no decision.
CRASH_ROUNDS ?= 25
CRASH_SEED ?= 1
crashtest: $(MXRAY) $(MXGEN)
	@CRASH_ROUNDS=$(CRASH_ROUNDS) CRASH_SEED=$(CRASH_SEED) sh tests/crashtest.sh $(abspath $(MXRAY)) $(abspath $(MXGEN))

bench: all
	@sh tests/bench.sh $(abspath $(MXRAY)) $(abspath $(MXGEN))

# Fuzz every parser of untrusted input with libFuzzer (clang), each target
# FUZZ_SECONDS long (default 60), from its own corpus in build/fuzz/ (kept
# between runs, seeded from the sample data when empty).  Any crash, leak,
# timeout or sanitizer report fails; its input is kept as build/fuzz/NAME-*.
# `make fuzz-NAME` runs one target.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := parsers jsonfast infile smtp_reply kb label sample_list banner pfx2as_origin import \
	scan_doc asorg avro jsonprune scan_fast
FUZZ_CC := clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -Iinclude \
	$(filter-out -D_XOPEN_SOURCE=% -D_DEFAULT_SOURCE,$(shell pkg-config --cflags $(PKGS)))
# Per target: the corpus directory, the longest input, and the shell
# command that seeds an empty corpus $$c.
FUZZ_CORPUS_parsers := corpus
FUZZ_MAXLEN_parsers := 4096
FUZZ_SEED_parsers = for f in sample-data/*.jsonl sample-data/*.txt; do \
	head -c 200000 $$f | split -l 1 -a 6 - $$c/$$(basename $$f)-; done
FUZZ_CORPUS_jsonfast := corpus-jsonfast
FUZZ_MAXLEN_jsonfast := 4096
FUZZ_SEED_jsonfast = head -c 200000 sample-data/dns.jsonl | split -l 1 -a 6 - $$c/dns.jsonl-
FUZZ_CORPUS_infile := corpus-infile
FUZZ_MAXLEN_infile := 65536
FUZZ_SEED_infile = for z in gzip bzip2 xz zstd; do ! command -v $$z >/dev/null || \
	head -c 3000 sample-data/dns.jsonl | $$z -c >$$c/dns.$$z; done
FUZZ_CORPUS_smtp_reply := corpus-smtp
FUZZ_MAXLEN_smtp_reply := 8192
FUZZ_SEED_smtp_reply = cp tests/data/probe/reply-*.txt tests/data/probe/fuzz-* $$c/
FUZZ_CORPUS_kb := corpus-kb
FUZZ_MAXLEN_kb := 32768
FUZZ_SEED_kb = cp src/kb-default.json $$c/
FUZZ_CORPUS_label := corpus-label
FUZZ_MAXLEN_label := 4096
FUZZ_SEED_label = head -c 100000 sample-data/truth.csv | split -l 1 -a 6 - $$c/truth.csv-
FUZZ_CORPUS_sample_list := corpus-sample-list
FUZZ_MAXLEN_sample_list := 4096
FUZZ_SEED_sample_list = for f in sample-data/targets-*.txt sample-data/truth.csv; do \
	head -c 20000 $$f | split -l 1 -a 6 - $$c/$$(basename $$f)-; done
FUZZ_CORPUS_banner := corpus-banner
FUZZ_MAXLEN_banner := 4096
FUZZ_SEED_banner = cp tests/data/probe/reply-*.txt $$c/ && grep -ho '"banner":"[^"]*' sample-data/scans-*.jsonl | \
	sed 's/^"banner":"//; s/\\r\\n/ /g' | sort -u | head -500 | split -l 1 -a 6 - $$c/banner-
FUZZ_CORPUS_pfx2as_origin := corpus-pfx2as-origin
FUZZ_MAXLEN_pfx2as_origin := 2048
FUZZ_SEED_pfx2as_origin = cut -f3 sample-data/pfx2as.txt | sort -u | head -300 | split -l 1 -a 6 - $$c/origin-
FUZZ_CORPUS_jsonprune := corpus-jsonprune
FUZZ_MAXLEN_jsonprune := 8192
FUZZ_SEED_jsonprune = for f in sample-data/scans-*.jsonl; do \
	head -c 300000 $$f | split -l 1 -a 6 - $$c/$$(basename $$f)-; done; \
	for f in tests/data/*.json tests/data/*.jsonl; do tr -d '\n' <$$f >$$c/$$(basename $$f); done
FUZZ_CORPUS_scan_fast := corpus-scan-fast
FUZZ_MAXLEN_scan_fast := 8192
FUZZ_SEED_scan_fast = $(FUZZ_SEED_jsonprune); split -l 1 -a 3 tests/fuzz/seeds-scan-fast.jsonl $$c/shapes-
FUZZ_CORPUS_import := corpus-import
FUZZ_MAXLEN_import := 16384
FUZZ_SEED_import = cp tests/data/*.json tests/data/*.jsonl $$c/ && \
	for f in sample-data/*.jsonl sample-data/*.txt sample-data/truth.csv; do \
	head -c 40000 $$f | split -l 8 -a 4 - $$c/$$(basename $$f)-; done
FUZZ_CORPUS_scan_doc := corpus-scan-doc
FUZZ_MAXLEN_scan_doc := 16384
FUZZ_SEED_scan_doc = cp tests/data/censys-*.json $$c/
FUZZ_CORPUS_asorg := corpus-asorg
FUZZ_MAXLEN_asorg := 4096
FUZZ_SEED_asorg = cp tests/data/caida-as2org.jsonl $$c/ && \
	head -c 20000 sample-data/as2org.txt | split -l 16 -a 4 - $$c/as2org.txt-
FUZZ_CORPUS_avro := corpus-avro
FUZZ_MAXLEN_avro := 16384
FUZZ_SEED_avro = cp tests/data/openintel-*.avro $$c/

fuzz: $(addprefix fuzz-,$(FUZZ_TARGETS))

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(ENGINE_SRC) $(wildcard include/mxray/*.h) $(BUILD)/kb_default.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $< $(ENGINE_SRC) $(BUILD)/kb_default.c -o $@ $(LDLIBS)

.PHONY: $(addprefix fuzz-,$(FUZZ_TARGETS))
$(addprefix fuzz-,$(FUZZ_TARGETS)): fuzz-%: build/fuzz/fuzz_%
	@c=build/fuzz/$(FUZZ_CORPUS_$*); mkdir -p $$c; [ -n "$$(ls $$c)" ] || { $(FUZZ_SEED_$*); }
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAXLEN_$*) -timeout=5 \
	  -artifact_prefix=build/fuzz/$*- build/fuzz/$(FUZZ_CORPUS_$*)

# Regenerate sample-data/ (deterministic: same size and seed, same bytes).
# Three snapshots: 2021-06-08 (epoch 0) in sample-data/, the later two in
# sample-data/DATE/ (their pfx2as and as2org are the first one's).
SNAPSHOTS := 2021-06-08 2021-09-08 2021-12-08
sample-data: $(MXGEN)
	./$(MXGEN) --domains 3000 --seed 2021 --date 2021-06-08 --out sample-data
	for e in 1 2; do d=$$(echo $(SNAPSHOTS) | cut -d' ' -f$$((e + 1))); \
	  ./$(MXGEN) --domains 3000 --seed 2021 --date $$d --epoch $$e --out build/gen-$$d && \
	  mkdir -p sample-data/$$d && \
	  for f in dns.jsonl scans-censys.jsonl scans-zgrab2.jsonl scans-censys2.jsonl targets-alexa.txt \
	    targets-com.txt targets-gov.txt truth.csv; do cp build/gen-$$d/$$f sample-data/$$d/; done; done

install: $(MXRAY)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(MXRAY) $(DESTDIR)$(PREFIX)/bin/mxray
	install -m 644 mxray.1 $(DESTDIR)$(PREFIX)/share/man/man1/mxray.1
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/mxray $(DESTDIR)$(PREFIX)/share/man/man1/mxray.1

clean:
	rm -rf build mxray mxgen

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
