# SPDX-License-Identifier: GPL-2.0
#
# krp: build, test, run, bench and check.  krp.ko's object list is in
# Kbuild; this file drives Kbuild, the test builds and the QEMU pipeline.
#
#   make [modules]   krp.ko (W=1) against the kernel chosen below
#   make selftests   test modules and test programs
#   make krpctl      $(B)/krpctl (and a copy at build/krpctl), static, for
#                    the kernel's word size
#   make install     krp.ko (modules_install, depmod), krpctl, its man page,
#                    and /usr/src/krp-VERSION (headers, Module.symvers,
#                    dkms.conf and the sources); DESTDIR, PREFIX honoured
#   make test        host setup, stock kernels, build all, tools/krp-test
#   make test-the-tests  break krp on purpose (selftests/mutants), expect red
#   make test-debug  the groups of DEBUG_KERNELS on those debug kernels
#                    (lockdep, KASAN, UBSAN, kmemleak, fault injection),
#                    built from linux-source-6.1 on a cache miss
#   make run         boot the stock kernel and run tools/demo.sh in it
#   make bench       boot each kernel with an exact instruction count, run
#                    the benchmarks
#   make check       checkpatch and sparse on the whole tree
#   make clean       remove what the build made
#
# The kernel for modules and selftests:
#   KDIR=<dir>        a kernel build directory
#   KERNEL=<flavour>  a stock Debian kernel, fetched (tools/krp-kernel list)
#   neither           /lib/modules/$(uname -r)/build if present, else the
#                     stock 686-pae kernel
# Everything is built in build/<name>/, one tree per kernel, so that the
# objects of one kernel never clobber another's: <name> is the flavour,
# "kdir" for KDIR=, the running release for its build directory.  Kbuild
# builds an external module in its source directory, so build/<name>/
# mirrors the sources as symbolic links and Kbuild runs there:
#   build/<name>/krp.ko, Module.symvers       krp.ko
#   build/<name>/selftests/krp/modules/*.ko   the test modules
#   build/<name>/tests/                       test programs (-m32 for an
#                                             i386 kernel, -m64 for x86_64)
#                                             and test scripts
# test builds against and boots the stock kernels of TEST_KERNELS
# (686-pae, amd64 and amd64-6.12, and 686 for the basic group alone),
# bench those of BENCH_KERNELS (the first three); KERNEL= picks one for
# both.  run, test-the-tests and check use KERNEL (default 686-pae),
# whatever KDIR says.  make test also fetches the kernels of HOST_KERNELS, whose
# images the host suites check.
#
# V=1 shows the commands.

SHELL		:= /bin/bash

KERNEL_TOOL	:= $(CURDIR)/tools/krp-kernel
QEMU_TOOL	:= $(CURDIR)/tools/krp-qemu
STOCK		:= $(if $(KERNEL),$(KERNEL),686-pae)
HOST_KERNELS	:= 686-pae amd64 amd64-6.12
# FLAVOUR or FLAVOUR:GROUP,...: the kernels make test boots, and on which
# of them only some groups run (tools/krp-test).
TEST_KERNELS	:= $(if $(KERNEL),$(KERNEL),686-pae amd64 amd64-6.12 686:basic)
BENCH_KERNELS	:= $(if $(KERNEL),$(KERNEL),686-pae amd64 amd64-6.12)
test_flavours	= $(foreach k,$(TEST_KERNELS),$(firstword $(subst :, ,$(k))))

# Kernels built here with the kernel's debugging (tools/kconfig/); in
# CI, amd64-debug (KASAN, KFENCE) boots the groups about memory alone:
# all of them take 30 minutes there (README, "Debug kernels").
DEBUG_KERNELS	?= 686-debug amd64-debug:faults,kretprobe,storm

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
bname := kdir
else ifneq ($(KERNEL),)
kdir = $(call once,kdir,$(KERNEL_TOOL) kdir $(KERNEL))
bname := $(KERNEL)
else ifneq ($(wildcard $(running_build)/Makefile),)
kdir := $(running_build)
bname := $(shell uname -r)
else
kdir = $(call once,kdir,$(KERNEL_TOOL) kdir 686-pae)
bname := 686-pae
endif
B		:= build/$(bname)

# Kbuild runs a job per host CPU unless make was given -j itself, and
# compiles through ccache where it is installed, its cache beside the
# kernels' (a fresh clone then takes four kernels' objects from there).
# BASEDIR and NOHASHDIR: the same sources compile to the same objects
# whatever directory the clone is in.
JOBS		?= $(shell nproc 2>/dev/null || echo 1)
KBUILD_JOBS	:= $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))
CCACHE		:= $(shell command -v ccache 2>/dev/null)
KBUILD_CC	:= $(if $(CCACHE),CC="ccache gcc")
ifneq ($(CCACHE),)
export CCACHE_DIR	?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/krp/ccache
export CCACHE_BASEDIR	:= $(CURDIR)
export CCACHE_NOHASHDIR	:= 1
endif

# kselftest headers and checkpatch, extracted from linux-source-6.1.
ksrc = $(call once,ksrc,$(KERNEL_TOOL) source)

# The sources Kbuild reads, linked into $(B): tracked and new files, not
# ignored ones (a generated file is generated in $(B) itself); every file
# outside a git checkout of its own (the mutants' copies).
MIRROR_DIRS	:= Kbuild VERSION kernel arch include selftests/krp/modules
MIRROR_RE	:= (^|/)(Kbuild|VERSION|[^/]+\.(c|h|S|sed))$$

# mirror: $(B) holds a real directory for each source directory and a
# link for each source file; links whose source went are removed.
define mirror
	$(Q)mkdir -p $(B); \
	if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then \
		git ls-files -co --exclude-standard -- $(MIRROR_DIRS); \
	else \
		find $(MIRROR_DIRS) -type f ! -name '*.mod.c'; \
	fi | grep -E '$(MIRROR_RE)' | \
	while read -r f; do \
		l=$(B)/$$f; \
		[ "$$(readlink "$$l")" = "$(CURDIR)/$$f" ] && continue; \
		mkdir -p "$${l%/*}" && ln -sfn "$(CURDIR)/$$f" "$$l" || exit; \
	done; \
	find $(B) -xtype l -delete
endef

