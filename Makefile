# xfwd — XDP fast-path forwarder. `make help` lists the targets.
OUTPUT := build
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
PREFIX ?= /usr/local
ARCH_INC := -I/usr/include/$(shell $(CC) -dumpmachine)

CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -I. -I$(OUTPUT) \
	  -D_GNU_SOURCE $(EXTRA_CFLAGS)
BPF_CFLAGS := -g -O2 -target bpf -Wall -Wextra -Werror $(ARCH_INC)
LIBS := -lbpf -lelf -lz -lmnl -linih -lsystemd

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_HDRS := $(wildcard bpf/lib/*.h) $(wildcard maps/*.h)
# loader/ in rooms (docs/ARCHITECTURE.md): core (no system calls), kernel
# (all kernel I/O), daemon, cli. The unit tests link the pure part.
LOADER_ROOMS := core kernel daemon cli
CFLAGS += $(addprefix -Iloader/,$(LOADER_ROOMS))
LOADER_PURE := $(wildcard loader/core/*.c) $(addprefix loader/cli/,cli.c cli_tunnel.c cli_filter.c cli_xlat.c json.c) loader/daemon/config.c
LOADER_IO := $(filter-out $(LOADER_PURE),$(wildcard $(addsuffix /*.c,$(addprefix loader/,$(LOADER_ROOMS))))) loader/main.c
LOADER_HDRS := $(wildcard loader/*/*.h) $(BPF_HDRS)

PURE_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(LOADER_PURE))
IO_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(LOADER_IO))
LIB_OBJS := $(PURE_OBJS) $(filter-out $(OUTPUT)/loader/main.o,$(IO_OBJS))

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
BPF_TESTS := $(OUTPUT)/tests/test_xdp $(OUTPUT)/tests/test_xlat $(OUTPUT)/tests/invariants
BENCH_PROGS := $(OUTPUT)/bench/lpm_bench $(OUTPUT)/bench/fwd_attach $(OUTPUT)/bench/nl_replay \
	       $(OUTPUT)/bench/mem_latency $(OUTPUT)/bench/wake_cost \
	       $(OUTPUT)/tools/xfwd-gen

.DELETE_ON_ERROR:
# Objects the skeletons embed: kept, not removed as intermediates.
.SECONDARY: $(OUTPUT)/bulk.bpf.o $(OUTPUT)/probe.bpf.o
.PHONY: all deps test test-unit test-bpf test-net fuzz demo demo-tour bench install clean help

all: $(OUTPUT)/xfwd

deps:
	$(Q)tools/install-deps.sh

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | deps
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/tests/churn: tests/net/churn.c | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $< -o $@

$(OUTPUT)/tests/%.bpf.o: tests/net/%.bpf.c | deps
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/bench/%.bpf.o: bench/%.bpf.c $(BPF_HDRS) | deps
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@

$(OUTPUT)/loader/kernel/bpf.o: $(OUTPUT)/xfwd.skel.h
$(OUTPUT)/loader/kernel/bulk.o: $(OUTPUT)/bulk.skel.h
$(OUTPUT)/loader/daemon/health.o: $(OUTPUT)/probe.skel.h

