# lab407 - one explicit Makefile.
#
#   make            build bin/proxy, bin/origin, bin/client, bin/repl
#   make run        install what is missing, build, start the REPL lab
#   make test       install what is missing, build, run every test
#   make sanitize   the same tests under AddressSanitizer + UBSan
#   make lab-kdc    a private Kerberos realm and a Negotiate proxy (lesson 12)
#   make docs       render docs/ with Graphviz
#   make bench      benchmarks against nginx, Squid, tinyproxy (speed is
#                   measured here, never in tests); make bench-docs
#   make fuzz       libFuzzer on every parser, FUZZ_SECONDS each (60)
#   make lab-cert   a throw-away certificate and key for 127.0.0.1 and
#                   localhost under build/lab-cert/ (bin/proxy --tls-cert)
#   make lab-up     bin/proxy on 127.0.0.1:4070 and bin/origin on :4080 as
#                   daemons (logs, pid files in build/lab/); make lab-down
#
# Every http/, net/, proxy/, origin/, client/ and repl/ source except each
# directory's main.c goes into one static library; each main.c is a binary.

CC      ?= cc
B       ?= build
BIN     ?= bin
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Werror
PKGS    := libcrypto libssl libcrypt readline libevent libevent_openssl krb5-gssapi
# libcrypt.pc adds feature macros; each .c file chooses its own instead.
PKG_CFLAGS := $(filter-out -D%,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null)
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SAN) $(PKG_CFLAGS) -MMD -MP
LDLIBS  = $(PKG_LIBS) -lpthread

LIB_SRC  := $(filter-out %/main.c,$(wildcard http/*.c net/*.c proxy/*.c origin/*.c client/*.c repl/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
LIB      := $(B)/liblab407.a
PROGS    := $(patsubst %/main.c,$(BIN)/%,$(wildcard proxy/main.c origin/main.c client/main.c repl/main.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
# make bench's own load generators (wrk cannot do Digest), and bench_relay,
# which only moves bytes: the floor under every proxy's figures.
BENCH    := $(B)/bench/bench_parse $(B)/bench/bench_digest $(B)/bench/bench_idle $(B)/bench/bench_relay
BENCH_IO := $(B)/bench/bench_io.o
# The fuzz harnesses, compiled (not linked: that needs clang's libFuzzer)
# by make check with the same compiler and warnings as the product, so a
# change to a struct they fill breaks make check and not only fuzz-ci.
FUZZ_CHECK := $(patsubst tests/fuzz/%.c,$(B)/fuzzcheck/%.o,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all run test check unit sanitize docs bench bench-docs fuzz fuzz-build fuzz-ci clean format format-check deps deps-test deps-bench deps-interop interop examples lab-kdc lab-cert lab-up lab-down
all: $(PROGS)

# Keep the objects made on the way by a chain of pattern rules
# (build/tests/test_*.o, build/*/main.o): as intermediate files, make would
# delete them at the end of every build.
.SECONDARY:

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN)/%: $(B)/%/main.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) $< $(LIB) $(LDLIBS) -o $@

$(B)/tests/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -c $< -o $@

$(B)/tests/%: $(B)/tests/%.o $(LIB)
	$(CC) $(CFLAGS) $(SAN) $< $(LIB) $(CMOCKA_LIBS) $(LDLIBS) -o $@

$(B)/fuzzcheck/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# test_buf sees each block http/buf.c frees, before it is freed.
$(B)/tests/test_buf: LDLIBS += -Wl,--wrap=free

# proxy_loop.sh and bench_tools.sh (tests/integration/) run bin/proxy and
# bench_relay with their sends cut short.
SHORTSEND = $(B)/tests/shortsend.so
$(SHORTSEND): tests/integration/shortsend.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared $< -o $@ -ldl

# Lesson 09's C example, built against the same library.
examples: $(B)/examples/min407
$(B)/examples/min407: lessons/examples/min407.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(LIB) $(LDLIBS) -o $@

deps:
	@sh mk/deps.sh build
deps-test:
	@sh mk/deps.sh test
deps-bench:
	@sh mk/deps.sh bench
deps-interop:
	@sh mk/deps.sh interop

run: deps
	@$(MAKE) --no-print-directory all
	$(BIN)/repl

test: deps-test
	@$(MAKE) --no-print-directory check

# The lessons' shell sections: fixed ports, settings as the REPL's `curl`
# prints them (mk/lab.sh says what to do when a port is taken).
LAB_PROXY_PORT  ?= 4070
LAB_ORIGIN_PORT ?= 4080
LAB_PROXY_AUTH  ?= basic
LAB_ORIGIN_AUTH ?= basic
LAB_PROXY_ARGS  ?=
LAB_ORIGIN_ARGS ?=
LAB_ENV = BIN=$(BIN) LAB_DIR=$(B)/lab LAB_PROXY_PORT='$(LAB_PROXY_PORT)' \
  LAB_ORIGIN_PORT='$(LAB_ORIGIN_PORT)' LAB_PROXY_AUTH='$(LAB_PROXY_AUTH)' \
  LAB_ORIGIN_AUTH='$(LAB_ORIGIN_AUTH)' LAB_PROXY_ARGS='$(LAB_PROXY_ARGS)' \
  LAB_ORIGIN_ARGS='$(LAB_ORIGIN_ARGS)'
