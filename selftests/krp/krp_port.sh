#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A client written for the kernel's <linux/kprobes.h> (kretprobe_example)
# and the same source ported by port.sed (krp_kretprobe_example), loaded
# side by side: the port works, and only krp sees every return when many
# tasks sleep in the probed function.

ko=${KRP_MODULE:-/krp/krp.ko}
dir=${KRP_SELFTESTS:-/krp/selftests}
dbg=/sys/kernel/debug
n=0
fail=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fail=1
	fi
}

# field NAME of FUNC's line in module MOD's stats file
field() {
	awk -v f="$2" -v k="$3" '$1 == f { for (i = 2; i < NF; i++) if ($i == k) print $(i + 1) }' \
		"$dbg/$1/stats"
}

echo "TAP version 13"
echo "1..6"

insmod "$ko" || { echo "Bail out! insmod krp.ko"; exit 1; }
insmod "$dir/kretprobe_example.ko" func=kernel_clone,pipe_read
ok $? "kernel client loads"
insmod "$dir/krp_kretprobe_example.ko" func=kernel_clone,pipe_read
ok $? "the same client ported to krp loads"

k0=$(field kretprobe_example kernel_clone returns)
r0=$(field krp_kretprobe_example kernel_clone returns)
for i in $(seq 50); do (:); done
k1=$(field kretprobe_example kernel_clone returns)
r1=$(field krp_kretprobe_example kernel_clone returns)
echo "# kernel_clone returns: kernel $((k1 - k0)), krp $((r1 - r0))"
# the two snapshots are a few instructions apart: a kernel thread may be
# cloned in between
d=$(((r1 - r0) - (k1 - k0)))
[ $((r1 - r0)) -ge 50 ] && [ $((k1 - k0)) -ge 50 ] && [ $d -ge -2 ] && [ $d -le 2 ]
ok $? "both see every fork (50), the same count give or take a concurrent clone"

k0=$(field kretprobe_example pipe_read returns)
r0=$(field krp_kretprobe_example pipe_read returns)
for i in $(seq 64); do sleep 60 | cat > /dev/null & done
sleep 3
killall sleep
wait
k1=$(field kretprobe_example pipe_read returns)
r1=$(field krp_kretprobe_example pipe_read returns)
km=$(field kretprobe_example pipe_read missed)
rm=$(field krp_kretprobe_example pipe_read missed)
echo "# 64 readers asleep in pipe_read: kernel saw $((k1 - k0)) returns, missed $km; krp saw $((r1 - r0)), missed $rm"
[ $((r1 - r0)) -ge 64 ] && [ "$rm" = 0 ]
ok $? "krp sees all 64 sleepers' returns, misses none"
[ "$km" -gt 0 ]
ok $? "the kernel's kretprobe (maxactive 20) misses some"

rmmod krp_kretprobe_example && rmmod kretprobe_example && rmmod krp
ok $? "everything unloads"
exit $fail