$(OUTPUT)/%.o: %.c $(LOADER_HDRS) | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUTPUT)/xfwd: $(PURE_OBJS) $(IO_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

# Each unit test links the pure core and the fake kernel (tests/unit/fake_kio.c).
$(OUTPUT)/tests/test_%: tests/unit/test_%.c tests/unit/fake_kio.c tests/unit/fake_kio.h $(PURE_OBJS) $(LOADER_HDRS) $(wildcard tests/unit/fixtures/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -I$(OUTPUT)/tests $< tests/unit/fake_kio.c $(PURE_OBJS) -lcmocka -lmnl -linih -o $@

# libFuzzer targets (tests/fuzz/): the core's parsers, built with clang and AddressSanitizer + UndefinedBehaviorSanitizer.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	       -std=gnu11 -I. $(addprefix -Iloader/,$(LOADER_ROOMS)) -D_GNU_SOURCE
$(OUTPUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/datagram.h $(LOADER_PURE) $(LOADER_HDRS) | deps
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $< $(LOADER_PURE) -lmnl -linih -o $@

# test_abi compares gcc's layout of every struct in a map with the BTF
# clang wrote into the BPF objects (tests/unit/btf_layout.c).
$(OUTPUT)/tests/btf_layout: tests/unit/btf_layout.c | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $< -lbpf -o $@

$(OUTPUT)/tests/abi_btf.h: $(OUTPUT)/tests/btf_layout $(OUTPUT)/xfwd.bpf.o $(OUTPUT)/bulk.bpf.o $(OUTPUT)/probe.bpf.o
	$(call msg,GEN,$@)
	$(Q)$< $(filter %.bpf.o,$^) > $@

$(OUTPUT)/tests/test_abi: $(OUTPUT)/tests/abi_btf.h

$(OUTPUT)/tests/test_xdp: tests/bpf/test_xdp.c tests/bpf/fixture.c tests/bpf/fixture.h tests/bpf/pkt.h $(LIB_OBJS) $(OUTPUT)/xfwd.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $< tests/bpf/fixture.c $(LIB_OBJS) $(LIBS) -o $@

$(OUTPUT)/tests/test_xlat: tests/bpf/test_xlat.c tests/bpf/fixture.c tests/bpf/fixture.h tests/bpf/pkt.h $(LIB_OBJS) $(OUTPUT)/xfwd.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $< tests/bpf/fixture.c $(LIB_OBJS) $(LIBS) -o $@

# The invariant checker (tests/bpf/invariants.c): generated frames through the XDP object.
$(OUTPUT)/tests/invariants: tests/bpf/invariants.c tests/bpf/frames.c tests/bpf/frames.h tests/bpf/fixture.c tests/bpf/fixture.h tests/bpf/pkt.h $(LIB_OBJS) $(OUTPUT)/xfwd.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $< tests/bpf/frames.c tests/bpf/fixture.c $(LIB_OBJS) $(LIBS) -o $@

$(OUTPUT)/bench/lpm_bench: bench/lpm_bench.c bench/median.h $(OUTPUT)/bench/lpm_bench.skel.h $(PURE_OBJS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUTPUT)/bench $< $(PURE_OBJS) $(LIBS) -o $@

$(OUTPUT)/bench/fwd_attach: bench/fwd_attach.c $(OUTPUT)/bench/fwd.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUTPUT)/bench $< $(LIBS) -o $@

$(OUTPUT)/bench/mem_latency: bench/mem_latency.c bench/median.h $(OUTPUT)/bench/mem_latency.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUTPUT)/bench $< $(LIBS) -o $@

$(OUTPUT)/bench/wake_cost: bench/wake_cost.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $< -o $@

$(OUTPUT)/bench/nl_replay: bench/nl_replay.c maps/xfwd_abi.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $< -lbpf -o $@

$(OUTPUT)/bench/%.skel.h: $(OUTPUT)/bench/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# The traffic generator (tools/xfwd-gen.c); make bench uses it.
$(OUTPUT)/tools/xfwd-gen.bpf.o: tools/xfwd-gen.bpf.c $(BPF_HDRS) | deps
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/tools/xfwd-gen.skel.h: $(OUTPUT)/tools/xfwd-gen.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name xfwd_gen > $@

$(OUTPUT)/tools/xfwd-gen: tools/xfwd-gen.c $(OUTPUT)/tools/xfwd-gen.skel.h tests/bpf/pkt.h $(PURE_OBJS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUTPUT)/tools $< $(PURE_OBJS) $(LIBS) -o $@

## test: every test (unit, BPF packet tests, network namespaces); needs root
NET_DEPS := $(OUTPUT)/xfwd $(OUTPUT)/tests/xdp_pass.bpf.o $(OUTPUT)/tests/tc_drop.bpf.o $(OUTPUT)/tests/churn

test: $(UNIT_TESTS) $(BPF_TESTS) $(NET_DEPS) $(FUZZ_TARGETS)
	$(Q)tests/run-all.sh

test-unit: $(UNIT_TESTS)
	$(Q)set -e; for t in $(UNIT_TESTS); do $$t; done

test-bpf: $(BPF_TESTS) $(OUTPUT)/xfwd.bpf.o
	$(Q)$(OUTPUT)/tests/test_xdp
	$(Q)$(OUTPUT)/tests/test_xlat
	$(Q)$(OUTPUT)/tests/invariants -n 200000 -s 1
	@echo "the same through the compact IPv4 table (ipv4-table compact):"
	$(Q)XFWD_TEST_IPV4_TABLE=compact $(OUTPUT)/tests/test_xdp
	$(Q)XFWD_TEST_IPV4_TABLE=compact $(OUTPUT)/tests/invariants -n 100000 -s 2

test-net: $(NET_DEPS)
	$(Q)tests/net/run.sh

## fuzz: every libFuzzer target for FUZZ_SECONDS each (default 600; make test runs 30), then FUZZ_FRAMES (10M) frames through the XDP invariant checker
FUZZ_SECONDS ?= 600
# ... and the invariant checker: FUZZ_FRAMES generated frames, a new seed each run (printed).
FUZZ_FRAMES ?= 10000000
FUZZ_SEED ?= $(shell date +%s)
fuzz: $(FUZZ_TARGETS) $(OUTPUT)/tests/invariants
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS)
	$(Q)$(OUTPUT)/tests/invariants -n $(FUZZ_FRAMES) -s $(FUZZ_SEED)

