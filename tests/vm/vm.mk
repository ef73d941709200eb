# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The VM matrix's guest programs, built with the top-level Makefile's
# rules and variables (STATIC=1, CROSS_COMPILE=, BUILD=); tests/vm/run.sh
# runs
#   make -f tests/vm/vm.mk STATIC=1 BUILD=DIR vm-guest
# The top-level Makefile may also include this file.
ifeq ($(origin LIB_OBJS),undefined)
include Makefile
endif

$(BUILD)/tests/vmprobe: $(BUILD)/tests/vm/vmprobe.o $(BUILD)/userspace/kfeatures.o \
		$(BUILD)/userspace/sys.o $(BUILD)/userspace/embedded_bpf.o \
		$(BUILD)/userspace/bpflog.o $(EMBED_OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

.PHONY: vm-guest
vm-guest: $(BINS) $(BUILD)/tests/netpeer $(BUILD)/tests/vmprobe \
	$(BUILD)/tests/p2pshape $(BUILD)/tests/bench_classes
