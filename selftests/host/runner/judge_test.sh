#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the runner.  A recorded boot of a two-test group, clean, is fed
# to `krp-qemu --judge`; then the same stream with one flaw planted at a
# time (an empty or marker-less dmesg dump, a late WARN, a taint, a krp
# alarm, a debug kernel's report, leak or lockdep switched off, a TAP
# result out of line, a SKIP nobody expects): each flaw must
# fail the verdict, with the check that should see it.  Then krp-test's
# host-suite timeout and summary, and krp's alarm list against the
# messages of kernel/ and arch/.  TAP on stdout.

set -uo pipefail
shopt -s lastpipe

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
qemu=$top/tools/krp-qemu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
uuid=6b1e0c3a-5d0e-4f7c-9a55-000000000001

echo "TAP version 13"

result()	# result STATUS DESCRIPTION
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}

# The group of the recorded boot.
cat >"$tmp/fixture" <<'EOF'
test: t_one
test: t_two
skip: 686-pae,686 t_two ^optional
alarm: t_one 1 foo\+0x6: the text changed under krp
EOF

# The console: a boot-time WARNING before the marker is not the run's.
console()
{
	cat <<EOF
[    0.100000] WARNING: CPU: 0 PID: 0 at arch/x86/kernel/cpu/amd.c:1 init_amd
[    1.000000] krp-qemu: start of work, marker $uuid
[    1.300000] krp: foo+0x6: the text changed under krp (cc 00)
[    9.000000] reboot: Power down
EOF
}

# The clean recorded output port.
stream()
{
	cat <<EOF
### krp-marker $uuid
### krp-taint start 0
### krp-begin t_one
TAP version 13
1..2
ok 1 first
ok 2 second
# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0
### krp-end t_one 0
### krp-begin t_two
TAP version 13
1..2
ok 1 third
ok 2 # SKIP optional part: not on this kernel
### krp-end t_two 0
### krp-taint end 12288
### krp-dmesg-begin
[    1.000000] krp-qemu: start of work, marker $uuid
[    1.100000] krp-qemu: begin t_one
[    1.200000] krp: loaded, version 0.1.0
[    1.250000] krp: foo+0x3 is not an instruction boundary
[    1.300000] krp: foo+0x6: the text changed under krp (cc 00)
[    1.400000] krp-qemu: begin t_two
[    1.500000] krp: unloaded
[    5.000000] krp-qemu: end of work, marker $uuid
### krp-dmesg-end
### krp-done
EOF
}

# (No '#' in a description here: this suite's own TAP is judged too.)
#
# judge WANT WHAT [RE [FLAVOUR]]: judge the stream on stdin.  WANT pass:
# status 0 and no FAIL line; WANT fail: a non-zero status and a line
# matching RE.
judge()
{
	local want=$1 what=$2 re=${3:-} st=0 good=1

	[ -f "$tmp/console" ] || console >"$tmp/console"
	"$qemu" --kernel "${4:-686-pae}" --judge "$tmp/fixture" \
		--console "$tmp/console" >"$tmp/out" 2>"$tmp/err" || st=$?
	if [ "$want" = pass ]; then
		[ "$st" -eq 0 ] && ! grep -q '^FAIL' "$tmp/out" || good=0
	else
		[ "$st" -ne 0 ] && grep -qE -- "$re" "$tmp/out" || good=0
	fi
	if [ "$good" = 0 ]; then
		echo "# $what: status $st, verdict:"
		sed 's/^/#   /' "$tmp/out" "$tmp/err"
	fi
	rm -f "$tmp/console"
	result $((1 - good)) "$what"
}

# flaw WHAT RE SED: the clean stream edited by SED must fail with RE.
flaw()
{
	stream | sed -e "$3" | judge fail "$1" "$2"
}

F='^FAIL fixture'
LOG="$F: kernel log dumped whole"
WARN="$F: dmesg and console free of WARN/BUG/Oops"
ALARM="$F: no krp alarm but those its tests provoke on purpose"
TAINT="$F: kernel not tainted"

stream | judge pass "the clean recorded boot passes, a declared SKIP and alarm included"
stream | sed -e 's/^### krp-taint end 12288/### krp-taint end 274432/' |
	judge pass "taint N (the test modules' MODULE_INFO(test)) passes beside O and E"
