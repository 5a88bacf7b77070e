# SPDX-License-Identifier: GPL-2.0-or-later
# ksmbd-direct top-level build.  `make run` and `make check` are the two
# commands the README promises; everything else is a building block.

CC ?= gcc
BUILD ?= build
PORT ?= 10445

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wvla \
	-Wstrict-prototypes -Wmissing-prototypes
CSTD := -std=gnu11
# The core is kernel-clean C; it sees only core/ and transport/ headers.
CORE_CFLAGS := $(CSTD) $(WARN) -O2 -g -fno-strict-aliasing -fPIC \
	-Icore -Itransport
USER_CFLAGS := $(CSTD) $(WARN) -O2 -g -D_GNU_SOURCE -DSMB_HOSTED=1 -fPIC -pthread \
	-Icore -Itransport -Iuserspace
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
LDLIBS := -lssl -lcrypto -lrdmacm -libverbs -lpthread

CORE_SRC := $(sort $(wildcard core/*.c) \
	$(filter-out %_posix.c,$(wildcard transport/*.c)))
USER_SRC := $(sort $(filter-out %_main.c,$(wildcard userspace/*.c)) \
	$(wildcard transport/*_posix.c))
MAIN_SRC := $(sort $(wildcard userspace/*_main.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))

# Program names follow ksmbd-tools.
prog_name = $(patsubst smbdirectd,smbdirectd,$(patsubst adduser,ksmbd.adduser,$(patsubst addshare,ksmbd.addshare,$(patsubst control,ksmbd.control,$(1)))))
PROGS := $(foreach m,$(MAIN_SRC),$(BUILD)/bin/$(call prog_name,$(patsubst userspace/%_main.c,%,$(m))))

define variant
# $(1) = output dir, $(2) = extra flags
$(1)/core/%.o: core/%.c $(wildcard core/*.h transport/*.h) | $(1)/core
	$$(CC) $$(CORE_CFLAGS) $(2) -c $$< -o $$@
$(1)/transport/%.o: transport/%.c $(wildcard core/*.h transport/*.h userspace/*.h) | $(1)/transport
	$$(CC) $$(filter-out -Wmissing-prototypes,$$(USER_CFLAGS)) $(2) -c $$< -o $$@
$(1)/userspace/%.o: userspace/%.c $(wildcard core/*.h transport/*.h userspace/*.h) | $(1)/userspace
	$$(CC) $$(USER_CFLAGS) $(2) -c $$< -o $$@
$(1)/tests/%.o: tests/unit/%.c $(wildcard core/*.h transport/*.h userspace/*.h tests/unit/*.h) | $(1)/tests
	$$(CC) $$(filter-out -Wmissing-prototypes,$$(USER_CFLAGS)) -Wno-missing-prototypes $(2) -c $$< -o $$@
$(1)/libsmbcore.a: $(patsubst %.c,$(1)/%.o,$(CORE_SRC))
	rm -f $$@ && ar rcs $$@ $$^
$(1)/libsmbuser.a: $(patsubst %.c,$(1)/%.o,$(USER_SRC))
	rm -f $$@ && ar rcs $$@ $$^
$(1)/tests/test_%: $(1)/tests/test_%.o $(1)/libsmbuser.a $(1)/libsmbcore.a
	$$(CC) $(2) -pthread $$< -o $$@ $(1)/libsmbuser.a $(1)/libsmbcore.a $(1)/libsmbuser.a -lcmocka $$(LDLIBS)
$(1)/core $(1)/transport $(1)/userspace $(1)/tests $(1)/bin:
	mkdir -p $$@
endef

$(eval $(call variant,$(BUILD),))
$(eval $(call variant,$(BUILD)/asan,$(SAN)))

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))
UNIT_TESTS_ASAN := $(patsubst tests/unit/%.c,$(BUILD)/asan/tests/%,$(TEST_SRC))

$(BUILD)/bin/smbdirectd: $(BUILD)/userspace/smbdirectd_main.o $(BUILD)/libsmbuser.a $(BUILD)/libsmbcore.a | $(BUILD)/bin
	$(CC) -pthread $< -o $@ $(BUILD)/libsmbuser.a $(BUILD)/libsmbcore.a $(BUILD)/libsmbuser.a $(LDLIBS)
$(BUILD)/bin/ksmbd.%: $(BUILD)/userspace/%_main.o $(BUILD)/libsmbuser.a $(BUILD)/libsmbcore.a | $(BUILD)/bin
	$(CC) -pthread $< -o $@ $(BUILD)/libsmbuser.a $(BUILD)/libsmbcore.a $(BUILD)/libsmbuser.a $(LDLIBS)

# The SMB Direct test client of the VM scenario smbd-faults (tests/vm/);
# a test tool, never installed.
$(BUILD)/tests/smbd-probe: tests/vm/smbd-probe.c | $(BUILD)/tests
	$(CC) $(CSTD) $(WARN) -O2 -g -D_GNU_SOURCE $< -o $@ $(LDLIBS)

# The file exerciser of the VM scenario cifs-workload; a test tool.
$(BUILD)/tests/fsx: tests/vm/fsx.c | $(BUILD)/tests
	$(CC) $(CSTD) $(WARN) -O2 -g -D_GNU_SOURCE $< -o $@

.PHONY: all deps run check unit unit-asan freestanding test-integration \
	test-torture format clean vmtest bench fuzz

all: $(PROGS) $(UNIT_TESTS) $(BUILD)/tests/smbd-probe $(BUILD)/tests/fsx

deps:
	@ci/deps.sh

unit: $(UNIT_TESTS)
	@ci/run-unit.sh $(BUILD)/tests plain $(UNIT_TESTS)

unit-asan: $(UNIT_TESTS_ASAN)
	@ci/run-unit.sh $(BUILD)/asan/tests asan $(UNIT_TESTS_ASAN)

# The core must build with no libc headers at all, as it does in ksmbd.ko.
freestanding:
	@ci/freestanding.sh $(CORE_SRC)

# qemu guest with soft-RoCE and the Linux cifs client (tests/vm/).
vmtest: all
	@tests/integration/60-vm.sh

# Benchmark against raw rxe, ksmbd.ko and Samba (bench/run,
# docs/benchmarks.md); 20-25 min, BENCH_QUICK=1 a few.  Not in check.
bench: all
	@bench/run

# libFuzzer targets for every parser; FUZZ_SECONDS per target.
fuzz:
	@tests/fuzz/run.sh $(or $(FUZZ_SECONDS),60)

run: deps
	@$(MAKE) --no-print-directory all
	@ci/run-demo.sh $(PORT)

check: deps
	@ci/check.sh

format:
	clang-format -i core/*.[ch] transport/*.[ch] userspace/*.[ch] tests/unit/*.[ch]

clean:
	rm -rf $(BUILD)
.SECONDARY:
