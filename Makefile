# SPDX-License-Identifier: GPL-2.0
#
# krp: build, test, run, bench and check.  krp.ko's object list is in
# Kbuild; this file drives Kbuild, the test builds and the QEMU pipeline.
#
#   make [modules]   krp.ko (W=1) against the kernel chosen below
#   make selftests   test modules and test programs
#   make krpctl      build/krpctl, static, for the kernel's word size
#   make install     krp.ko (modules_install, depmod), krpctl, its man page,
#                    and /usr/src/krp-VERSION (headers, Module.symvers,
#                    dkms.conf and the sources); DESTDIR, PREFIX honoured
#   make test        host setup, stock kernel, build all, tools/krp-test
#   make test-the-tests  break krp on purpose (selftests/mutants), expect red
#   make run         boot the stock kernel and run tools/demo.sh in it
#   make bench       boot with an exact instruction count, run the benchmarks
#   make check       checkpatch and sparse on the whole tree
#   make clean       remove what the build made
#
# The kernel for modules and selftests:
#   KDIR=<dir>        a kernel build directory
#   KERNEL=<flavour>  a stock Debian kernel, fetched (tools/krp-kernel list)
#   neither           /lib/modules/$(uname -r)/build if present, else the
#                     stock 686-pae kernel
# test, run, bench and check build against and boot the stock KERNEL
# (default 686-pae) whatever KDIR says.  make test also fetches the
# kernels of HOST_KERNELS, whose images the host suites check.
#
# V=1 shows the commands.

SHELL		:= /bin/bash

KERNEL_TOOL	:= $(CURDIR)/tools/krp-kernel
QEMU_TOOL	:= $(CURDIR)/tools/krp-qemu
STOCK		:= $(if $(KERNEL),$(KERNEL),686-pae)
HOST_KERNELS	:= 686-pae amd64 amd64-6.12

TEST_CC		?= gcc
BENCH_QEMU	?= -accel tcg,thread=single -icount shift=0 -smp 1
BENCH_TIMEOUT	?= 1800

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Evaluate an expensive variable on first use only, and at most once.
once = $(eval $(1) := $$(shell $(2)))$($(1))

running_build := /lib/modules/$(shell uname -r)/build
ifneq ($(KDIR),)
kdir := $(KDIR)
else ifneq ($(KERNEL),)
kdir = $(call once,kdir,$(KERNEL_TOOL) kdir $(KERNEL))
else ifneq ($(wildcard $(running_build)/Makefile),)
kdir := $(running_build)
else
kdir = $(call once,kdir,$(KERNEL_TOOL) kdir 686-pae)
endif

# kselftest headers and checkpatch, extracted from linux-source-6.1.
ksrc = $(call once,ksrc,$(KERNEL_TOOL) source)