# Test programs: every selftests/krp/*.c is one static program for the
# kernel's width, linked with the helpers in selftests/krp/lib/; every
# selftests/krp/*.sh is copied.
TEST_OUT	:= $(B)/tests
TEST_LIB	:= $(wildcard selftests/krp/lib/*.c)
TEST_PROGS	:= $(patsubst selftests/krp/%.c,$(TEST_OUT)/%,$(wildcard selftests/krp/*.c))
TEST_SCRIPTS	:= $(patsubst selftests/krp/%,$(TEST_OUT)/%,$(wildcard selftests/krp/*.sh))
test_width	= $(call once,test_width,grep -qx CONFIG_X86_64=y $(kdir)/.config && echo -m64 || echo -m32)
TEST_CFLAGS	= $(test_width) -static -O2 -Wall \
		  -I$(ksrc)/tools/testing/selftests \
		  -I$(CURDIR)/include -I$(CURDIR)/selftests/krp/lib

TEST_MODULES	:= selftests/krp/modules

.PHONY: all modules selftests test-modules test-programs stock krpctl install \
	test test-the-tests test-debug run bench check checkpatch sparse clean help

all: modules

modules:
	$(Q)test -n "$(kdir)" || { echo "no kernel build directory" >&2; exit 1; }
	@echo "  MODULES $(B)/krp.ko against $(kdir)"
	$(call mirror)
	$(Q)$(MAKE) --no-print-directory $(KBUILD_JOBS) -C $(kdir) M=$(CURDIR)/$(B) \
		$(KBUILD_CC) W=1 modules

selftests: test-modules test-programs

# The test modules link against krp.ko's exports.  Their Kbuild gets
# KRP_SRC (the linux-source extraction).  Kbuild does not relink a
# module when only the CRCs of the symbols it imports change, so a
# krp.ko whose exports changed would leave test modules the kernel
# refuses ("disagrees about version of symbol").
test-modules: modules
ifneq ($(wildcard $(TEST_MODULES)/Kbuild),)
	@echo "  MODULES $(B)/$(TEST_MODULES)"
	$(Q)cd $(B)/$(TEST_MODULES) && \
	if [ ../../../Module.symvers -nt Module.symvers ]; then \
		rm -f *.o *.ko *.mod *.mod.c; fi
	$(Q)$(MAKE) --no-print-directory $(KBUILD_JOBS) -C $(kdir) M=$(CURDIR)/$(B)/$(TEST_MODULES) \
		$(KBUILD_CC) KBUILD_EXTRA_SYMBOLS=$(CURDIR)/$(B)/Module.symvers \
		KRP_SRC=$(ksrc) W=1 modules
else
	@echo "  SKIP    $(TEST_MODULES): no Kbuild yet"
endif

test-programs: $(TEST_PROGS) $(TEST_SCRIPTS)
	$(Q)stale="$(filter-out $(TEST_PROGS) $(TEST_SCRIPTS),$(wildcard $(TEST_OUT)/*))"; \
	if [ -n "$$stale" ]; then echo "  RM      $$stale"; rm -f $$stale; fi

$(TEST_PROGS): $(TEST_OUT)/%: selftests/krp/%.c $(TEST_LIB) | $(TEST_OUT)
	@echo "  CC      $@ ($(test_width))"
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
krpctl_m	= $(test_width)

krpctl: | $(B)
	$(Q)test -n "$(kdir)" || { echo "no kernel build directory" >&2; exit 1; }
	@echo "  CC      $(B)/krpctl ($(krpctl_m)), copied to build/krpctl"
	$(Q)$(TEST_CC) $(krpctl_m) -static -O2 -Wall -Wextra -o $(B)/krpctl $(KRPCTL_SRCS)
	$(Q)cp $(B)/krpctl build/krpctl

$(B):
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
	$(Q)release=$$(modinfo -F vermagic $(B)/krp.ko | cut -d' ' -f1) && \
	if [ -n "$(KRP_SIGN_KEY)$(KRP_SIGN_CERT)" ]; then \
		echo "  SIGN    $(B)/krp.ko ($(KRP_SIGN_CERT))"; \
		$(kdir)/scripts/sign-file sha256 "$(KRP_SIGN_KEY)" "$(KRP_SIGN_CERT)" $(B)/krp.ko || exit; \
	fi && \
	echo "  INSTALL krp.ko for $$release" && \
	$(MAKE) --no-print-directory -C $(kdir) M=$(CURDIR)/$(B) \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		CONFIG_MODULE_SIG_ALL= modules_install 2>&1 | \
		grep -v "missing 'System.map' file" >&2; \
	echo "  DEPMOD  $$release (whether Kbuild could or not)" && \
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $$release 2>&1 | \
		grep -v 'could not open modules.\(order\|builtin\)' >&2; \
	test -f $(DESTDIR)/lib/modules/$$release/$(INSTALL_MOD_DIR)/krp.ko
	@echo "  INSTALL krpctl, krpctl.8 in $(DESTDIR)$(PREFIX)"
	$(Q)install -D -m 755 $(B)/krpctl $(DESTDIR)$(PREFIX)/sbin/krpctl
	$(Q)install -D -m 644 Documentation/krpctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/krpctl.8
	@echo "  INSTALL $(SRC_DEST): headers, Module.symvers, sources, dkms.conf"
	$(Q)for f in $(DKMS_FILES); do install -D -m 644 $$f $(SRC_DEST)/$$f || exit; done
	$(Q)install -m 644 $(B)/Module.symvers $(SRC_DEST)/Module.symvers

# Everything the QEMU targets need, built against each stock kernel of
# $(1), in build/<flavour>/.
define build_stock
	@echo "  SETUP   host packages (tools/setup-host)"
	$(Q)$(CURDIR)/tools/setup-host
	$(Q)for k in $(1); do \
		echo "  FETCH   stock $$k kernel (tools/krp-kernel)"; \
		$(KERNEL_TOOL) fetch $$k && \
		$(MAKE) --no-print-directory KERNEL=$$k KDIR= modules selftests krpctl || exit; \
	done
endef

stock:
	$(call build_stock,$(STOCK))

test:
	$(call build_stock,$(test_flavours))
	@echo "  FETCH   $(HOST_KERNELS) kernels for the host suites"
	$(Q)for k in $(HOST_KERNELS); do $(KERNEL_TOOL) fetch $$k || exit; done
	@echo "  TEST    tools/krp-test on $(TEST_KERNELS)"
	$(Q)KRP_KERNELS="$(TEST_KERNELS)" KRP_HOST_KERNELS="$(HOST_KERNELS)" \
		$(CURDIR)/tools/krp-test

# Every debug kernel is fetched (built on a cache miss) and krp.ko and
# the test modules built for it, whatever the one before found; then one
# krp-test boots the groups of all of them, longest first, so that the
# two kernels' boots share the CPUs.  FLAVOUR:GROUP,... runs those
# groups alone there.
test-debug:
	@echo "  SETUP   host packages (tools/setup-host)"
	$(Q)$(CURDIR)/tools/setup-host
	$(Q)st=0; args=(); for k in $(DEBUG_KERNELS); do \
		f=$${k%%:*}; \
		echo "  KERNEL  $$f (tools/krp-kernel: built on a cache miss)"; \
		if $(KERNEL_TOOL) fetch $$f && \
		   $(MAKE) --no-print-directory KERNEL=$$f KDIR= modules selftests krpctl; then \
			args+=(--kernel "$$k"); \
		else \
			st=1; \
		fi; \
	done; \
	if [ $${#args[@]} -gt 0 ]; then \
		echo "  TEST    tools/krp-test --no-host on $(DEBUG_KERNELS)"; \
		$(CURDIR)/tools/krp-test --no-host "$${args[@]}" || st=1; \
	fi; \
	if [ $$st -ne 0 ]; then echo "make test-debug: FAILED" >&2; fi; \
	exit $$st

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
	$(call build_stock,$(BENCH_KERNELS))
	$(Q)for k in $(BENCH_KERNELS); do \
		echo "  QEMU    tools/bench/bench.sh on $$k: $(BENCH_QEMU)"; \
		$(QEMU_TOOL) --kernel $$k --qemu "$(BENCH_QEMU)" \
			--timeout $(BENCH_TIMEOUT) --script tools/bench/bench.sh || exit; \
	done

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