lab-up: all
	@$(LAB_ENV) sh mk/lab.sh up
lab-down:
	@$(LAB_ENV) sh mk/lab.sh down

# Lesson 12: a private Kerberos realm, alice's ticket and a Negotiate proxy.
lab-kdc: all
	@bash mk/lab-kdc.sh $(BIN)

# Everything: unit tests, then integration tests against real peers.
check: all examples $(UNIT_BIN) $(BENCH) $(FUZZ_CHECK) $(SHORTSEND)
	@LAB407_BIN=$(BIN) LAB407_BUILD=$(B) bash tests/run.sh

unit: $(UNIT_BIN)
	@LAB407_BIN=$(BIN) LAB407_BUILD=$(B) bash tests/run.sh --unit

sanitize: deps-test
	@$(MAKE) --no-print-directory B=build-san BIN=build-san/bin CFLAGS="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" check

# make interop: real clients through bin/proxy (tests/interop/run.sh);
# writes docs/interop.md and docs/interop.tsv.  undici comes from npm
# into $(B)/interop/node_modules, playwright-core and puppeteer-core (the
# browsers' drivers) into $(B)/npm/node_modules (never committed).
interop: deps-interop all
	@if command -v npm >/dev/null && [ ! -f $(B)/interop/node_modules/undici/index.js ]; then \
	  mkdir -p $(B)/interop && timeout 300 npm install --no-audit --no-fund \
	    --prefix $(B)/interop undici@6 >/dev/null 2>&1 || echo "interop: npm install undici failed"; fi
	@if command -v npm >/dev/null && { [ ! -d $(B)/npm/node_modules/playwright-core ] || \
	    [ ! -d $(B)/npm/node_modules/puppeteer-core ]; }; then \
	  mkdir -p $(B)/npm && timeout 300 npm install --no-audit --no-fund \
	    --prefix $(B)/npm playwright-core puppeteer-core >/dev/null 2>&1 || \
	    echo "interop: npm install playwright-core puppeteer-core failed"; fi
	@LAB407_BIN=$(BIN) LAB407_BUILD=$(B) bash tests/interop/run.sh --out docs/interop.md
	@cp $(B)/interop/interop.tsv docs/interop.tsv

docs: all
	@bash docs/render.sh $(BIN)

# The load generators of make bench (BENCH, above); built by make check
# too, so they keep compiling, but only make bench runs them.
$(BENCH_IO): tests/bench/bench_io.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(B)/bench/%: tests/bench/%.c $(BENCH_IO) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(BENCH_IO) $(LIB) $(LDLIBS) -o $@

# make bench: figures in $(B)/bench/results.md; make bench-docs also
# writes them into docs/performance.md.  BENCH_SECONDS per run, BENCH_ROUNDS rounds.
bench: deps-bench all $(BENCH)
	@LAB407_BUILD=$(B) bash tests/bench/run.sh $(BIN)
bench-docs: deps-bench all $(BENCH)
	@LAB407_BUILD=$(B) bash tests/bench/run.sh --docs $(BIN)

# libFuzzer: one harness per parser (tests/fuzz/fuzz_NAME.c, seeds in
# tests/fuzz/corpus/NAME/), each run FUZZ_SECONDS; `make fuzz-ci` is the
# short run CI does.  The library is rebuilt with clang for the fuzzer.
FUZZ_SECONDS ?= 60
FUZZ_CC    := clang
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_FLAGS  = $(WARN) -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) $(PKG_CFLAGS)
FUZZ_OBJ   := $(LIB_SRC:%.c=$(B)/fuzz/obj/%.o)
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN   := $(FUZZ_NAMES:%=$(B)/fuzz/fuzz_%)

$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(B)/fuzz/liblab407.a: $(FUZZ_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(B)/fuzz/liblab407.a $(wildcard tests/fuzz/*.h)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $< $(B)/fuzz/liblab407.a \
	  $(PKG_LIBS) -lpthread -o $@

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@bash tests/fuzz/run.sh $(B)/fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-ci:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=5

# Every C file, formatted by the repository's .clang-format; CI runs
# format-check, which changes nothing and fails on any difference.
FORMAT_FILES = $(wildcard */*.c */*.h tests/*/*.c tests/*/*.h lessons/*/*.c)
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

# A self-signed lab certificate, made on request and never committed
# (build/ is ignored): the key stays on this machine, and anyone may trust
# the certificate with --proxy-cacert for a lab on loopback only.
LAB_CERT := $(B)/lab-cert
lab-cert: $(LAB_CERT)/cert.pem
$(LAB_CERT)/cert.pem:
	@mkdir -p $(LAB_CERT)
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
		-subj "/CN=lab407 proxy (throw-away lab certificate)" \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-keyout $(LAB_CERT)/key.pem -out $(LAB_CERT)/cert.pem 2>/dev/null
	@chmod 600 $(LAB_CERT)/key.pem
	@echo "$(LAB_CERT)/cert.pem and $(LAB_CERT)/key.pem"

clean:
	rm -rf build build-san build-clang bin

-include $(LIB_OBJ:.o=.d) $(UNIT_BIN:=.d) $(FUZZ_CHECK:.o=.d) $(PROGS:$(BIN)/%=$(B)/%/main.d) \
  $(FUZZ_OBJ:.o=.d)
