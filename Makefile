# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# p2pguard top-level Makefile.
#
#   make              BPF object, skeleton and binaries into build/
#   make demo         install what is missing, build, show P2P blocked in a sandbox
#   make check        install what is missing, build, run every test
#                     (T=NAMES: only the tests, or cases, NAMES selects;
#                     tests/run.sh -l lists them)
#   make deps         install the Debian packages for building and testing
#                     (make deps-build: for building and the demo only)
#   make fuzz         long libFuzzer run on the classifier
#   make bench        benchmarks (print figures, assert nothing)
#
#   make sysroot      with CROSS_COMPILE=: fetch the target's libraries
#
#   make modules      the kernel module (kmod/, built through ./Kbuild)
#                     against KDIR=, default the running kernel's build
#                     tree; ARCH= and CROSS_COMPILE= for a cross build,
#                     C=1 to run sparse.  make modules-clean removes it.
#
# Variables: CROSS_COMPILE=, STATIC=1, SYSROOT=, PCAP=0|1,
# BPF_TARGET=bpfel|bpfeb, V=1.
#
# Cross builds, e.g. on Debian:
#   make CROSS_COMPILE=arm-linux-gnueabihf- STATIC=1
#   make CROSS_COMPILE=aarch64-linux-gnu-
# SYSROOT is a directory with the target's headers and libraries (libbpf,
# libelf, zlib, libpcap) that the compiler does not look in by itself.  A
# Debian cross compiler looks in / only, where the target's libraries are
# not installed: it gets build/sysroot-<Debian arch>, which
# tests/cross/fetch-sysroot.sh fills from Debian's packages the first time
# it is needed (as root it also installs a missing cross compiler).  A
# compiler with a sysroot of its own, Buildroot's, needs no SYSROOT.
# tests/cross/check.sh builds both ARM targets and checks them.

CROSS_COMPILE ?=
CC := $(CROSS_COMPILE)gcc
CLANG ?= clang
LLVM_OBJCOPY ?= llvm-objcopy
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config
BPF_TARGET ?= bpfel
FUZZ_SECONDS ?= 600

BUILD := build
TARGET_TRIPLE := $(shell $(CC) -dumpmachine 2>/dev/null)

ifneq ($(CROSS_COMPILE),)
ifneq ($(TARGET_TRIPLE),)
CC_SYSROOT := $(shell $(CC) -print-sysroot 2>/dev/null)
else ifeq ($(findstring /,$(CROSS_COMPILE)),)
# No such compiler yet: fetch-sysroot.sh installs Debian's.
TARGET_TRIPLE := $(patsubst %-,%,$(CROSS_COMPILE))
CC_SYSROOT := /
endif
ifeq ($(CC_SYSROOT),/)
DEB_ARCH := $(shell tests/cross/fetch-sysroot.sh --arch $(TARGET_TRIPLE) 2>/dev/null)
SYSROOT_DEFAULT := $(BUILD)/sysroot-$(DEB_ARCH)
SYSROOT ?= $(SYSROOT_DEFAULT)
endif
endif
# Only the default sysroot is fetched by make: a SYSROOT given is the user's.
ifneq ($(SYSROOT),)
ifeq ($(SYSROOT),$(SYSROOT_DEFAULT))
SYSROOT_STAMP := $(SYSROOT)/.p2pguard-sysroot
endif
PKG_CONFIG_ENV := PKG_CONFIG_SYSROOT_DIR=$(SYSROOT) \
	PKG_CONFIG_LIBDIR=$(SYSROOT)/usr/lib/$(TARGET_TRIPLE)/pkgconfig:$(SYSROOT)/usr/lib/pkgconfig:$(SYSROOT)/usr/share/pkgconfig
endif

# UAPI asm/ headers for the BPF compile come from the target's multiarch
# dir; a cross build takes all its headers from the target's sysroot, and
# none from the build machine.
ifeq ($(CROSS_COMPILE),)
BPF_SYS_INCLUDES := -I/usr/include/$(TARGET_TRIPLE) -I/usr/include/$(shell uname -m)-linux-gnu
else
BPF_SYSROOT := $(or $(SYSROOT),$(filter-out /,$(CC_SYSROOT)))
BPF_SYS_INCLUDES := $(if $(BPF_SYSROOT),--sysroot=$(BPF_SYSROOT)) \
	-I$(BPF_SYSROOT)/usr/include/$(TARGET_TRIPLE)