stream | "$qemu" --kernel 686-pae --judge "$tmp/fixture" >"$tmp/out" 2>/dev/null
grep -q '^SKIP fixture/t_two: optional part' "$tmp/out"
result $? "a declared SKIP is reported as SKIP, not PASS"

# 1. the dmesg dump
flaw "an empty dmesg dump fails" "$LOG.*the dump is empty" \
	'/^### krp-dmesg-begin/,/^### krp-dmesg-end/{//!d}'
flaw "a dump whose start marker was pushed out fails" "$LOG.*does not begin with the start marker" \
	'/\] krp-qemu: start of work/d'
flaw "a dump cut short of the end marker fails" "$LOG.*no end marker" \
	'/\] krp-qemu: end of work/d'
flaw "another boot's marker fails" "$LOG.*does not begin" \
	"/\\] krp-qemu: start of work/s/$uuid/6b1e0c3a-5d0e-4f7c-9a55-000000000002/"
flaw "no dmesg dump at all (the guest died) fails" "$LOG.*no dmesg dump" \
	'/^### krp-dmesg-begin/,$d'
flaw "a guest that announced no marker fails" "$LOG.*no marker" \
	'/^### krp-marker/d'

# 2. late failures, dmesg and console
flaw "a WARN after the last test, before the end marker, fails" "$WARN" \
	'/\] krp-qemu: end of work/i [    3.000000] WARNING: CPU: 1 PID: 9 at krp_plant_warn.c:20 plant_fire+0x10/0x20 [krp_plant_warn]'
flaw "a BUG in dmesg fails" "$WARN" \
	'/\] krp: unloaded/i [    1.450000] BUG: kernel NULL pointer dereference, address: 00000000'
flaw "an unhandled trap's die() header fails, named" "$WARN.*int3: 0000 \\[#1\\]" \
	'/\] krp: unloaded/i [    1.450000] int3: 0000 [#1] PREEMPT SMP'
console >"$tmp/console"
echo "[    6.000000] WARNING: CPU: 0 PID: 1 at kernel/rcu/tree.c:1 rcu_core" >>"$tmp/console"
stream | judge fail "a WARN only on the console, after the marker, fails" "$WARN"
flaw "a taint W added during the run fails" "$TAINT.*tainted W" \
	's/^### krp-taint end 12288/### krp-taint end 12800/'
flaw "a taint D (an oops) added during the run fails" "$TAINT.*tainted D" \
	's/^### krp-taint end 12288/### krp-taint end 12416/'
flaw "a taint L (soft lockup) added during the run fails" "$TAINT.*tainted L" \
	's/^### krp-taint end 12288/### krp-taint end 28672/'
flaw "no taint reading at the end fails" "$TAINT.*no taint reading" \
	'/^### krp-taint end/d'
# A soft lockup longer than the boot may last is the host's clock leaping.
LEAP='/\] krp: unloaded/i [ 4995.000000] watchdog: BUG: soft lockup - CPU#1 stuck for 4629s! [swapper/1:0]\
[ 4995.010000] Call Trace:'
stream | sed -e "$LEAP" -e 's/^### krp-taint end 12288/### krp-taint end 28672/' |
	judge pass "a soft lockup longer than the boot's timeout is a clock leap: named, its trace and taint L excused"
stream | sed -e "${LEAP/4629s/22s}" |
	judge fail "a soft lockup that fits in the boot still fails" "$WARN.*soft lockup"
stream | sed -e "$LEAP" -e '/\] krp: unloaded/i [ 4995.020000] Call Trace:' |
	judge fail "a second Call Trace after a leap's report still fails" "$WARN.*Call Trace"
console >"$tmp/console"
printf '%s\n' '[ 4995.000000] watchdog: BUG: soft lockup - CPU#1 stuck for 4629s! [swapper/1:0]' \
	'[ 4995.010000] Call Trace:' >>"$tmp/console"
stream | judge pass "a leap only on the console is excused there too"
rm -f "$tmp/console"
stream | sed -e 's/^### krp-taint start 0/### krp-taint start 512/' \
	-e 's/^### krp-taint end 12288/### krp-taint end 12800/' |
	judge pass "a taint already there before the work is not the run's"

# 3. krp's alarms
flaw "an alarm no test declares fails" "$ALARM.*not krp's int3 any more" \
	"/\\] krp: unloaded/i [    1.450000] krp: bar+0x1: not krp's int3 any more (90); left alone"
