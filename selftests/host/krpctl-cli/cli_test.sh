#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# cli_test.sh KRPCTL: krpctl's commands against a fake root.  The files
# are plain, so what krpctl writes is appended and can be read back; a
# refusal is /dev/full's ENOSPC; trace_pipe is a FIFO this script feeds.
# Every wait is for a condition, bounded, never a fixed sleep.

set -uo pipefail

krpctl=$(cd "$(dirname "$1")" && pwd)/${1##*/}
no_ppoll=$(cd "$(dirname "$1")" && pwd)/no_ppoll
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
root=$tmp/root
n=0

echo "TAP version 13"
echo "1..22"

result()	# result STATUS DESCRIPTION
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

# run ARGS...: krpctl against $root; stdout, stderr and status kept.
run()
{
	st=0
	KRPCTL_ROOT=$root "$krpctl" "$@" >"$tmp/out" 2>"$tmp/err" || st=$?
}

# until_true CMD...: CMD succeeds within 20 s (for slow, loaded hosts).
until_true()
{
	local i
	for i in $(seq 200); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

fresh()
{
	rm -rf "$root"
	mkdir -p "$root/proc/krp/hist" "$root/sys/module/krp" \
		"$root/sys/kernel/tracing/events/krp/krp_ret" \
		"$root/sys/kernel/debug/krp"
	: >"$root/proc/krp/probes"
	: >"$root/proc/krp/error_log"
	echo 0 >"$root/sys/kernel/tracing/events/krp/krp_ret/enable"
}

hist()	# hist COUNT_512 COUNT_1024 MISSED
{
	local c=$(($1 + $2)) t=$(($1 * 700 + $2 * 1500))
	cat <<EOT
     nsecs               : count     distribution
       512 -> 1023       : $1        |****                                    |
      1024 -> 2047       : $2        |****                                    |

avg = $((c ? t / c : 0)) nsecs, total: $t nsecs, count: $c, missed: $3
EOT
}

mkdir -p "$root"
run --help
[ $st -eq 0 ] && grep -q '^usage: krpctl COMMAND' "$tmp/out" && [ ! -s "$tmp/err" ]
result $? "--help: usage on stdout, status 0"

run
st1=$st
run frobnicate
[ $st1 -eq 2 ] && [ $st -eq 2 ] && grep -q "unknown command 'frobnicate'" "$tmp/err" &&
	[ ! -s "$tmp/out" ]
result $? "no command, unknown command: status 2, said on stderr"

run list
[ $st -eq 3 ] && grep -q 'krp is not loaded' "$tmp/err"
result $? "krp not loaded: status 3"

mkdir -p "$root/sys/module/krp"
run add 'r:myret vfs_read $retval'
[ $st -eq 3 ] && grep -q 'predates probe definitions' "$tmp/err"
result $? "a krp.ko without /proc/krp/probes: status 3"

fresh
run add 'x:foo vfs_read'
st1=$st
run add 'r:bad-name vfs_read'
[ $st1 -eq 2 ] && [ $st -eq 2 ] && grep -q 'is not a definition' "$tmp/err" &&
	[ ! -s "$root/proc/krp/probes" ]
result $? "add: a bad SPEC is status 2 and nothing written"

run add 'r:myret vfs_read $retval'
[ $st -eq 0 ] && [ "$(cat "$root/proc/krp/probes")" = 'r:myret vfs_read $retval' ]
result $? "add: the SPEC written as one command"

: >"$root/proc/krp/probes"
run add r:myret vfs_read '$retval'
[ $st -eq 0 ] && [ "$(cat "$root/proc/krp/probes")" = 'r:myret vfs_read $retval' ]
result $? "add: SPEC in several words, joined"

rm "$root/proc/krp/probes"
ln -s /dev/full "$root/proc/krp/probes"
cat >"$root/proc/krp/error_log" <<'EOT'
[  100.000001] krp: error: Unknown symbol
  Command: r:myret no_such_fn $retval
                   ^
[  100.500001] krp: error: Unknown fetch argument
  Command: r:other vfs_read $bogus
                            ^
EOT
run add 'r:myret no_such_fn $retval'
[ $st -eq 1 ] && grep -q "add 'r:myret no_such_fn \$retval': No space left on device" "$tmp/err" &&
	grep -q '^  Command: r:myret no_such_fn \$retval$' "$tmp/err" &&
	grep -q '^                   \^$' "$tmp/err" && ! grep -q bogus "$tmp/err"
result $? "add refused: status 1, the errno and error_log's entry with its ^"

fresh
printf '%s\n' 'r:krp/myret vfs_read arg1=$retval' 'p:grp/ent do_sys_openat2 dfd=$arg1:s32' \
	'r:grp/myret ksys_read' >"$root/proc/krp/probes"
run list
[ $st -eq 0 ] && diff -u "$root/proc/krp/probes" "$tmp/out" >&2
result $? "list: the definitions, as add takes them"

cp "$root/proc/krp/probes" "$tmp/before"
run remove myret
st1=$st
cp "$tmp/err" "$tmp/err1"
run remove nosuch
st2=$st
cp "$tmp/err" "$tmp/err2"
run remove 'bad/na-me'
[ $st1 -eq 2 ] && grep -q 'more than one group' "$tmp/err1" &&
	[ $st2 -eq 1 ] && grep -q 'no probe nosuch is defined' "$tmp/err2" &&
	[ $st -eq 2 ] && cmp -s "$tmp/before" "$root/proc/krp/probes"
result $? "remove: ambiguous (2), unknown (1), bad name (2); nothing written"

run remove grp/ent
[ $st -eq 0 ] && [ "$(tail -n 1 "$root/proc/krp/probes")" = '-:grp/ent' ]
result $? "remove GRP/EVENT: -:GRP/EVENT written"

hist 3 1 2 >"$root/proc/krp/hist/myret"
hist 0 5 0 >"$root/proc/krp/hist/myret_x"
printf '%s\n' 'r:krp/myret vfs_read' >"$root/proc/krp/probes"
printf 'hits 10\nreturns 9\n' >"$root/sys/kernel/debug/krp/stats"
run stats
[ $st -eq 0 ] && grep -qE '^myret +vfs_read +4 +2 +900$' "$tmp/out" &&
	grep -q '^returns 9$' "$tmp/out" && ! grep -q myret_x "$tmp/out"
result $? "stats: returns, misses and average per probe, then krp's counters"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	st=0
	KRPCTL_ROOT=$root setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$krpctl" add 'r:x vfs_read' >"$tmp/out" 2>"$tmp/err" || st=$?
	[ $st -eq 4 ] && grep -q 'run it as root' "$tmp/err"
	result $? "not root: status 4"
else
	echo "ok $((n += 1)) # SKIP not root, or no setpriv"
fi

run latency
st1=$st
run latency vfs_read -d
st2=$st
run latency vfs_read -i -1
st3=$st
run latency vfs_read ksys_read
[ $st1 -eq 2 ] && [ $st2 -eq 2 ] && [ $st3 -eq 2 ] && [ $st -eq 2 ] &&
	[ ! -s "$root/proc/krp/probes" -o "$(cat "$root/proc/krp/probes")" = 'r:krp/myret vfs_read' ]
result $? "latency: no function, bad -d/-i, two functions: status 2"

# latency: the child makes its hist file before it execs krpctl, whose
# pid names the probe; the script changes the file, then ends it.
fresh
hist 1 0 0 >"$tmp/h0"
hist 4 2 3 >"$tmp/h1"
KRPCTL_ROOT=$root bash -c 'cp "$1" "$2/proc/krp/hist/krpctl_lat_$$"; exec "$3" latency vfs_read' \
	_ "$tmp/h0" "$root" "$krpctl" >"$tmp/out" 2>"$tmp/err" &
pid=$!
until_true grep -q 'tracing vfs_read' "$tmp/err"
result $? "latency: running, said on stderr"
cp "$tmp/h1" "$root/proc/krp/hist/krpctl_lat_$pid"
kill -INT $pid
st=0
wait $pid || st=$?
[ $st -eq 0 ] && grep -qE '^ +512 -> 1023 +: 3 ' "$tmp/out" &&
	grep -qE '^ +1024 -> 2047 +: 2 ' "$tmp/out" &&
	grep -q 'count: 5, missed: 3$' "$tmp/out"
result $? "latency, Ctrl-C: the histogram since it began, misses beside the count"
[ "$(cat "$root/proc/krp/probes")" = "r:krpctl_lat_$pid vfs_read
-:krpctl_lat_$pid" ]
result $? "latency, Ctrl-C: its probe defined, then removed"

fresh
hist 1 0 0 >"$tmp/h0"
KRPCTL_ROOT=$root bash -c 'cp "$1" "$2/proc/krp/hist/krpctl_lat_$$"; exec "$3" latency vfs_read -d 0.2 --json' \
	_ "$tmp/h0" "$root" "$krpctl" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] && grep -qE '^\{"func":"vfs_read","seconds":[0-9.]+,"unit":"nsecs","buckets":\[\],"count":0,"total":0,"avg":0,"missed":0\}$' "$tmp/out" &&
	[ "$(wc -l <"$root/proc/krp/probes")" -eq 2 ]
result $? "latency -d --json: ends by itself, one JSON line, probe removed"

# latency where ppoll() fails (no_ppoll: ENOSYS, as for i386 programs on
# a kernel without 32-bit time calls): it must fail and clean up, not
# spin with SIGINT blocked.  The timeout only bounds a broken krpctl.
fresh
hist 1 0 0 >"$tmp/h0"
st=0
KRPCTL_ROOT=$root timeout -k 1 20 "$no_ppoll" bash -c \
	'cp "$1" "$2/proc/krp/hist/krpctl_lat_$$"; exec "$3" latency vfs_read' \
	_ "$tmp/h0" "$root" "$krpctl" >"$tmp/out" 2>"$tmp/err" || st=$?
[ $st -eq 1 ] && grep -q 'latency: cannot wait (ppoll): Function not implemented' "$tmp/err" &&
	[ "$(wc -l <"$root/proc/krp/probes")" -eq 2 ] &&
	[ "$(tail -n 1 "$root/proc/krp/probes")" = "-:krpctl_lat_$(sed -n 's/^r:krpctl_lat_\([0-9]*\) .*/\1/p' "$root/proc/krp/probes")" ]
result $? "latency, ppoll failing (ENOSYS): status 1, said so, probe removed (status $st)"

# trace: a FIFO for trace_pipe, held open by this script.
fresh
mkfifo "$root/sys/kernel/tracing/trace_pipe"
exec 7<>"$root/sys/kernel/tracing/trace_pipe"
KRPCTL_ROOT=$root "$krpctl" trace 'r:myret vfs_read $retval' >"$tmp/out" 2>"$tmp/err" &
pid=$!
until_true grep -q 'tracing myret' "$tmp/err"
enabled=$(cat "$root/sys/kernel/tracing/events/krp/krp_ret/enable")
printf '%s\n' '  cat-9 [000] d.... 1.0: krp_ret: probe=other func=vfs_read retval=1' \
	'  cat-9 [000] d.... 1.1: krp_ret: probe=myret func=vfs_read retval=5' >&7
until_true grep -q 'retval=5' "$tmp/out"
[ "$enabled" = 1 ]
result $? "trace: the event enabled while it runs"
kill -TERM $pid
st=0
wait $pid || st=$?
exec 7>&-
[ $st -eq 0 ] && [ "$(cat "$tmp/out")" = '  cat-9 [000] d.... 1.1: krp_ret: probe=myret func=vfs_read retval=5' ]
result $? "trace: its probe's lines only, status 0 on SIGTERM"
[ "$(cat "$root/sys/kernel/tracing/events/krp/krp_ret/enable")" = 0 ] &&
	[ "$(cat "$root/proc/krp/probes")" = 'r:myret vfs_read $retval
-:myret' ]
result $? "trace: enable put back, its probe removed"