demo: $(NET_DEPS)
	$(Q)tools/demo.sh

demo-tour: $(NET_DEPS)
	$(Q)tools/demo.sh --tour

bench: $(NET_DEPS) $(BENCH_PROGS)
	$(Q)bench/run.sh $(BENCH)

install: $(OUTPUT)/xfwd
	install -D -m 0755 $(OUTPUT)/xfwd $(DESTDIR)$(PREFIX)/sbin/xfwd
	install -D -m 0644 man/xfwd.8 $(DESTDIR)$(PREFIX)/share/man/man8/xfwd.8
	install -D -m 0644 systemd/xfwd.service $(DESTDIR)/etc/systemd/system/xfwd.service
	install -D -m 0644 systemd/xfwd-undrain@.service $(DESTDIR)/etc/systemd/system/xfwd-undrain@.service
	install -D -m 0755 tools/xfwd-undrain $(DESTDIR)$(PREFIX)/lib/xfwd/xfwd-undrain
	sed -i 's|/usr/local/lib/xfwd|$(PREFIX)/lib/xfwd|' $(DESTDIR)/etc/systemd/system/xfwd-undrain@.service
	sed -i 's|/usr/local/sbin/xfwd|$(PREFIX)/sbin/xfwd|' $(DESTDIR)/etc/systemd/system/xfwd.service
	install -D -m 0644 systemd/xfwd.conf.example $(DESTDIR)/etc/xfwd/xfwd.conf.example

clean:
	rm -rf $(OUTPUT)

help:
	@echo "make            build build/xfwd (the XDP object is embedded)"
	@echo "make demo       two regions, two appliances each: xfwd run + BIRD, a path cut, rates, metrics (root)"
	@echo "make demo-tour  the CLI's tour: static routes, ECMP, GRE tunnels (root)"
	@echo "make test       unit + BPF packet + fuzz (30 s each) + namespace tests (root)"
	@echo "make test-unit  cmocka tests only (no root needed)"
	@echo "make fuzz       every libFuzzer target (FUZZ_SECONDS=600 each), 10M frames through the XDP invariants (docs/reliability.md)"
	@echo "make bench      every benchmark -> BENCHMARKS.md (root); BENCH=\"health\" one section"
	@echo "make install    install xfwd and its man page under PREFIX=$(PREFIX)"
	@echo "make clean      remove build/"
	@echo "V=1             show full commands"
