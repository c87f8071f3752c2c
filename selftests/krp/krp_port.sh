#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A client written for the kernel's <linux/kprobes.h> (kretprobe_example)
# and the same source ported by port.sed (krp_kretprobe_example), loaded
# side by side: the port works, and only krp sees every return when many
# tasks sleep in the probed function.

# In a kselftest run (selftests/krp/Makefile), skip where krp cannot run.
if [ -n "${KRP_USE_LOADED:-}" ]; then
	why=$(sh "$(dirname "$0")/krp_ksft_check.sh" | sed -n 's/.*# SKIP //p')
	[ -z "$why" ] || { printf 'TAP version 13\n1..0 # SKIP %s\n' "$why"; exit 4; }
fi

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

# "returns missed" of FUNC in the kernel client's stats, then in the krp
# client's, into $snap.  Shell builtins only: a fork would call
# kernel_clone() while the files are read, and with two CPUs the child can
# read between the two probes' return handlers of its parent's call; a
# command substitution would sit in pipe_read() the same way.
snap() {
	local file name rest w prev r m
	snap=''
	for file in "$dbg/kretprobe_example/stats" \
		    "$dbg/krp_kretprobe_example/stats"; do
		while read -r name rest; do
			[ "$name" = "$1" ] || continue
			prev='' r='' m=''
			for w in $rest; do
				[ "$prev" = returns ] && r=$w
				[ "$prev" = missed ] && m=$w
				prev=$w
			done
			snap="$snap$r $m "
		done <"$file"
	done
}

# the value of line NAME of krp's stats
krp_stat() {
	awk -v k="$1" '$1 == k { print $2 }' "$dbg/krp/stats"
}

echo "TAP version 13"
echo "1..6"

insmod "$ko" || { echo "Bail out! insmod krp.ko"; exit 1; }
insmod "$dir/kretprobe_example.ko" func=kernel_clone,pipe_read
ok $? "kernel client loads"
insmod "$dir/krp_kretprobe_example.ko" func=kernel_clone,pipe_read
ok $? "the same client ported to krp loads"

# Every return of a function the kernel's kretprobe sees, or counts as
# missed at the entry, and krp sees: kernel returns + kernel missed = krp.
# Only this shell's forks count: a kernel thread forking (kthreadd starts
# workers whenever it likes) between the reads of the two stats files
# would be in one count and not the other.  The shell forks only in the
# loop, and reads the files itself.
echo $$ >/sys/module/kretprobe_example/parameters/tgid
echo $$ >/sys/module/krp_kretprobe_example/parameters/tgid
snap kernel_clone
set -- $snap
k0=$1 km0=$2 r0=$3
for i in $(seq 50); do (:); done
snap kernel_clone
set -- $snap
k=$(($1 - k0)) km=$(($2 - km0)) r=$(($3 - r0))
echo 0 >/sys/module/kretprobe_example/parameters/tgid
echo 0 >/sys/module/krp_kretprobe_example/parameters/tgid
echo "# kernel_clone: kernel $k returns, $km missed; krp $r returns"
[ $r -ge 50 ] && [ $((k + km)) -eq $r ]
ok $? "both see every fork of this shell (50): kernel returns + missed = krp returns"

snap pipe_read
set -- $snap
k0=$1 km0=$2 r0=$3 rm0=$4
f0=$(krp_stat frames_in_use)
# 64 readers of one FIFO whose only writer is this shell: each sleeps in
# pipe_read until the shell closes its end, however long the guest takes
# to get them all there (a "sleep 60" writer could end first when a
# loaded host starves the guest).
fifo=/tmp/krp_port.fifo
rm -f $fifo
mkfifo $fifo
exec 5<>$fifo
for i in $(seq 64); do cat $fifo > /dev/null 5>&- & done
# all 64 readers inside pipe_read at once, each with a krp frame out
for i in $(seq 600); do
	f=$(($(krp_stat frames_in_use) - f0))
	[ $f -ge 64 ] && break
	sleep 0.1
done
exec 5>&-
wait
rm -f $fifo
snap pipe_read
set -- $snap
k=$(($1 - k0)) km=$(($2 - km0)) r=$(($3 - r0)) rm=$(($4 - rm0))
echo "# 64 readers asleep in pipe_read ($f krp frames out): kernel saw $k returns, missed $km; krp saw $r, missed $rm"
[ $f -ge 64 ] && [ $r -ge 64 ] && [ $rm -eq 0 ] && [ $((k + km)) -eq $r ]
ok $? "krp sees all 64 sleepers' returns, misses none: kernel returns + missed = krp returns"
[ $km -gt 0 ]
ok $? "the kernel's kretprobe (maxactive 20) misses some"

rmmod krp_kretprobe_example && rmmod kretprobe_example && rmmod krp
ok $? "everything unloads"
exit $fail