endif
# MIPS's UAPI asm/ headers test the compiler's endianness macro, which the
# BPF target does not define; a big-endian MIPS also needs BPF_TARGET=bpfeb.
BPF_SYS_INCLUDES += $(if $(filter mipsel-% mipsisa32r6el-% mips64el-%,$(TARGET_TRIPLE)),-D__MIPSEL__,\
	$(if $(filter mips-% mipsisa32r6-% mips64-%,$(TARGET_TRIPLE)),-D__MIPSEB__))

# A static build is for a device's flash: -Os (as Buildroot's default).
ifeq ($(STATIC),1)
CFLAGS ?= -Os -g
else
CFLAGS ?= -O2 -g
endif
WARN := -Wall -Wextra -Wno-unused-parameter -Wno-format-truncation -Werror
override CPPFLAGS += -Icommon -Iuserspace -I$(BUILD) $(shell $(PKG_CONFIG_ENV) $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
override CFLAGS += $(WARN) -std=gnu11
ifneq ($(SYSROOT),)
override CFLAGS += --sysroot=$(SYSROOT)
override LDFLAGS += --sysroot=$(SYSROOT)
endif

# libpcap serves "p2pguardctl replay" only.  Debian's static libpcap needs
# libdbus-1, whose static library needs libsystemd, which has none: a
# STATIC=1 build leaves replay out unless PCAP=1 says otherwise.
ifeq ($(STATIC),1)
PCAP ?= 0
else
PCAP ?= 1
endif
ifeq ($(PCAP),1)
PCAP_LIBS := -lpcap
else
override CPPFLAGS += -DP2PG_NO_PCAP
endif

# Static: each library after those that use it, and unused functions of
# ours dropped (the target is small flash).
ifeq ($(STATIC),1)
override CFLAGS += -ffunction-sections -fdata-sections
override LDFLAGS += -static -Wl,--gc-sections
LIBS := -lbpf $(PCAP_LIBS) -lelf -lz -lzstd
else
LIBS = $(shell $(PKG_CONFIG_ENV) $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf) \
	$(PCAP_LIBS) -lz
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
# userspace/: the library every program links, the backends included;
# loader/: p2pguardd and the program's main(); ctl/: p2pguardctl.
LIB_SRCS := userspace/policy.c userspace/replay.c userspace/conf.c \
	userspace/sys.c userspace/kfeatures.c userspace/kmodule.c \
	userspace/embedded_bpf.c userspace/events.c userspace/bpflog.c \
	userspace/backend.c userspace/backend_ebpf.c userspace/backend_module.c \
	userspace/metrics.c userspace/reasm.c userspace/mapsize.c
EMBED_OBJ := $(BUILD)/userspace/embedded_bpf_data.o
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS)) $(EMBED_OBJ)
CTL_OBJS := $(BUILD)/ctl/p2pguardctl.o $(BUILD)/ctl/ctl_admin.o
D_OBJS := $(patsubst %.c,$(BUILD)/%.o,loader/main.c loader/apply.c \
	loader/loop.c loader/status.c loader/events.c loader/mounts.c \
	loader/settings.c loader/export.c)
TEST_LIB_SRCS := tests/lib/vectors.c tests/lib/native_env.c tests/lib/check.c \
	tests/lib/fdinfo.c
TEST_LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(TEST_LIB_SRCS))
CHECK_OBJ := $(BUILD)/tests/lib/check.o
# The tests' own headers (tests/lib/) by name, for the tests' objects only.
TEST_CPPFLAGS := -Itests/lib

BINS := $(BUILD)/p2pguardctl $(BUILD)/p2pguardd
TESTS := $(BUILD)/tests/test_classify $(BUILD)/tests/test_kmod_path \
	$(BUILD)/tests/test_blob $(BUILD)/tests/test_text \
	$(BUILD)/tests/test_bpf $(BUILD)/tests/netpeer $(BUILD)/tests/fakedev
# test_bpf writes captures with libpcap.
ifneq ($(PCAP),1)
TESTS := $(filter-out $(BUILD)/tests/test_bpf,$(TESTS))
endif
TESTS += $(BUILD)/tests/p2pshape

# What the objects were built for: a build for another target, or static
# instead of dynamic, in the same build/ rebuilds them all.  The file is
# rewritten only when that changes.
# deps=mmd: objects built before the compilers wrote .d files are rebuilt.
BUILD_CONFIG = $(strip deps=mmd $(CC) $(TARGET_TRIPLE) $(SYSROOT) STATIC=$(STATIC) \
	PCAP=$(PCAP) $(CFLAGS) $(LDFLAGS) $(CLANG) $(BPF_TARGET) \
	$(BPF_SYS_INCLUDES))
