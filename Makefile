# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# p2pguard top-level Makefile.
#
#   make              BPF object, skeleton and binaries into build/
#   make demo         install what is missing, build, show P2P blocked in a sandbox
#   make check        install what is missing, build, run every test
#   make deps         install the Debian packages for building and testing
#   make fuzz         long libFuzzer run on the classifier
#   make bench        benchmarks (print figures, assert nothing)
#
# Variables: CROSS_COMPILE=, STATIC=1, BPF_TARGET=bpfel|bpfeb, V=1.

CROSS_COMPILE ?=
CC := $(CROSS_COMPILE)gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config
BPF_TARGET ?= bpfel
FUZZ_SECONDS ?= 600

BUILD := build
TARGET_TRIPLE := $(shell $(CC) -dumpmachine 2>/dev/null)
# UAPI asm/ headers for the BPF compile come from the target's multiarch dir.
BPF_SYS_INCLUDES := -I/usr/include/$(TARGET_TRIPLE) -I/usr/include/$(shell uname -m)-linux-gnu

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter -Wno-format-truncation -Werror
override CPPFLAGS += -Ibpf -Iuserspace -Iloader -I$(BUILD) $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
override CFLAGS += $(WARN) -std=gnu11

ifeq ($(STATIC),1)
LDFLAGS += -static
LIBS := -lbpf -lpcap -lelf -lz -lzstd
else
LIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz) -lpcap
endif

ifneq ($(V),1)
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
else
Q :=
msg =
endif

BPF_OBJ := $(BUILD)/p2pguard.bpf.o
SKEL := $(BUILD)/p2pguard.skel.h
ITER_SKEL := $(BUILD)/p2pguard_iter.skel.h
LIB_SRCS := userspace/policy.c userspace/replay.c userspace/conf.c \
	userspace/sys.c userspace/kfeatures.c userspace/ctl_admin.c
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
CTL_OBJS := $(BUILD)/userspace/p2pguardctl.o
D_OBJS := $(BUILD)/loader/p2pguardd.o $(BUILD)/loader/settings.o
TEST_LIB_SRCS := tests/lib/vectors.c tests/lib/native_env.c
TEST_LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(TEST_LIB_SRCS))

BINS := $(BUILD)/p2pguardctl $(BUILD)/p2pguardd
TESTS := $(BUILD)/tests/test_classify $(BUILD)/tests/test_bpf $(BUILD)/tests/netpeer

.PHONY: all clean check deps demo fuzz bench tests
all: $(BINS) $(TESTS)

$(BUILD)/p2pguard.tmp.bpf.o: bpf/p2pguard.bpf.c bpf/p2pguard_classify.h bpf/p2pguard_abi.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target $(BPF_TARGET) $(BPF_SYS_INCLUDES) -Ibpf \
		-Wall -Werror -c $< -o $@

$(BUILD)/p2pguard_iter.tmp.bpf.o: bpf/p2pguard_iter.bpf.c bpf/p2pguard_abi.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target $(BPF_TARGET) $(BPF_SYS_INCLUDES) -Ibpf \
		-Wall -Werror -c $< -o $@

$(BUILD)/%.bpf.o: $(BUILD)/%.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(SKEL): $(BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name p2pguard_bpf > $@

$(ITER_SKEL): $(BUILD)/p2pguard_iter.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name p2pguard_iter > $@

$(BUILD)/%.o: %.c $(SKEL) $(ITER_SKEL) $(wildcard bpf/*.h userspace/*.h loader/*.h tests/lib/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/p2pguardctl: $(CTL_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/p2pguardd: $(D_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/tests/test_classify: $(BUILD)/tests/unit/test_classify.o $(TEST_LIB_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/tests/test_bpf: $(BUILD)/tests/bpf/test_bpf.o $(TEST_LIB_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/tests/netpeer: $(BUILD)/tests/live/netpeer.o $(TEST_LIB_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/tests/bench_classes: $(BUILD)/tests/bench/bench_classes.o $(TEST_LIB_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

# libFuzzer target: clang only, native.
$(BUILD)/tests/fuzz_classify: tests/fuzz/fuzz_classify.c tests/lib/native_env.c \
		tests/lib/vectors.c userspace/policy.c $(SKEL) $(wildcard bpf/*.h userspace/*.h tests/lib/*.h)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		tests/fuzz/fuzz_classify.c tests/lib/native_env.c tests/lib/vectors.c \
		userspace/policy.c \
		$(LIBS) -o $@

tests: $(TESTS) $(BUILD)/tests/fuzz_classify

deps:
	$(Q)tests/deps.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/demo.sh

check: deps
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)tests/run.sh

# Benchmarks print figures into Documentation/performance.rst; no asserts.
# tests/bench/bench.mk adds its programs to BENCH_BINS.
BENCH_BINS := $(BUILD)/tests/bench_classes
-include tests/bench/bench.mk
bench: $(BENCH_BINS)
	$(Q)tests/bench/run.sh

fuzz: $(BUILD)/tests/fuzz_classify
	$(Q)mkdir -p $(BUILD)/fuzz-corpus
	$(Q)$(BUILD)/tests/fuzz_classify -max_total_time=$(FUZZ_SECONDS) \
		$(BUILD)/fuzz-corpus

clean:
	$(Q)rm -rf $(BUILD)

# make install DESTDIR=... PREFIX=/usr: the programs, the man pages, the
# BusyBox/SysV init script (the one the Buildroot package installs) and
# /etc/p2pguard.conf, which is never overwritten.  Buildroot uses only
# install-bin and install-conf.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
INSTALL ?= install
INIT_SCRIPT := buildroot/package/p2pguard/S30p2pguardd

.PHONY: install install-bin install-conf install-man install-init
install: install-bin install-conf install-man install-init

install-bin: $(BINS)
	$(call msg,INSTALL,$(BINS))
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR)
	$(Q)$(INSTALL) -m 0755 $(BINS) $(DESTDIR)$(SBINDIR)/

install-conf:
	$(Q)$(INSTALL) -d $(DESTDIR)$(SYSCONFDIR)
	$(Q)[ -e $(DESTDIR)$(SYSCONFDIR)/p2pguard.conf ] || \
		$(INSTALL) -m 0644 loader/p2pguard.conf \
			$(DESTDIR)$(SYSCONFDIR)/p2pguard.conf

install-man:
	$(Q)$(INSTALL) -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	$(Q)$(INSTALL) -m 0644 Documentation/man/p2pguard.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/
	$(Q)$(INSTALL) -m 0644 Documentation/man/p2pguardd.8 \
		Documentation/man/p2pguardctl.8 $(DESTDIR)$(MANDIR)/man8/

# The script runs /usr/sbin/p2pguardd: point it at SBINDIR.
install-init:
	$(Q)$(INSTALL) -d $(DESTDIR)$(SYSCONFDIR)/init.d
	$(Q)sed 's|^EXEC=.*|EXEC="$(SBINDIR)/$$DAEMON"|' $(INIT_SCRIPT) \
		> $(DESTDIR)$(SYSCONFDIR)/init.d/S30p2pguardd
	$(Q)chmod 0755 $(DESTDIR)$(SYSCONFDIR)/init.d/S30p2pguardd