flaw "a declared alarm seen twice where once is declared fails" "$ALARM" \
	'/\] krp-qemu: begin t_two/i [    1.350000] krp: foo+0x6: the text changed under krp (cc 00)'
flaw "a declared alarm that did not happen fails" "$ALARM" \
	'/\] krp: foo+0x6: the text changed/d'
flaw "a declared alarm in another test than declared fails" "$ALARM" \
	'/\] krp: foo+0x6: the text changed/d; /\] krp-qemu: begin t_two/a [    1.450000] krp: foo+0x6: the text changed under krp (cc 00)'
flaw "an alarm after the last test, before the end marker, counts" "$ALARM.*cannot restore the text yet" \
	'/\] krp-qemu: end of work/i [    3.000000] krp: foo+0x9: cannot restore the text yet; the int3 stays, handled, and krp stays loaded'
stream | sed '/\] krp: unloaded/i [    1.450000] krp: cannot probe foo+0x1: -22' |
	judge pass "a refusal with its errno is not an alarm"
# noalarm: the declared alarm is expected zero times on those kernels only
cp "$tmp/fixture" "$tmp/fixture.orig"
printf '%s\n' 'skip: amd64 t_two ^optional' \
	'noalarm: amd64,amd64-6.12 t_one text changed' >>"$tmp/fixture"
stream | sed '/\] krp: foo+0x6: the text changed/d' |
	judge pass "noalarm: a declared alarm absent on a kernel that expects none passes" '' amd64
stream | judge fail "noalarm: the alarm seen on a kernel that expects none fails" "$ALARM" amd64
stream | judge pass "noalarm: other kernels still expect the declared alarm"
cp "$tmp/fixture.orig" "$tmp/fixture"
# backtrace: a test's stack dumps pass in its part of dmesg only
echo 'backtrace: t_two' >>"$tmp/fixture"
trace='/\] krp: unloaded/i [    1.450000] Call Trace:'
stream | sed "$trace" |
	judge pass "backtrace: a Call Trace in the declared test's part of dmesg passes"
stream | sed "$trace" | sed '/\] krp: unloaded/i [    1.460000] WARNING: CPU: 1 PID: 9 at foo.c:1 bar+0x1/0x2' |
	judge fail "backtrace: a WARNING in the declared test's part still fails" "$WARN.*WARNING"
stream | sed '/\] krp: foo+0x3 is not/a [    1.260000] Call Trace:' |
	judge fail "backtrace: a Call Trace in another test's part fails" "$WARN.*Call Trace"
cp "$tmp/fixture.orig" "$tmp/fixture"

# 4. the debug kernels: their reports fail any run; on a *-debug flavour
# the kmemleak scan and lockdep's state must be there, and clean.
debug_stream()
{
	stream | sed -e '/^### krp-taint start/a ### krp-debug-locks start 1' \
		-e '/^### krp-taint end/i ### krp-debug-locks end 1' \
		-e '/^### krp-taint end/i ### krp-kmemleak-begin' \
		-e '/^### krp-taint end/i ### krp-kmemleak-end'
}
KLEAK="$F: kmemleak finds no leak after a scan at the end"
LOCKS="$F: lockdep on from start to end"
dflaw()		# dflaw WHAT RE SED: the debug stream edited by SED fails with RE
{
	debug_stream | sed -e "$3" | judge fail "$1" "$2" 686-debug
}
debug_stream | judge pass "the clean recorded boot of a debug kernel passes" 686-debug
stream | judge fail "a debug kernel's boot without its kmemleak scan fails" \
	"$KLEAK.*no kmemleak report" 686-debug
stream | judge fail "a debug kernel's boot without lockdep's state fails" \
	"$LOCKS.*no debug_locks reading" 686-debug
dflaw "a kmemleak leak after the scan fails" "$KLEAK.*1 leaks: unreferenced object" \
	'/^### krp-kmemleak-begin/a unreferenced object 0xc5a3e000 (size 8192):\n  comm "krp_basic", pid 88, jiffies 4294893000 (age 9.120s)'
dflaw "lockdep turned off during the run fails" "$LOCKS.*turned itself off" \
	's/^### krp-debug-locks end 1/### krp-debug-locks end 0/'
dflaw "lockdep off before the work fails" "$LOCKS.*off before the work" \
	's/^### krp-debug-locks start 1/### krp-debug-locks start 0/'