same = $(and $(findstring $(1),$(2)),$(findstring $(2),$(1)))

.PHONY: all clean check deps deps-build demo fuzz bench tests sysroot vm-check buildroot-image default-blob
all: $(BINS) $(TESTS)

# Header dependencies come from the compilers (-MMD -MP: a .d file beside
# each object, read below), for the BPF objects as for the C objects.
DEPFLAGS = -MMD -MP -MF $(basename $@).d

$(BUILD)/%.tmp.bpf.o: bpf/%.bpf.c $(BUILD)/.build-config | $(SYSROOT_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target $(BPF_TARGET) $(BPF_SYS_INCLUDES) -Icommon \
		$(DEPFLAGS) -Wall -Werror -c $< -o $@

$(BUILD)/%.bpf.o: $(BUILD)/%.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

# The skeletons, with their ELF bytes taken out: each <name>__elf_bytes()
# calls p2pg_embedded_elf() on the gzipped object that
# userspace/embedded_bpf_data.S holds (a quarter of the flash).  The build
# fails if bpftool's output no longer has the shape this rewrites.
SKEL_GZ_AWK = '\
	$$0 ~ "^static inline const void \\*" n "__elf_bytes\\(size_t \\*sz\\)$$" { \
		print "\#include \"embedded_bpf.h\""; \
		print "extern const unsigned char p2pg_gz_" n "[], p2pg_gz_" n "_end[];"; \
		print; getline; print; \
		print "\treturn p2pg_embedded_elf(p2pg_gz_" n ", p2pg_gz_" n "_end, sz);"; \
		skip = 1; done = 1; next } \
	skip { if ($$0 == "}") { print; skip = 0 }; next } \
	{ print } \
	END { if (!done) exit 1 }'

$(SKEL): $(BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name p2pguard_bpf | \
		awk -v n=p2pguard_bpf $(SKEL_GZ_AWK) > $@.tmp && mv $@.tmp $@

$(ITER_SKEL): $(BUILD)/p2pguard_iter.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name p2pguard_iter | \
		awk -v n=p2pguard_iter $(SKEL_GZ_AWK) > $@.tmp && mv $@.tmp $@

$(BUILD)/%.bpf.o.gz: $(BUILD)/%.bpf.o
	$(call msg,GZIP,$@)
	$(Q)gzip -9 -n -c $< > $@

# The program's line and function information (.BTF.ext) is left out of
# the embedded copy: a third of its gzipped bytes, and the kernel needs
# none of it, no program calling another BPF function (internals.rst).
# $(BPF_OBJ) keeps it, for bpftool and verifier logs with source lines.
# Without llvm-objcopy (a build host's clang alone) it stays, with a note.
$(BUILD)/p2pguard.bpf.o.gz: $(BPF_OBJ)
	$(call msg,GZIP,$@)
	$(Q)if command -v $(LLVM_OBJCOPY) >/dev/null 2>&1; then \
		$(LLVM_OBJCOPY) --remove-section .BTF.ext $< $@.o; \
	else \
		echo "note: no $(LLVM_OBJCOPY): the embedded BPF object keeps its .BTF.ext (about 28 KiB more flash)"; \
		cp $< $@.o; \
	fi
	$(Q)gzip -9 -n -c $@.o > $@ && rm -f $@.o

$(EMBED_OBJ): userspace/embedded_bpf_data.S $(BUILD)/p2pguard.bpf.o.gz \
		$(BUILD)/p2pguard_iter.bpf.o.gz $(BUILD)/.build-config
	$(call msg,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -Wa,-I$(BUILD) -c $< -o $@

# The BPF objects before bpftool's rewrite are kept: make would delete
# them as intermediate files and rebuild them every time.
.SECONDARY: $(BUILD)/p2pguard.tmp.bpf.o $(BUILD)/p2pguard_iter.tmp.bpf.o

# The skeletons are generated before any C object is compiled; an object
# that includes one depends on it through its .d file.
$(BUILD)/%.o: %.c $(BUILD)/.build-config | $(SKEL) $(ITER_SKEL) $(SYSROOT_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tests/%.o $(BUILD)/fuzz/tests/%.o: override CPPFLAGS += $(TEST_CPPFLAGS)

# One program under two names (loader/multicall.c), so that a static
# build carries one copy of the libraries: p2pguardctl is a hard link.
# main() is the one object that reaches both programs' entry points.
$(BUILD)/loader/multicall.o: override CPPFLAGS += -Ictl
$(BUILD)/p2pguardd: $(BUILD)/loader/multicall.o $(D_OBJS) $(CTL_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/p2pguardctl: $(BUILD)/p2pguardd
	$(call msg,LN,$@)
	$(Q)ln -f $< $@

$(BUILD)/tests/test_classify: $(BUILD)/tests/unit/test_classify.o $(TEST_LIB_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

# The kernel module's packet path (common/p2pguard_path.h), natively.
$(BUILD)/tests/test_kmod_path: $(BUILD)/tests/unit/test_kmod_path.o $(TEST_LIB_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/tests/test_blob: $(BUILD)/tests/unit/test_blob.o $(CHECK_OBJ) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@
# test_blob compares the module's built-in policy with today's defaults.
$(BUILD)/tests/unit/test_blob.o: override CPPFLAGS += -Ikmod

# The kernel module's built-in policy, the daemon's defaults as a blob: a
# file in the tree (Kbuild runs no userspace program), made again here
# when the defaults change; test_blob fails while it is stale.
$(BUILD)/tools/gen_default_blob: $(BUILD)/tools/gen_default_blob.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

default-blob: $(BUILD)/tools/gen_default_blob
	$(Q)$< > kmod/p2pguard_default_blob.h.tmp && \
		mv kmod/p2pguard_default_blob.h.tmp kmod/p2pguard_default_blob.h

# Text from outside: lines, escaping, events, the settings command (the
# daemon's loader/settings.c, the one test that reaches into loader/).
$(BUILD)/tests/unit/test_text.o: override CPPFLAGS += -Iloader
$(BUILD)/tests/test_text: $(BUILD)/tests/unit/test_text.o $(BUILD)/loader/settings.o \
		$(CHECK_OBJ) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

# tests/bpf/: one file per subject; tests/bpf/test_bpf.c lists the cases.
TEST_BPF_SRCS := tests/bpf/test_bpf.c tests/bpf/verdicts.c \
	tests/bpf/fallbacks.c tests/bpf/streams.c tests/bpf/differential.c \
	tests/bpf/replay.c tests/bpf/sizing.c tests/bpf/races.c \
	tests/lib/pcap_write.c
$(BUILD)/tests/test_bpf: $(patsubst %.c,$(BUILD)/%.o,$(TEST_BPF_SRCS)) \
		$(TEST_LIB_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/tests/netpeer: $(BUILD)/tests/live/netpeer.o $(TEST_LIB_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/tests/p2pshape: $(BUILD)/tests/live/p2pshape.o $(TEST_LIB_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/tests/fakedev: $(BUILD)/tests/live/fakedev.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/tests/bench_classes: $(BUILD)/tests/bench/bench_classes.o \
		$(BUILD)/tests/bench/bench_common.o $(TEST_LIB_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

# libFuzzer targets: clang only, native; their objects instrumented, in
# build/fuzz/.
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined
FUZZ_CLASSIFY_OBJS := $(patsubst %.c,$(BUILD)/fuzz/%.o,tests/fuzz/fuzz_classify.c \
	tests/lib/native_env.c tests/lib/vectors.c userspace/policy.c)
FUZZ_BLOB_OBJS := $(patsubst %.c,$(BUILD)/fuzz/%.o,tests/fuzz/fuzz_blob.c \
	userspace/policy.c)

$(BUILD)/fuzz/%.o: %.c | $(SKEL)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) $(DEPFLAGS) -g -O1 $(FUZZ_SAN) -c $< -o $@

# The fuzzer on the classifier.
$(BUILD)/tests/fuzz_classify: $(FUZZ_CLASSIFY_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) -fsanitize=fuzzer,address,undefined $^ $(LIBS) -o $@

# The module's blob checker on arbitrary bytes and on mangled good blobs.
$(BUILD)/tests/fuzz_blob: $(FUZZ_BLOB_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) -fsanitize=fuzzer,address,undefined $^ $(LIBS) -o $@

tests: $(TESTS) $(BUILD)/tests/fuzz_classify $(BUILD)/tests/fuzz_blob

# Read with cat, not $(file <): make 4.3's $(file <) gave a string that
# did not compare equal once the build had 49 .d files, and everything
# was rebuilt on every run.
$(BUILD)/.build-config: FORCE
	$(if $(call same,$(BUILD_CONFIG),$(shell cat $@ 2>/dev/null)),,$(shell mkdir -p $(@D))$(file >$@,$(BUILD_CONFIG)))

.PHONY: FORCE
FORCE:

deps:
	$(Q)tests/deps.sh test

deps-build:
	$(Q)tests/deps.sh build

# The target's -dev packages from Debian, for CROSS_COMPILE= builds.
$(SYSROOT_STAMP): tests/cross/fetch-sysroot.sh
	$(call msg,SYSROOT,$(@D))
	$(Q)tests/cross/fetch-sysroot.sh $(TARGET_TRIPLE) $(@D) && touch $@

sysroot:
ifeq ($(SYSROOT),)
	@echo "sysroot: set CROSS_COMPILE= to a Debian cross compiler's prefix (or SYSROOT=)" >&2
	@exit 1
else
	$(Q)tests/cross/fetch-sysroot.sh $(TARGET_TRIPLE) $(SYSROOT)
endif

demo: deps-build
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/demo.sh

check: deps
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)T='$(T)' tests/run.sh

# Benchmarks print figures into Documentation/performance.rst; no asserts.
# tests/bench/bench.mk adds its programs to BENCH_BINS.
BENCH_BINS := $(BUILD)/tests/bench_classes $(BUILD)/tests/test_kmod_path
-include tests/bench/bench.mk
# Built by make check too: a benchmark that no longer links shows there,
# not on the day someone measures.
tests: $(BENCH_BINS)
bench: $(BENCH_BINS)
	$(Q)tests/bench/run.sh

# The kernel module: Kbuild's own rules, with this directory as the
# external module (./Kbuild names kmod/).  CROSS_COMPILE is the same
# variable as for the programs; ARCH, when not given, follows from it.
KDIR ?= /lib/modules/$(shell uname -r)/build
KARCH_OF = $(strip $(if $(filter arm%,$(1)),arm,$(if $(filter aarch64%,$(1)),arm64,\
	$(if $(filter mips%,$(1)),mips,$(if $(filter riscv%,$(1)),riscv,\
	$(if $(filter x86_64% i%86,$(1)),x86,))))))
KARCH := $(or $(ARCH),$(if $(CROSS_COMPILE),$(call KARCH_OF,$(notdir $(CROSS_COMPILE)))))
KBUILD_ARGS = -C $(KDIR) M=$(CURDIR) $(if $(KARCH),ARCH=$(KARCH)) \
	$(if $(CROSS_COMPILE),CROSS_COMPILE=$(CROSS_COMPILE))

.PHONY: modules modules-clean kdir-check
kdir-check:
	@[ -f "$(KDIR)/Makefile" ] || { echo "modules: no kernel build tree at" \
		"KDIR=$(KDIR): install that kernel's headers, or give KDIR=" \
		"(tests/vm/fetch-headers.sh prints those of the VM matrix)" >&2; exit 1; }
	@[ -f kmod/Kbuild ] || [ -f kmod/Makefile ] || { echo "modules: kmod/" \
		"has no Kbuild yet: no module to build" >&2; exit 1; }
	@[ -z "$(C)" ] || command -v $(or $(CHECK),sparse) >/dev/null || { \
		echo "modules: C=$(C) needs $(or $(CHECK),sparse) (make deps" \
		"installs sparse)" >&2; exit 1; }

modules: kdir-check
	$(Q)$(MAKE) $(KBUILD_ARGS) modules

# Kbuild's clean deletes every object under M=, build/ included: give it
# kmod/ only.
modules-clean: kdir-check
	$(Q)$(MAKE) $(KBUILD_ARGS) M=$(CURDIR)/kmod clean

# QEMU matrix: Debian kernels x86_64 5.10/6.1/6.12 and armhf 5.10/6.1.
vm-check:
	$(Q)tests/vm/run.sh

# p2pguard built into a Buildroot image (qemu_arm_vexpress) and booted in
# QEMU, both backends: not part of check (the first build takes over
# 25 minutes); see Documentation/integration-guide.rst.
buildroot-image:
	$(Q)tests/buildroot/image.sh

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

# One program, and p2pguardd a link to it: "killall -HUP p2pguardd" and
# pidof, which in BusyBox also match the name of /proc/PID/exe, then find
# the daemon and not a p2pguardctl that happens to run.
install-bin: $(BINS)
	$(call msg,INSTALL,$(BINS))
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR)
	$(Q)$(INSTALL) -m 0755 $(BUILD)/p2pguardd $(DESTDIR)$(SBINDIR)/p2pguardctl
	$(Q)ln -sf p2pguardctl $(DESTDIR)$(SBINDIR)/p2pguardd

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

# What the compilers wrote of each object's headers (DEPFLAGS): only in
# the objects' folders, build/ also holds sysroots and a Buildroot tree.
-include $(wildcard $(BUILD)/*.d) $(shell find $(addprefix $(BUILD)/,userspace \
	loader ctl tests fuzz) -name '*.d' -type f 2>/dev/null)