# Test programs: every selftests/krp/*.c is one static i386 program, linked
# with the helpers in selftests/krp/lib/; every selftests/krp/*.sh is copied.
TEST_OUT	:= build/selftests
TEST_LIB	:= $(wildcard selftests/krp/lib/*.c)
TEST_PROGS	:= $(patsubst selftests/krp/%.c,$(TEST_OUT)/%,$(wildcard selftests/krp/*.c))
TEST_SCRIPTS	:= $(patsubst selftests/krp/%,$(TEST_OUT)/%,$(wildcard selftests/krp/*.sh))
TEST_CFLAGS	= -m32 -static -O2 -Wall \
		  -I$(ksrc)/tools/testing/selftests \
		  -I$(CURDIR)/include -I$(CURDIR)/selftests/krp/lib

TEST_MODULES	:= selftests/krp/modules

.PHONY: all modules selftests test-modules test-programs stock krpctl install \
	test test-the-tests run bench check checkpatch sparse clean help

all: modules

modules:
	$(Q)test -n "$(kdir)" || { echo "no kernel build directory" >&2; exit 1; }
	@echo "  MODULES krp.ko against $(kdir)"
	$(Q)$(MAKE) --no-print-directory -C $(kdir) M=$(CURDIR) W=1 modules

selftests: test-modules test-programs

# The test modules link against krp.ko's exports.  Their Kbuild gets
# KRP_TOP (this directory) and KRP_SRC (the linux-source extraction).
# Kbuild does not relink a module when only the CRCs of the symbols it
# imports change, so a krp.ko whose exports changed would leave test
# modules the kernel refuses ("disagrees about version of symbol").
test-modules: modules
ifneq ($(wildcard $(TEST_MODULES)/Kbuild),)
	@echo "  MODULES $(TEST_MODULES)"
	$(Q)if [ Module.symvers -nt $(TEST_MODULES)/Module.symvers ]; then \
		rm -f $(TEST_MODULES)/*.o $(TEST_MODULES)/*.ko \
		      $(TEST_MODULES)/*.mod $(TEST_MODULES)/*.mod.c; fi
	$(Q)$(MAKE) --no-print-directory -C $(kdir) M=$(CURDIR)/$(TEST_MODULES) \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers \
		KRP_TOP=$(CURDIR) KRP_SRC=$(ksrc) W=1 modules
else
	@echo "  SKIP    $(TEST_MODULES): no Kbuild yet"
endif

test-programs: $(TEST_PROGS) $(TEST_SCRIPTS)
	$(Q)stale="$(filter-out $(TEST_PROGS) $(TEST_SCRIPTS),$(wildcard $(TEST_OUT)/*))"; \
	if [ -n "$$stale" ]; then echo "  RM      $$stale"; rm -f $$stale; fi

$(TEST_PROGS): $(TEST_OUT)/%: selftests/krp/%.c $(TEST_LIB) | $(TEST_OUT)
	@echo "  CC      $@"
	$(Q)$(TEST_CC) $(TEST_CFLAGS) -MMD -MP -MF $(@D)/.$(@F).d -o $@ $< $(TEST_LIB)

$(TEST_SCRIPTS): $(TEST_OUT)/%: selftests/krp/% | $(TEST_OUT)
	@echo "  COPY    $@"
	$(Q)cp $< $@ && chmod +x $@

$(TEST_OUT):
	$(Q)mkdir -p $@

-include $(wildcard $(TEST_OUT)/.*.d)

# krpctl runs on the kernel it drives: 64-bit for an x86_64 kernel, 32-bit
# for an i386 one.  Static, so that it runs in the guest's busybox
# userland and on any distribution.  Always rebuilt: the word size
# follows the kernel chosen, which make cannot see change.
KRPCTL_SRCS	:= $(wildcard tools/krpctl/*.c)
krpctl_m	= $(if $(shell grep -qsx 'CONFIG_X86_64=y' $(kdir)/.config && echo y),-m64,-m32)

krpctl: | build
	$(Q)test -n "$(kdir)" || { echo "no kernel build directory" >&2; exit 1; }
	@echo "  CC      build/krpctl ($(krpctl_m))"
	$(Q)$(TEST_CC) $(krpctl_m) -static -O2 -Wall -Wextra -o build/krpctl $(KRPCTL_SRCS)

build:
	$(Q)mkdir -p $@

# make install: krp.ko for the kernel chosen above (modules_install into
# INSTALL_MOD_DIR, default extra/, then depmod), krpctl and its man page
# under PREFIX, and /usr/src/krp-VERSION: the headers and Module.symvers
# for client modules (-I/usr/src/krp-VERSION/include,
# KBUILD_EXTRA_SYMBOLS=/usr/src/krp-VERSION/Module.symvers), with the
# sources and dkms.conf, so that `dkms install krp/VERSION` builds it for
# other kernels.  Everything under DESTDIR.  KRP_SIGN_KEY and
# KRP_SIGN_CERT sign krp.ko with the kernel's sign-file (Secure Boot:
# Documentation/install.md); Kbuild's own attempt is turned off, as
# Debian's headers carry no key for it.
VERSION		:= $(shell cat $(CURDIR)/VERSION)
PREFIX		?= /usr/local
INSTALL_MOD_DIR	?= extra
SRC_DEST	= $(DESTDIR)/usr/src/krp-$(VERSION)
DKMS_FILES	:= Kbuild VERSION dkms.conf LICENSE \
		   $(shell git ls-files -co --exclude-standard -- kernel arch include 2>/dev/null || \
			   find kernel arch include -name '*.[chS]')

install: modules krpctl
	$(Q)release=$$(modinfo -F vermagic krp.ko | cut -d' ' -f1) && \
	if [ -n "$(KRP_SIGN_KEY)$(KRP_SIGN_CERT)" ]; then \
		echo "  SIGN    krp.ko ($(KRP_SIGN_CERT))"; \
		$(kdir)/scripts/sign-file sha256 "$(KRP_SIGN_KEY)" "$(KRP_SIGN_CERT)" krp.ko || exit; \
	fi && \
	echo "  INSTALL krp.ko for $$release" && \
	$(MAKE) --no-print-directory -C $(kdir) M=$(CURDIR) \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		CONFIG_MODULE_SIG_ALL= modules_install 2>&1 | \
		grep -v "missing 'System.map' file" >&2; \
	echo "  DEPMOD  $$release (whether Kbuild could or not)" && \
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $$release 2>&1 | \
		grep -v 'could not open modules.\(order\|builtin\)' >&2; \
	test -f $(DESTDIR)/lib/modules/$$release/$(INSTALL_MOD_DIR)/krp.ko
	@echo "  INSTALL krpctl, krpctl.8 in $(DESTDIR)$(PREFIX)"
	$(Q)install -D -m 755 build/krpctl $(DESTDIR)$(PREFIX)/sbin/krpctl
	$(Q)install -D -m 644 Documentation/krpctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/krpctl.8
	@echo "  INSTALL $(SRC_DEST): headers, Module.symvers, sources, dkms.conf"
	$(Q)for f in $(DKMS_FILES); do install -D -m 644 $$f $(SRC_DEST)/$$f || exit; done
	$(Q)install -m 644 Module.symvers $(SRC_DEST)/Module.symvers

# Everything the QEMU targets need, built against the stock kernel.
stock:
	@echo "  SETUP   host packages (tools/setup-host)"
	$(Q)$(CURDIR)/tools/setup-host
	@echo "  FETCH   stock $(STOCK) kernel (tools/krp-kernel)"
	$(Q)$(KERNEL_TOOL) fetch $(STOCK)
	$(Q)$(MAKE) --no-print-directory KERNEL=$(STOCK) KDIR= modules selftests krpctl

test: stock
	@echo "  FETCH   $(HOST_KERNELS) kernels for the host suites"
	$(Q)for k in $(HOST_KERNELS); do $(KERNEL_TOOL) fetch $$k || exit; done
	@echo "  TEST    tools/krp-test on $(STOCK)"
	$(Q)KRP_KERNEL=$(STOCK) KRP_HOST_KERNELS="$(HOST_KERNELS)" \
		$(CURDIR)/tools/krp-test

# Each mutant is a copy of the tree with one break, built and run apart.
test-the-tests: stock
	@echo "  TEST    tools/krp-test-the-tests on $(STOCK)"
	$(Q)KRP_KERNEL=$(STOCK) $(CURDIR)/tools/krp-test-the-tests

run: stock
	@echo "  QEMU    tools/demo.sh on $(STOCK)"
	$(Q)$(QEMU_TOOL) --kernel $(STOCK) --script tools/demo.sh

bench:
	$(Q)test -f tools/bench/bench.sh || \
		{ echo "make bench: tools/bench/bench.sh does not exist yet" >&2; exit 1; }
	$(Q)$(MAKE) --no-print-directory stock
	@echo "  QEMU    tools/bench/bench.sh on $(STOCK): $(BENCH_QEMU)"
	$(Q)$(QEMU_TOOL) --kernel $(STOCK) --qemu "$(BENCH_QEMU)" \
		--timeout $(BENCH_TIMEOUT) --script tools/bench/bench.sh

# Both run, whatever the first finds.
check:
	$(Q)st=0; \
	$(MAKE) --no-print-directory checkpatch || st=1; \
	$(MAKE) --no-print-directory sparse || st=1; \
	if [ $$st -ne 0 ]; then echo "make check: FAILED" >&2; else echo "  CHECK   clean"; fi; \
	exit $$st

# Every C source and header of the tree, tracked or new, not ignored.
CHECK_SRCS = $(wildcard $(shell git ls-files -co --exclude-standard -- '*.c' '*.h' 2>/dev/null || \
		find . -name .git -prune -o -name build -prune -o \( -name '*.c' -o -name '*.h' \) -print))

checkpatch:
	@echo "  CHECK   checkpatch.pl --no-tree on $(words $(CHECK_SRCS)) files"
	$(Q)perl $(ksrc)/scripts/checkpatch.pl --no-tree -q --show-types -f $(CHECK_SRCS)

# sparse on every source (C=2), krp.ko and the test modules; any warning
# from sparse or the compiler fails.
sparse:
	@echo "  CHECK   sparse (C=2) against the stock $(STOCK) kernel"
	$(Q)$(KERNEL_TOOL) fetch $(STOCK)
	$(Q)log=build/sparse.log; mkdir -p build; \
	{ $(MAKE) --no-print-directory KERNEL=$(STOCK) KDIR= modules C=2 && \
	  if [ -f $(TEST_MODULES)/Kbuild ]; then \
		$(MAKE) --no-print-directory KERNEL=$(STOCK) KDIR= test-modules C=2; fi; \
	} 2>&1 | tee $$log; \
	test $${PIPESTATUS[0]} -eq 0 || exit 1; \
	if grep -qE '(warning|error):' $$log; then \
		echo "sparse: warnings above (full log: $$log)" >&2; exit 1; fi

clean:
	@echo "  CLEAN   build/ and Kbuild output"
	$(Q)rm -rf build
	$(Q)find . -name .git -prune -o -type f \( -name '*.o' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' -o -name '*.o.d' \
		-o -name 'Module.symvers' -o -name 'modules.order' -o -name '*.dwo' \) \
		-print | xargs -r rm -f
	$(Q)for d in selftests/host/*/; do \
		if [ -f $$d/Makefile ] && grep -q '^clean:' $$d/Makefile; then \
			$(MAKE) --no-print-directory -C $$d clean; fi; \
	done

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))