for r in \
	'WARNING: possible circular locking dependency detected' \
	'WARNING: possible recursive locking detected' \
	'WARNING: inconsistent lock state' \
	'WARNING: suspicious RCU usage' \
	'INFO: trying to register non-static key.' \
	'DEBUG_LOCKS_WARN_ON(lock->magic != lock)' \
	'BUG: sleeping function called from invalid context at mm/slab.h:1' \
	'BUG: KASAN: slab-out-of-bounds in krp_frame_pop+0x1/0x20 [krp]' \
	'UBSAN: shift-out-of-bounds in kernel/pool.c:1:2' \
	'BUG: KFENCE: use-after-free read in krp_on_free+0x1/0x20 [krp]' \
	'BUG kmalloc-8k (Tainted: G           O      ): Poison overwritten' \
	'ODEBUG: free active (active state 0) object type: rcu_head hint: 0x0' \
	'kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)'; do
	dflaw "a report in dmesg fails: ${r%%[(:]*}" "$WARN" \
		"/\\] krp: unloaded/i [    1.450000] $r"
done
console >"$tmp/console"
echo '[    2.000000] Illegal context switch in RCU read-side critical section!' >>"$tmp/console"
debug_stream | judge fail "an RCU report only on the console fails" "$WARN" 686-debug

# 5. TAP judged strictly
flaw "a result numbered past a gap fails" "$F/t_one: second.*where 2 was due" \
	's/^ok 2 second/ok 3 second/'
flaw "a duplicate result number fails" "$F/t_one: second.*again" \
	's/^ok 2 second/ok 1 second/'
flaw "an extra result beyond the plan fails" "$F/t_one: planned 2 results, got 3" \
	'/^ok 2 second/a ok 3 extra'
flaw "a result short of the plan fails" "$F/t_one: planned 2 results, got 1" \
	'/^ok 2 second/d'
flaw "results without a plan fail" "$F/t_one: 2 results without a plan" \
	'0,/^1\.\.2/{/^1\.\.2/d}'
flaw "a second plan fails" "$F/t_one: a second plan" \
	'/^ok 2 second/a 1..2'
flaw "not ok with a SKIP directive fails" "$F/t_one: first # not ok # SKIP" \
	's/^ok 1 first/not ok 1 first # SKIP no reason/'
flaw "not ok with a TODO directive fails" "$F/t_one: first # not ok # TODO" \
	's/^ok 1 first/not ok 1 first # TODO later/'
flaw "ok with a TODO directive, not declared, fails" "$F/t_one: first # expected failure" \
	's/^ok 1 first/ok 1 first # TODO later/'
flaw "ok with an XPASS directive fails" "$F/t_one: first # passed where it expected to fail" \
	's/^ok 1 first/ok 1 # XPASS first/'
flaw "a SKIP no skip: line expects fails" "$F/t_one: second: no device # skipped; no 'skip:' expects it" \
	's/^ok 2 second/ok 2 # SKIP second: no device/'
stream | judge fail "a declared SKIP on a flavour it is not declared for fails" \
	"$F/t_two: optional part.*no 'skip:' expects it on amd64" amd64
flaw "a whole test skipped (status 4, no result) not declared fails" "$F/t_one # exit status 4" \
	'/^### krp-begin t_one/,/^### krp-end t_one/{/^### krp-/!d}; s/^### krp-end t_one 0/### krp-end t_one 4/'
flaw "a test the guest never reached fails" "$F/t_two: not run" \
	'/^### krp-begin t_two/,/^### krp-end t_two/d'
flaw "a test cut off by the guest's death fails" "$F/t_two: did not finish" \
	'/^ok 2 # SKIP optional/,$d'
flaw "all results ok but a failing exit status fails" "$F/t_one: exited with status 1" \
	's/^### krp-end t_one 0/### krp-end t_one 1/'
flaw "Bail out! fails" "$F/t_one: Bail out!" \
	'/^ok 2 second/a Bail out! lost the device'

# 6. a --script boot (make run, make bench): the script's output passes
# through raw, its exit status and the boot's checks make the verdict.
sstream()
{
	stream | sed -e '/^### krp-begin t_one/,/^### krp-end t_two/c ### krp-begin demo\nkrp demo: 3 calls, 3 returns\n### krp-end demo 0' \
		-e 's/\] krp-qemu: begin t_one/] krp-qemu: begin demo/' \
		-e '/\] krp-qemu: begin t_two/d' -e '/\] krp: foo+0x/d'
}

