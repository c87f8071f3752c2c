#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: run in the guest by `make bench` (tools/krp-qemu, booted with
# -icount shift=0 -smp 1, so one guest nanosecond is one instruction).
# krp_bench.ko measures krp against the kernel's own kretprobes in this
# boot and leaves its table in debugfs.

set -e
ko=${KRP_MODULE:-/krp/krp.ko}
tests=${KRP_SELFTESTS:-/krp/selftests}

insmod "$ko"
insmod "$tests/krp_bench.ko"
cat /sys/kernel/debug/krp_bench/report
rmmod krp_bench
rmmod krp
