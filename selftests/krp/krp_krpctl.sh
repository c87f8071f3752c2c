#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# krpctl against a booted krp: the commands as a user types them, the
# issue's Bar for krpctl (latency with a nonzero count), refusals with
# the kernel's error_log entry, and trace/latency leaving nothing behind
# when stopped.  Not root is tested on the host (selftests/host/krpctl-cli):
# the guest's busybox cannot drop privileges.

ko=${KRP_MODULE:-/krp/krp.ko}
tools=${KRP_TOOLS:-/krp/tools}
krpctl=$tools/krpctl
tmp=/tmp/krpctl.$$
enable=/sys/kernel/debug/tracing/events/krp/krp_ret/enable
n=0
fail=0

echo "TAP version 13"
echo "1..18"

ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fail=1
	fi
}

# run ARGS...: krpctl; stdout, stderr and status in $tmp.out, .err, $st.
run()
{
	st=0
	"$krpctl" "$@" >"$tmp.out" 2>"$tmp.err" || st=$?
}

show() { sed 's/^/# /' "$tmp.out" "$tmp.err"; }

# reads: vfs_read calls from a loop of cat, in the background.
reads_start()
{
	(while :; do cat /proc/version /proc/uptime >/dev/null; done) &
	reads=$!
}
reads_stop() { kill "$reads" 2>/dev/null; wait "$reads" 2>/dev/null; }

# wait_for CMD...: CMD succeeds within 60 s, checked every second.
wait_for()
{
	i=0
	while [ $i -lt 60 ]; do
		"$@" && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}

mkdir -p /tmp
[ -x "$krpctl" ] || { echo "Bail out! no $krpctl (make krpctl)"; exit 1; }

run --help
[ $st -eq 0 ] && grep -q '^usage: krpctl COMMAND' "$tmp.out"
ok $? "krpctl --help: usage on stdout, status 0"

run list
[ $st -eq 3 ] && grep -q 'krp is not loaded' "$tmp.err"
ok $? "krp not loaded: status 3, said so"

insmod "$ko" || { echo "Bail out! insmod krp.ko"; exit 1; }

run add 'r:myret vfs_read $retval'
[ $st -eq 0 ]
ok $? "krpctl add 'r:myret vfs_read \$retval'"
show

run list
[ $st -eq 0 ] && [ "$(cat "$tmp.out")" = 'r:krp/myret vfs_read arg1=$retval' ]
ok $? "krpctl list: the definition in canonical form"
show

run add 'r:nosym no_such_fn_krp $retval'
[ $st -eq 1 ] && grep -q 'No such file or directory' "$tmp.err" &&
	grep -q '^  Command: r:nosym no_such_fn_krp \$retval$' "$tmp.err" &&
	grep -q '^ *\^$' "$tmp.err"
ok $? "add, unknown symbol: status 1, ENOENT and error_log's entry with ^"
show

run add 'r:badarg vfs_read $bogus'
[ $st -eq 1 ] && grep -q 'Invalid argument' "$tmp.err" &&
	grep -q '^  Command: r:badarg vfs_read \$bogus$' "$tmp.err" &&
	grep -q '^ *\^$' "$tmp.err"
ok $? "add, unknown fetch arg: status 1, EINVAL and error_log's entry with ^"
show

run add 'x:foo vfs_read'
st1=$st
run list
[ $st1 -eq 2 ] && [ "$(cat "$tmp.out")" = 'r:krp/myret vfs_read arg1=$retval' ]
ok $? "add, not a definition: status 2; only myret is defined after the refusals"

for i in 1 2 3 4 5 6 7 8 9 10; do cat /proc/version >/dev/null; done
run stats
[ $st -eq 0 ] && awk '$1 == "myret" && $2 == "vfs_read" && $3 >= 10 && $4 == 0 { f = 1 } END { exit !f }' "$tmp.out" &&
	grep -q '^returns [0-9]' "$tmp.out"
ok $? "krpctl stats: myret's returns counted, none missed; krp's counters"
show

reads_start
run latency vfs_read -d 2
reads_stop
[ $st -eq 0 ] && grep -qE '^ +[0-9]+ -> [0-9]+ +: [1-9][0-9]* +\|\*' "$tmp.out" &&
	grep -qE 'count: [1-9][0-9]*, missed: 0$' "$tmp.out"
ok $? "krpctl latency vfs_read -d 2: a log2 histogram with a nonzero count, misses beside it"
show

run list
! grep -q krpctl_lat "$tmp.out"
ok $? "latency -d: its probe removed at the end"

reads_start
run latency vfs_read -d 2 -i 1 --json
reads_stop
lines=$(grep -c '^{"func":"vfs_read","seconds":[0-9.]*,"unit":"nsecs","buckets":\[.*\],"count":[0-9]*,"total":[0-9]*,"avg":[0-9]*,"missed":0}$' "$tmp.out")
[ $st -eq 0 ] && [ "$lines" -ge 2 ] && grep -q '"count":[1-9]' "$tmp.out"
ok $? "latency -i 1 --json: one JSON line per interval ($lines), counts in them"
show

"$krpctl" latency vfs_read >"$tmp.out" 2>"$tmp.err" &
pid=$!
wait_for grep -q 'tracing vfs_read' "$tmp.err"
wait_for sh -c "$krpctl list | grep -q krpctl_lat_$pid"
ok $? "latency without -d: running, its probe defined"
for i in 1 2 3 4 5; do cat /proc/version >/dev/null; done
kill -INT $pid
# A latency that does not end must fail this test, not hang the group.
wait_for sh -c "! grep -qs ') [RSD]' /proc/$pid/stat" ||
	{ echo "# latency still running"; kill -KILL $pid; }
st=0
wait $pid || st=$?
run list
[ $st -eq 0 ] && ! grep -q "krpctl_lat_$pid" "$tmp.out"
ok $? "latency, Ctrl-C (SIGINT): status 0, its probe removed"

"$krpctl" trace 'r:tr vfs_read $retval' >"$tmp.trace" 2>"$tmp.err" &
pid=$!
wait_for grep -q 'tracing tr' "$tmp.err"
was=$(cat "$enable")
reads_start
wait_for grep -q 'krp_ret: probe=tr ' "$tmp.trace"
ok $? "krpctl trace: events of its probe stream out"
reads_stop
[ "$was" = 1 ] && ! grep -v 'krp_ret: probe=tr ' "$tmp.trace" | grep -q .
ok $? "trace: krp_ret enabled while it runs; only its probe's lines shown"
sed -n '1,3s/^/# /p' "$tmp.trace"
kill -INT $pid
# A trace that does not end must fail this test, not hang the group.
wait_for sh -c "! grep -qs ') [RSD]' /proc/$pid/stat" ||
	{ echo "# trace still running"; kill -KILL $pid; }
st=0
wait $pid || st=$?
run list
[ $st -eq 0 ] && [ "$(cat "$enable")" = 0 ] && ! grep -q '/tr ' "$tmp.out"
ok $? "trace, Ctrl-C: status 0, krp_ret disabled again, its probe removed"

run remove myret
st1=$st
run remove myret
[ $st1 -eq 0 ] && [ $st -eq 1 ] && grep -q 'no probe myret is defined' "$tmp.err" &&
	[ ! -s /proc/krp/probes ]
ok $? "krpctl remove myret: removed; again: status 1, said so"

rmmod krp
[ ! -d /sys/module/krp ]
ok $? "krp unloads after krpctl"
rm -f "$tmp".*
exit $fail
