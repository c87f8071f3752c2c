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

# What the pools cost with many tasks alive: the slab the kernel reports
# grows by them when a return probe is registered (every task gets a
# pool then), against what krp counts.
tasks=2000
i=0
pids=
while [ $i -lt $tasks ]; do
	sleep 600 &
	pids="$pids $!"
	i=$((i + 1))
done
slab() {
	sed -n 's/^Slab: *\([0-9]*\) kB/\1/p' /proc/meminfo
}
slab0=$(slab)
insmod "$tests/krp_bench.ko" rows=hold
pools=$(stat tasks_with_pool)
bytes=$(( $(stat pool_bytes) + $(stat pool_bytes_reserved) ))
slab1=$(slab)
echo
echo "pools with $tasks sleeping tasks more than at boot: $pools pools"
echo "  krp counts $((bytes / pools)) bytes a pool (pool_bytes + pool_bytes_reserved)"
echo "  the kernel's slab grew by $(( (slab1 - slab0) * 1024 / pools )) bytes a pool"
rmmod krp_bench
# shellcheck disable=SC2086
kill $pids 2>/dev/null || true
rmmod krp
