#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: what `make run` shows, run in the guest by tools/krp-qemu.
# Return probes on real kernel functions, a workload, and the same client
# on the kernel's own kretprobes beside it, for contrast.

set -e
ko=${KRP_MODULE:-/krp/krp.ko}
tests=${KRP_SELFTESTS:-/krp/selftests}
tools=${KRP_TOOLS:-/krp/tools}
dbg=/sys/kernel/debug
dir=$dbg/krp
funcs=vfs_read,do_sys_openat2,kernel_clone,pipe_read

step() { printf '\n$ %s\n' "$*"; }

echo "krp demo on $(uname -r) ($(uname -m)), $(nproc) CPU(s)"

step insmod krp.ko
insmod "$ko"
step ls -l "$dir"
ls -l "$dir"

step "insmod krp_kretprobe_example.ko func=$funcs   # time four functions with krp"
insmod "$tests/krp_kretprobe_example.ko" func=$funcs
step "insmod kretprobe_example.ko func=pipe_read   # the same client on the kernel's kretprobes"
insmod "$tests/kretprobe_example.ko" func=pipe_read
step cat "$dir/list"
cat "$dir/list"

# The user path: no module of one's own, kprobe_events syntax.
tr=/sys/kernel/debug/tracing
step "echo 'r:myret vfs_read \$retval' > /proc/krp/probes   # a definition, as for kprobe_events"
echo 'r:myret vfs_read $retval' > /proc/krp/probes
step "echo 'r:krp_pipe pipe_read' >> /proc/krp/probes; echo 'r:kern_pipe pipe_read' >> $tr/kprobe_events   # krp beside the kernel's kretprobe"
echo 'r:krp_pipe pipe_read' >> /proc/krp/probes
echo 'r:kern_pipe pipe_read' >> "$tr/kprobe_events"
step cat /proc/krp/probes
cat /proc/krp/probes
step "echo 1 > $tr/events/krp/krp_ret/enable; echo 'hist:keys=probe:vals=hitcount' > $tr/events/krp/krp_ret/trigger; echo 1 > $tr/events/kprobes/kern_pipe/enable"
echo 1 > "$tr/events/krp/krp_ret/enable"
echo 'hist:keys=probe:vals=hitcount' > "$tr/events/krp/krp_ret/trigger"
echo 1 > "$tr/events/kprobes/kern_pipe/enable"

step "workload: read files, fork 100 times, 200 readers asleep in pipe_read"
for f in /proc/*/status; do cat "$f" > /dev/null 2>&1 || true; done
for i in $(seq 100); do (:); done
for i in $(seq 200); do sleep 600 | cat > /dev/null & done
sleep 3
echo "$(pidof cat | wc -w) cat processes are asleep in pipe_read"
# Under load starting 200 pairs can take long: some may have ended.
killall sleep 2>/dev/null || true
wait

step "grep -m 3 'probe=myret' $tr/trace   # krp:krp_ret events in the ring buffer"
grep -m 3 'probe=myret' "$tr/trace" || true
step "cat $tr/events/krp/krp_ret/hist   # the kernel's hist trigger on krp's event"
grep -E '^\{|^Totals|Hits' "$tr/events/krp/krp_ret/hist" || true
step "cat /proc/krp/hist/myret   # krp's own latency histogram"
cat /proc/krp/hist/myret
step "cat /proc/krp/hist/krp_pipe; grep kern_pipe $tr/kprobe_profile   # 200 returns of pipe_read: krp, the kernel (hits, misses)"
cat /proc/krp/hist/krp_pipe
grep kern_pipe "$tr/kprobe_profile" || true
if [ -x "$tools/krpctl" ]; then
	step "krpctl latency vfs_read -d 2   # the same from the command line"
	# The shell's read builtin: one read(2) per byte (busybox cat uses sendfile).
	(for i in $(seq 20); do while read -r l; do :; done < /proc/self/status; done) &
	"$tools/krpctl" latency vfs_read -d 2
	wait
fi
echo 0 > "$tr/events/kprobes/kern_pipe/enable"
echo '!hist:keys=probe:vals=hitcount' > "$tr/events/krp/krp_ret/trigger"
echo 0 > "$tr/events/krp/krp_ret/enable"
echo '-:kern_pipe' >> "$tr/kprobe_events"
step ": > /proc/krp/probes; cat /proc/krp/probes   # O_TRUNC removes every definition"
: > /proc/krp/probes
cat /proc/krp/probes

step cat "$dbg/krp_kretprobe_example/stats   # krp"
cat "$dbg/krp_kretprobe_example/stats"
step cat "$dbg/kretprobe_example/stats   # the kernel's kretprobe, maxactive 20"
cat "$dbg/kretprobe_example/stats"
step cat "$dir/list"
cat "$dir/list"
step cat "$dir/stats"
cat "$dir/stats"

step "echo 0 > /proc/krp/enabled; cat /proc/krp/enabled"
echo 0 > /proc/krp/enabled
cat /proc/krp/enabled
echo 1 > /proc/krp/enabled

step rmmod kretprobe_example krp_kretprobe_example krp
rmmod kretprobe_example
rmmod krp_kretprobe_example
rmmod krp
if [ -e "$dir" ]; then
	echo "demo: $dir still exists after rmmod" >&2
	exit 1
fi
step "dmesg | grep -E 'krp|kretprobe_example'"
dmesg | grep -E 'krp|kretprobe_example' | grep -v 'krp-qemu' | tail -20
echo
echo "krp probed four kernel functions live, saw every return of 200 sleeping"
echo "readers where the kernel's kretprobe missed most, did the same for a"
echo "probe written in kprobe_events syntax, and unloaded cleanly."