# sjudge WANT WHAT [RE]: judge the script stream on stdin; WANT pass:
# status 0 and the script's line on stdout; fail: non-zero, RE on stderr.
sjudge()
{
	local want=$1 what=$2 re=${3:-} st=0 good=1

	"$qemu" --kernel 686-pae --judge-script demo --console "$tmp/sconsole" \
		>"$tmp/out" 2>"$tmp/err" || st=$?
	if [ "$want" = pass ]; then
		[ "$st" -eq 0 ] && grep -qx 'krp demo: 3 calls, 3 returns' "$tmp/out" || good=0
	else
		[ "$st" -ne 0 ] && grep -qE -- "$re" "$tmp/err" || good=0
	fi
	if [ "$good" = 0 ]; then
		echo "# $what: status $st, verdict:"
		sed 's/^/#   /' "$tmp/out" "$tmp/err"
	fi
	result $((1 - good)) "$what"
}

# the console goes on past the marker, as a real one does
console | sed '/\] krp: foo+0x6/d' >"$tmp/sconsole"
echo "[    2.000000] random: crng init done" >>"$tmp/sconsole"
sstream | sjudge pass "a clean script boot passes, its output on stdout as it came"
sstream | sed 's/^### krp-end demo 0/### krp-end demo 1/' |
	sjudge fail "a script that exits with status 1 fails" "the script exited with status 1"
sstream | sed '/^### krp-end demo/,$d' |
	sjudge fail "a script cut off by the guest's death fails" "did not finish"
sstream | sed '/\] krp: unloaded/i [    1.450000] BUG: kernel NULL pointer dereference, address: 00000000' |
	sjudge fail "a BUG in a script boot's dmesg fails" "failed: dmesg and console free of WARN/BUG/Oops"
sstream | sed "/\\] krp: unloaded/i [    1.450000] krp: bar+0x1: not krp's int3 any more (90); left alone" |
	sjudge fail "a krp alarm in a script boot fails: a script declares none" "failed: no krp alarm"
echo "[    6.000000] WARNING: CPU: 0 PID: 1 at kernel/rcu/tree.c:1 rcu_core" >>"$tmp/sconsole"
sstream | sjudge fail "a WARN only on a script boot's console fails" "failed: dmesg and console free of WARN/BUG/Oops"

# The host suites: a timeout, and the summary's form.
mkdir -p "$tmp/host/quick" "$tmp/host/slow"
printf 'run:\n\t@echo "1..2"; echo "ok 1 a"; echo "ok 2 b"\n' >"$tmp/host/quick/Makefile"
printf 'run:\n\t@echo "1..1"; sleep 60; echo "ok 1 late"\n' >"$tmp/host/slow/Makefile"
st=0
KRP_HOST_TIMEOUT=3 "$top/tools/krp-test" --no-guest --host-dir "$tmp/host" \
	>"$tmp/out" 2>"$tmp/err" || st=$?
grep -q '^FAIL host/slow: timed out' "$tmp/out" && [ "$st" -ne 0 ]
result $? "a host suite that runs past KRP_HOST_TIMEOUT fails"
[ "$(tail -n 1 "$tmp/out")" = "2 passed, 1 failed" ]
result $? "the last line is exactly 'N passed, N failed'"
tail -n 2 "$tmp/out" | head -n 1 |
	grep -qE '^from booted kernels \([^)]+\): 0 \(0 from tests, 0 from the runner.s checks of 0 boots\); from the host: 3; skipped as declared: 0$'
result $? "the line before says how many results came from booted kernels and from the host"

# The breaks of `make test-the-tests` still apply to the tree as it is.
st=0
"$top/tools/krp-test-the-tests" --apply-only --work "$tmp/mutants" >"$tmp/out" 2>"$tmp/err" || st=$?
[ "$st" -eq 0 ] && [ "$(grep -c '^PASS mutant ' "$tmp/out")" -ge 4 ]
result $? "every mutant of make test-the-tests applies: exactly one line changed each ($(grep -c '^PASS' "$tmp/out"))"
[ "$st" -eq 0 ] || sed 's/^/#   /' "$tmp/out" "$tmp/err"

