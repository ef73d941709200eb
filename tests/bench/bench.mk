# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Benchmark programs, included by the top-level Makefile (make bench).
#   bench_tput    throughput pieces: sender, sink, probes, empty-program
#                 attach, the synthetic lists (tests/bench/net.sh drives it)
#   bench_scale   ns per packet against deny-list size
#   bench_switch  settings file saved to first P2P datagram refused
#   bench_policy  policy build time and map sizes against list size

BENCH_COMMON := $(BUILD)/tests/bench/bench_common.o
BENCH_OBJS := $(BENCH_COMMON) $(BUILD)/tests/bench/bench_tput.o \
	$(BUILD)/tests/bench/bench_scale.o $(BUILD)/tests/bench/bench_switch.o \
	$(BUILD)/tests/bench/bench_policy.o

BENCH_BINS += $(BUILD)/tests/bench_tput $(BUILD)/tests/bench_scale \
	$(BUILD)/p2pguardd $(BUILD)/p2pguardctl \
	$(BUILD)/tests/bench_switch $(BUILD)/tests/bench_policy

$(BENCH_OBJS): tests/bench/bench_common.h

$(BUILD)/tests/bench_tput: $(BUILD)/tests/bench/bench_tput.o $(BENCH_COMMON) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/tests/bench_scale: $(BUILD)/tests/bench/bench_scale.o $(BENCH_COMMON) \
		$(TEST_LIB_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/tests/bench_switch: $(BUILD)/tests/bench/bench_switch.o $(BENCH_COMMON) \
		$(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD)/tests/bench_policy: $(BUILD)/tests/bench/bench_policy.o $(BENCH_COMMON) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@
