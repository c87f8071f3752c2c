#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: run in the guest by `make bench` (tools/krp-qemu, booted with
# -icount shift=0 -smp 1, so one guest nanosecond is one instruction).
# krp_bench.ko measures krp against the kernel's own kretprobes and
# kprobes in this boot, one row per load; around each row of krp's int3
# entries, krp/stats gives the traps krp took per hit.

set -e
ko=${KRP_MODULE:-/krp/krp.ko}
tests=${KRP_SELFTESTS:-/krp/selftests}
stats=/sys/kernel/debug/krp/stats
report=/sys/kernel/debug/krp_bench/report

stat() {
	sed -n "s/^$1 //p" "$stats"
}

insmod "$ko"
for row in ftrace int3 boost kprobe kprobe_ss sleepers; do
	int3=$(stat int3_traps)
	step=$(stat step_traps)
	insmod "$tests/krp_bench.ko" rows=$row
	if [ "$row" = ftrace ]; then
		head -n 2 "$report"
	fi
	hits=$(sed -n 's/^# krp int3 hits //p' "$report")
	sed -e '1,2d' -e '/^# krp int3 hits/d' "$report"
	rmmod krp_bench
	if [ "${hits:-0}" -gt 0 ]; then
		int3=$(( $(stat int3_traps) - int3 ))
		step=$(( $(stat step_traps) - step ))
		echo "krp traps: $int3 int3 and $step single-step for $hits hits"
	fi
done
rmmod krp