# krp's alarm list and the messages of kernel/ and arch/: every message
# is either an alarm or one of these (refusals of a registration, with
# their errno, and news), and every alarm is still printed.
not_alarms=(
	'cannot be called here: ' '^loaded, version sym$' '^unloaded$' ': text restored$'
	'is gone; its probes stay registered, unarmed$'
	'^cannot probe ' '^give exactly one of symbol_name and addr$'
	'^pool_size=.* is outside ' '^slots_max=.* is outside ' ' is not an instruction boundary$'
	'^pool_segment=.* pool_segments=.* pool_reserve=.*: outside '
	": the kernel's kprobes are on it$" " is krp's own code$"
	' is a static-call trampoline$' ' is not a function entry$'
	' cannot be return-probed$' ' does not fit pool_size; '
	': another int3 is there$' ": an optimized kprobe's jump is there "
	' cannot run out of line: ' ': all .* out-of-line slots are in use \(slots_max\)$'
	'\] is gone$' ': an ENDBR, where indirect branches must land \(IBT\)$'
	': krp.s out-of-line slot is more than 2 GiB away$'
)
# shellcheck source=../../../tools/lib/krp-judge.sh
. "$top/tools/lib/krp-judge.sh"
# The format strings of every pr_*() but pr_debug(), as sample messages.
mapfile -t msgs < <(find "$top/kernel" "$top/arch" -name '*.[ch]' -print0 | xargs -0 perl -0777 -ne '
	while (/\bpr_(?:emerg|alert|crit|err|warn|notice|info)(?:_once|_ratelimited)?\s*\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)/g) {
		my $f = $1;
		$f =~ s/"\s*"//g; $f =~ s/^"|"$//g; $f =~ s/\\n$//;
		$f =~ s/%\*ph/cc 90/g; $f =~ s/%p[A-Za-z]*/sym+0x1\/0x20/g;
		$f =~ s/%[-0-9.]*(?:l|ll|z|h)?d/-22/g; $f =~ s/%[-0-9.]*(?:l|ll|z|h)?[ux]/1/g;
		$f =~ s/%s/sym/g;
		print "$f\n";
	}')
# A group's kernels: line restricts it to those flavours (patterns).
printf 'kernels: *-debug,686\ntest: t_one\n' >"$tmp/only-debug"
read_group "$tmp/only-debug"
group_runs_on 686-debug && group_runs_on amd64-debug && group_runs_on 686 &&
	! group_runs_on 686-pae && ! group_runs_on amd64
result $? "a group's kernels: line selects the flavours it boots (*-debug,686)"
printf 'test: t_one\n' >"$tmp/every"
read_group "$tmp/every"
group_runs_on 686-pae && group_runs_on amd64-debug
result $? "a group without a kernels: line boots every flavour"

st=0
"$qemu" --kernel 686-pae --group faults >"$tmp/out" 2>"$tmp/err" || st=$?
[ "$st" -eq 0 ] && [ ! -s "$tmp/out" ] && grep -q 'runs on \*-debug only' "$tmp/err"
result $? "krp-qemu boots nothing for a group whose kernels: line excludes the flavour (faults on 686-pae)"

[ ${#msgs[@]} -gt 20 ]
result $? "the sources print ${#msgs[@]} messages (pr_* but pr_debug)"
bad=()
for m in "${msgs[@]}"; do
	k=0
	[[ "krp: $m" =~ $krp_alarm_re ]] && k=$((k + 1))
	for re in "${not_alarms[@]}"; do
		[[ $m =~ $re ]] && k=$((k + 1))
	done
	[ "$k" -eq 1 ] || bad+=("$m ($k)")
done
for b in "${bad[@]}"; do
	echo "# neither or both an alarm and not: $b"
done
result ${#bad[@]} "every message of kernel/ and arch/ is sorted: alarm or not, exactly once"
bad=()
for a in "${krp_alarms[@]}"; do
	found=''
	for m in "${msgs[@]}"; do
		[[ $m =~ $a ]] && { found=1; break; }
	done
	[ -n "$found" ] || bad+=("$a")
done
for b in "${bad[@]}"; do
	echo "# no message of the sources matches the alarm '$b'"
done
result ${#bad[@]} "every alarm of the judge (${#krp_alarms[@]}) is printed by the sources"

echo "1..$n"
exit $failed
