#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own lib/test_kprobes.c, ported to krp by port.sed alone
# (krp_test_kprobes.ko, built with the KUnit shim of
# selftests/krp/modules/kunit-shim): its suite runs when the module
# loads, and each case's KTAP line in the kernel log becomes one result
# here.  All six cases of 6.1's file must be there and pass: kprobe,
# kprobes, kretprobe, kretprobes, stacktrace_on_kretprobe and
# stacktrace_on_nested_kretprobe.

ko=${KRP_MODULE:-/krp/krp.ko}
dir=${KRP_SELFTESTS:-/krp/selftests}
suite=kprobes_test
cases="test_kprobe test_kprobes test_kretprobe test_kretprobes
test_stacktrace_on_kretprobe test_stacktrace_on_nested_kretprobe"
n=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
	fi
}

echo "TAP version 13"
echo "1..9"

insmod "$ko" || { echo "Bail out! insmod krp.ko"; exit 1; }
insmod "$dir/krp_test_kprobes.ko"
ok $? "the kernel's test_kprobes.c, ported by renaming, loads"

log=$(dmesg | sed -n "s/^\[[^]]*\] $suite: //p")
echo "$log" | sed 's/^/# /'
i=0
for c in $cases; do
	i=$((i + 1))
	echo "$log" | grep -qx "ok $i $c"
	ok $? "$c"
done
rmmod krp_test_kprobes
ok $? "krp_test_kprobes unloads"
rmmod krp
ok $? "krp unloads at the end"
