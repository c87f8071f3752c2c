# SPDX-License-Identifier: GPL-2.0
#
# The judge of krp's test runs, sourced by tools/krp-qemu: group files,
# the protocol the guest speaks on its output port, and the verdict.
#
# A group file (selftests/krp/groups/NAME), one boot for all its tests:
#
#   qemu: ARGS              QEMU arguments
#   timeout: SEC            limit for the whole boot
#   test: NAME              a program or script in /krp/selftests
#   skip: FLAVOURS TEST RE  a SKIP of TEST whose description matches the
#                           extended regular expression RE is expected on
#                           these kernel flavours (comma-separated, or *);
#                           every other SKIP fails the run
#   alarm: TEST COUNT RE    TEST provokes COUNT (N or N-M) of krp's alarms
#                           matching RE on purpose (see krp_alarms below)
#   noalarm: FLAVOURS TEST RE
#                           on these kernel flavours (as for skip:) TEST
#                           provokes none of the alarms declared for it
#                           whose RE the extended regular expression RE
#                           matches: the scenarios that provoke them are
#                           skipped there
#   backtrace: TEST         TEST prints stacks on purpose (NMI backtraces):
#                           Call Trace lines in its part of dmesg, and on
#                           the console, do not fail the run; every other
#                           line of bad_kernel_re still does
#   kernels: FLAVOURS       boot only these flavours (comma-separated shell
#                           patterns, e.g. *-debug): the group needs what
#                           only they have; on others krp-qemu runs
#                           nothing and says so (default: every flavour)
#
# The protocol, one line each on the guest's output port:
#
#   ### krp-marker UUID           the kernel log has "krp-qemu: start of
#                                 work, marker UUID" before the work and
#                                 "krp-qemu: end of work, marker UUID"
#                                 after it (and "krp-qemu: begin TEST"
#                                 before each test)
#   ### krp-taint start|end N     /proc/sys/kernel/tainted then
#   ### krp-begin TEST            a test (or the script) starts
#   ### krp-end TEST STATUS       it exited with STATUS
#   ### krp-debug-locks start|end N  lockdep's debug_locks then (kernels
#                                 with lockdep only)
#   ### krp-kmemleak-begin        what /sys/kernel/debug/kmemleak reports
#                                 after a scan at the end follows (kernels
#                                 with kmemleak only)
#   ### krp-kmemleak-end
#   ### krp-dmesg-begin           dmesg from the start marker on follows
#   ### krp-dmesg-end
#   ### krp-done                  the guest is about to power off
#
# Result lines on stdout: "PASS name", "FAIL name[ # note]", "SKIP name #
# why" (declared skips only).  A test's name is GROUP/TEST: DESCRIPTION;
# the runner's own checks of a boot are GROUP: CHECK.

# Lines in dmesg or on the console that fail a run; die()'s header
# ("int3: 0000 [#1] SMP", "invalid opcode: 0000 [#1]") names the trap
# of an oops that has no BUG: line.  The second half is
# what the debug kernels (686-debug, amd64-debug) add: lockdep's reports
# (most begin with WARNING: or BUG:, the INFO: ones and the one-line
# DEBUG_LOCKS_WARN_ON do not), RCU-lockdep, might_sleep(), SLUB's
# "BUG cache (Tainted): what" and "Object already free", debugobjects'
# ODEBUG:, and kmemleak's own line after a scan that found leaks.
bad_kernel_re='Oops|BUG:|WARNING:|Call Trace|[a-z][a-z0-9 ]*: [0-9a-f]{4} \[#[0-9]+\]|general protection|Kernel panic|kernel BUG|UBSAN:|KASAN:|KFENCE:|soft lockup|hard LOCKUP|rcu.*(stall|detected stalls)|blocked for more than|list_(add|del) corruption|stack-protector'
bad_kernel_re+='|possible (circular|recursive) locking|inconsistent lock state|lock inversion|INFO: trying to register non-static key|DEBUG_LOCKS_WARN_ON|turning off the locking correctness validator|suspicious RCU usage|sleeping function called from invalid context|Illegal context switch in RCU|BUG [^ ]+ [(](Not t|T)ainted|Object already free|ODEBUG:|new suspected memory leaks'
# What fails a run where a test declared its stack dumps (backtrace:).
bad_untraced_re=${bad_kernel_re/'|Call Trace|'/|}

# krp's alarms: what kernel/ and arch/ print when krp meets a state it is
# built never to meet (text or an int3 not as krp left it, a site it
# cannot give back, a lost frame, a client that unregisters twice).  A
# refusal of a registration, with its errno, is not an alarm.  The host
# suite selftests/host/runner checks that every text below is still
# printed by the sources and that every message there is sorted.
krp_alarms=(
	'the text changed under krp'
	'the text is gone; left alone'
	"not krp's int3 any more"
	"another patcher wrote inside the instruction under krp's int3"
	"a kernel kprobe is registered inside the instruction under krp's int3"
	'cannot restore the text yet'
	"another patcher wrote inside krp's jump"
	"krp's jump was changed by another patcher"
	'not every probe could be armed'
	'cannot arm .*: -?[0-9]+'
	'no frame for return slot'
	'cannot filter on the ftrace anchor'
	'task_newtask/sched_process_free tracepoints not found'
	'unregistering a probe that is not registered'
)
krp_alarm_re="(^|[^[:alnum:]_])krp: .*($(IFS='|'; echo "${krp_alarms[*]}"))"

# Taint flags, bit 0 first; a run may add only O and E (krp.ko is an
# unsigned out-of-tree module) and N (the test modules say
# MODULE_INFO(test, "Y"), as kselftest modules do).
taint_letters=PFSRMBUDAWCIOELKXTN
taint_allowed=$(((1 << 12) | (1 << 13) | (1 << 18)))

# taint_names MASK: the letters of MASK's bits.
taint_names()
{
	local mask=$1 i s=''

	for ((i = 0; i < ${#taint_letters}; i++)); do
		[ $((mask >> i & 1)) -eq 0 ] || s+=${taint_letters:i:1}
	done
	[ $((mask >> ${#taint_letters})) -eq 0 ] || s+='+'
	echo "$s"
}

# read_group FILE: sets tests[], skips[], alarms[], group_qemu,
# group_timeout.  skips[] holds "FLAVOURS TEST RE", alarms[] "TEST MIN
# MAX RE", with the noalarm: lines that match $flavour applied.
read_group()
{
	local file=$1 line key val n=0 d fl t re i at lo hi are
	local -a noalarms=()
	[ -f "$file" ] || die "no group file $file"
	tests=() skips=() alarms=() backtraces=() group_qemu='' group_timeout='' group_kernels=''
	group_append=''
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		line=${line%%[[:space:]]#*}
		[[ $line =~ ^[[:space:]]*(#.*)?$ ]] && continue
		if ! [[ $line =~ ^[[:space:]]*([a-z]+):[[:space:]]*(.*[^[:space:]])[[:space:]]*$ ]]; then
			die "$file:$n: expected 'qemu:', 'append:', 'timeout:', 'test:', 'skip:', 'alarm:', 'noalarm:', 'backtrace:' or 'kernels:', got: $line"
		fi
		key=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
		case $key in
		qemu)	group_qemu+="${group_qemu:+ }$val" ;;
		append)	group_append+="${group_append:+ }$val" ;;
		timeout)
			[[ $val =~ ^[0-9]+$ ]] || die "$file:$n: timeout is seconds: $val"
			group_timeout=$val ;;
		test)
			[[ $val =~ ^[A-Za-z0-9_.+-]+$ ]] || die "$file:$n: bad test name: $val"
			tests+=("$val") ;;
		skip)
			[[ $val =~ ^([A-Za-z0-9_.,*-]+)[[:space:]]+([A-Za-z0-9_.+-]+)[[:space:]]+(.+)$ ]] ||
				die "$file:$n: expected 'skip: FLAVOURS TEST RE': $val"
			skips+=("$val") ;;
		alarm)
			[[ $val =~ ^([A-Za-z0-9_.+-]+)[[:space:]]+([0-9]+)(-([0-9]+))?[[:space:]]+(.+)$ ]] ||
				die "$file:$n: expected 'alarm: TEST COUNT RE': $val"
			alarms+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[4]:-${BASH_REMATCH[2]}} ${BASH_REMATCH[5]}") ;;
		noalarm)
			[[ $val =~ ^([A-Za-z0-9_.,*-]+)[[:space:]]+([A-Za-z0-9_.+-]+)[[:space:]]+(.+)$ ]] ||
				die "$file:$n: expected 'noalarm: FLAVOURS TEST RE': $val"
			noalarms+=("$val") ;;
		backtrace)
			[[ $val =~ ^[A-Za-z0-9_.+-]+$ ]] || die "$file:$n: bad test name: $val"
			backtraces+=("$val") ;;
		kernels)
			[[ $val =~ ^[A-Za-z0-9_.*?-]+(,[A-Za-z0-9_.*?-]+)*$ ]] ||
				die "$file:$n: expected 'kernels: FLAVOUR[,FLAVOUR...]': $val"
			group_kernels=$val ;;
		*)	die "$file:$n: unknown key '$key'" ;;
		esac
	done <"$file"
	[ ${#tests[@]} -gt 0 ] || die "$file: no 'test:' line"
	for d in "${noalarms[@]}"; do
		read -r fl t re <<<"$d"
		[[ ",$fl," == *",${flavour:-},"* || $fl == '*' ]] || continue
		for i in "${!alarms[@]}"; do
			read -r at lo hi are <<<"${alarms[i]}"
			[ "$at" = "$t" ] && [[ $are =~ $re ]] || continue
			alarms[i]="$at 0 0 $are"
		done
	done
}

# group_runs_on FLAVOUR: the group read last boots FLAVOUR.
group_runs_on()
{
	local pat
	[ -n "$group_kernels" ] || return 0
	for pat in ${group_kernels//,/ }; do
		# shellcheck disable=SC2053 # a pattern on purpose
		[[ $1 == $pat ]] && return 0
	done
	return 1
}

# ---------------------------------------------------------------------------
# parse MODE NAME: reads the protocol on stdin, prints result lines on
# stdout and progress on stderr.  Returns 1 if any result failed.
#
#   group   the tests of tests[], TAP each; the boot's checks
#   script  output passed through raw; the boot's checks
#   host    like group, without the boot's checks
#
# Uses tests[], skips[], alarms[], $flavour, and $judge_console (the
# guest's console log, scanned after the start marker; may be empty).
# ---------------------------------------------------------------------------

parse()
{
	local mode=$1 group=$2
	local -a dmesg_bad=() console_bad=() out=() stray=() seen=()
	local line cur='' t0=0 npass=0 nfail=0 nskip=0 nres=0 fails=0
	local planned='' next_num=1 in_dmesg='' dmesg_done='' status
	local desc directive reason name begun=' ' script_status=''
	local uuid='' dump_n=0 dump_head='' dump_end='' kmsg_test=''
	local taint_start='' taint_end='' i
	local locks_start='' locks_end='' in_leaks='' leaks_done=''
	local leap_bound=${timeout:-${group_timeout:-${default_timeout:-300}}}
	local leap_trace=''
	local -a leaks=() leaps=()
	local tap_re='^(not ok|ok)[[:space:]]+([0-9]+)([[:space:]]+-)?[[:space:]]*(.*)$'
	local dir_re='^(.*[^[:space:]])?[[:space:]]*#[[:space:]]*([A-Za-z]+)[[:space:]]*(.*)$'

	for i in "${!alarms[@]}"; do
		seen[i]=0
	done

	result()	# result KIND NAME [NOTE]
	{
		echo "$1 $2${3:+ # $3}"
		case $1 in
		FAIL) fails=$((fails + 1)); nfail=$((nfail + 1)) ;;
		SKIP) nskip=$((nskip + 1)) ;;
		*) npass=$((npass + 1)) ;;
		esac
	}

	# A SKIP (or a TODO/XFAIL that passed) is a result only where the
	# group file expects it on this flavour; anywhere else coverage
	# vanished.
	skip_result()	# skip_result NAME DESC WHY
	{
		local d fl t re
		for d in "${skips[@]}"; do
			read -r fl t re <<<"$d"
			[ "$t" = "$cur" ] || continue
			[[ ",$fl," == *",$flavour,"* || $fl == '*' ]] || continue
			[[ $2 =~ $re ]] || continue
			result SKIP "$1" "$3; expected on $flavour"
			return
		done
		result FAIL "$1" "$3; no 'skip:' expects it on $flavour"
	}

	# A runner check: a result line in group mode, a message in script mode.
	check()		# check OK NAME [NOTE]
	{
		if [ "$mode" = script ]; then
			[ "$1" = 1 ] || { say "[$group] failed: $2${3:+ ($3)}"; fails=$((fails + 1)); }
		elif [ "$1" = 1 ]; then
			result PASS "$group: $2"
		else
			result FAIL "$group: $2" "$3"
		fi
	}

	show_lines()	# show_lines TITLE LINE...
	{
		local l
		say "[$group] $1"
		shift
		for l in "$@"; do
			echo "    | $l" >&2
		done
	}

	show_output()
	{
		[ ${#out[@]} -gt 0 ] || return 0
		show_lines "output of $cur:" "${out[@]}"
	}

	tap_line()	# classify one TAP result line of test $cur
	{
		local okness=${BASH_REMATCH[1]} num=${BASH_REMATCH[2]}

		desc=${BASH_REMATCH[4]} directive='' reason=''
		if [[ " $desc" =~ $dir_re ]]; then
			directive=${BASH_REMATCH[2]^^}
			case $directive in
			SKIP|TODO|XFAIL|XPASS)
				desc=${BASH_REMATCH[1]}
				reason=${BASH_REMATCH[3]}
				desc=${desc# }
				;;
			*) directive='' ;;
			esac
		fi
		nres=$((nres + 1))
		# kselftest's "ok N # SKIP why" has its description after the
		# directive
		if [ -z "$desc" ] && [ -n "$reason" ]; then
			desc=$reason reason=''
		fi
		[ -n "$desc" ] || desc="test $num"
		name="$group/$cur: $desc"
		if [ "$num" -ne "$next_num" ]; then
			if [ "$num" -lt "$next_num" ]; then
				result FAIL "$name" "result $num again: numbered $((next_num - 1)) already"
			else
				result FAIL "$name" "result $num where $next_num was due"
			fi
		fi
		[ "$num" -lt "$next_num" ] || next_num=$((num + 1))
		if [ "$okness" != ok ]; then
			result FAIL "$name" "${directive:+not ok # $directive${reason:+ $reason}}"
			return
		fi
		case $directive in
		'')	result PASS "$name" ;;
		SKIP)	skip_result "$name" "$desc" "skipped${reason:+: $reason}" ;;
		TODO|XFAIL)
			skip_result "$name" "$desc" "expected failure${reason:+: $reason}" ;;
		XPASS)	result FAIL "$name" "passed where it expected to fail${reason:+: $reason}" ;;
		esac
	}

	end_test()	# end_test STATUS
	{
		local st=$1

		if [ "$mode" = script ]; then
			say "[$group] $cur finished: status $st ($(elapsed "$t0") s)"
			script_status=$st
			cur=''
			return
		fi
		if [ "$nres" -eq 0 ]; then
			case $st in
			0) result FAIL "$group/$cur: produced no test result" ;;
			4) skip_result "$group/$cur" "" "exit status 4 (skip), no result" ;;
			124) result FAIL "$group/$cur: timed out, no test result" ;;
			*) result FAIL "$group/$cur: exited with status $st, no test result" ;;
			esac
		elif [ "$st" = 124 ]; then
			result FAIL "$group/$cur: timed out after $nres results"
		elif [ "$st" != 0 ] && [ "$st" != 4 ] && [ "$nfail" -eq 0 ]; then
			result FAIL "$group/$cur: exited with status $st"
		elif [ -z "$planned" ]; then
			result FAIL "$group/$cur: $nres results without a plan (1..N)"
		elif [ "$nres" -ne "$planned" ]; then
			result FAIL "$group/$cur: planned $planned results, got $nres"
		fi
		say "[$group] $cur finished: $npass passed, $nfail failed, $nskip skipped, status $st ($(elapsed "$t0") s)"
		[ "$nfail" -eq 0 ] || show_output
		cur=''
	}

	# krp_alarm TEST LINE: count an alarm against TEST's declarations.
	krp_alarm()
	{
		local i t lo hi re
		for i in "${!alarms[@]}"; do
			read -r t lo hi re <<<"${alarms[i]}"
			[ "$t" = "$1" ] || continue
			[[ $2 =~ $re ]] || continue
			seen[i]=$((seen[i] + 1))
			return
		done
		stray+=("${1:-before the first test}: $2")
	}

	# clock_leap LINE: a soft lockup reported longer than this boot may
	# last (its timeout) did not happen.  TCG's TSC follows the host's,
	# and the host's TSC can leap by an hour in one step (CI: "stuck for
	# 4629s" 36 s into a boot, next to the clocksource watchdog's "Long
	# readout interval").  Such a report is named, not failed, with the
	# Call Trace it prints and its taint L; a lockup that fits in the
	# boot still fails.
	clock_leap()
	{
		[[ $1 =~ soft\ lockup\ -\ CPU#[0-9]+\ stuck\ for\ ([0-9]+)s ]] &&
			[ "${BASH_REMATCH[1]}" -gt "$leap_bound" ] || return 1
		leaps+=("$1")
		leap_trace=1
		say "[$group] the guest's clock leapt, not a lockup (the boot may last $leap_bound s): $1"
	}

	# leap_excused LINE: LINE is part of a leap's report.
	leap_excused()
	{
		clock_leap "$1" && return 0
		[ -n "$leap_trace" ] && [[ $1 == *'Call Trace:'* ]] || return 1
		leap_trace=''
	}

	dmesg_line()
	{
		dump_n=$((dump_n + 1))
		if [ "$dump_n" -eq 1 ] && [ -n "$uuid" ] &&
		   [[ $line == *"krp-qemu: start of work, marker $uuid"* ]]; then
			dump_head=1
		fi
		case $line in
		*'krp-qemu: begin '*)
			kmsg_test=${line##*krp-qemu: begin }
			return ;;
		*"krp-qemu: end of work, marker $uuid"*)
			[ -z "$uuid" ] || dump_end=1
			return ;;
		esac
		if [ -n "$kmsg_test" ] && [[ " ${backtraces[*]:-} " == *" $kmsg_test "* ]]; then
			[[ ! $line =~ $bad_untraced_re ]] || leap_excused "$line" ||
				dmesg_bad+=("$line")
		elif [[ $line =~ $bad_kernel_re ]]; then
			leap_excused "$line" || dmesg_bad+=("$line")
		fi
		if [[ $line == *'krp: '* && $line =~ $krp_alarm_re ]]; then
			krp_alarm "$kmsg_test" "$line"
		fi
	}

	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		[ -z "$KRP_VERBOSE" ] || echo "  > $line" >&2
		case $line in
		'### krp-begin '*)
			[ -z "$cur" ] || end_test "lost"
			cur=${line#'### krp-begin '}
			begun+="$cur "
			t0=$(now) npass=0 nfail=0 nskip=0 nres=0 planned='' next_num=1
			out=()
			say "[$group] $cur started"
			continue
			;;
		'### krp-end '*)
			status=${line##* }
			if [ -n "$cur" ]; then
				end_test "$status"
			fi
			continue
			;;
		'### krp-marker '*)
			uuid=${line#'### krp-marker '}
			continue
			;;
		'### krp-taint start '*)
			taint_start=${line##* }
			continue
			;;
		'### krp-taint end '*)
			taint_end=${line##* }
			continue
			;;
		'### krp-debug-locks start '*)
			locks_start=${line##* }
			continue
			;;
		'### krp-debug-locks end '*)
			locks_end=${line##* }
			continue
			;;
		'### krp-kmemleak-begin')
			in_leaks=1
			continue
			;;
		'### krp-kmemleak-end')
			in_leaks='' leaks_done=1
			continue
			;;
		'### krp-dmesg-begin')
			in_dmesg=1
			continue
			;;
		'### krp-dmesg-end')
			in_dmesg='' dmesg_done=1
			continue
			;;
		'### krp-done')
			continue
			;;
		esac
		if [ -n "$in_dmesg" ]; then
			dmesg_line
			continue
		fi
		if [ -n "$in_leaks" ]; then
			leaks+=("$line")
			continue
		fi
		[ -n "$cur" ] || continue
		if [ "$mode" = script ]; then
			printf '%s\n' "$line"
			continue
		fi
		out+=("$line")
		if [[ $line =~ $tap_re ]]; then
			tap_line
		elif [[ $line =~ ^1\.\.([0-9]+) ]]; then
			if [ -n "$planned" ]; then
				result FAIL "$group/$cur: a second plan ($line)"
			fi
			planned=${BASH_REMATCH[1]}
		elif [[ $line =~ ^Bail\ out! ]]; then
			result FAIL "$group/$cur: ${line}"
		fi
	done

	if [ -n "$cur" ]; then
		if [ "$mode" = script ]; then
			say "[$group] did not finish: guest crashed, hung or timed out"
			script_status=died
			fails=$((fails + 1))
		else
			result FAIL "$group/$cur: did not finish (guest crashed, hung or timed out)"
			show_output
		fi
		cur=''
	fi
	if [ "$mode" = group ]; then
		local t
		for t in "${tests[@]}"; do
			case $begun in
			*" $t "*) ;;
			*) result FAIL "$group/$t: not run: the guest died before it" ;;
			esac
		done
	fi

	[ "$mode" = host ] || judge_boot
	if [ "$mode" = script ]; then
		case $script_status in
		0) ;;
		'') say "[$group] the script did not start"; fails=$((fails + 1)) ;;
		died) ;;
		*) say "[$group] the script exited with status $script_status"; fails=$((fails + 1)) ;;
		esac
	fi
	[ "$fails" -eq 0 ]
}

# judge_boot: the checks of the whole boot, inside parse().
judge_boot()
{
	local ok note i t lo hi re new
	local -a wrong=()

	# The log must be there from the start marker to the end marker: a
	# dump pushed out of the ring buffer or cut short checks nothing.
	ok=1 note=''
	if [ -z "$dmesg_done" ]; then
		ok=0 note='no dmesg dump: the guest did not run to the end'
	elif [ -z "$uuid" ]; then
		ok=0 note='the guest announced no marker'
	elif [ "$dump_n" -eq 0 ]; then
		ok=0 note='the dump is empty'
	elif [ -z "$dump_head" ]; then
		ok=0 note='the dump does not begin with the start marker'
	elif [ -z "$dump_end" ]; then
		ok=0 note='the dump has no end marker'
	fi
	check $ok "kernel log dumped whole, start to end marker" "$note"

	# The console has what dmesg lost, when the guest died before the dump.
	if [ -n "${judge_console:-}" ] && [ -f "$judge_console" ]; then
		mapfile -t console_bad < <(tr -d '\r' <"$judge_console" |
			if [ -n "$uuid" ]; then
				sed -n "/krp-qemu: start of work, marker $uuid/,\$p"
			else
				cat
			fi | grep -E -- "$([ -z "${backtraces[*]:-}" ] &&
					     echo "$bad_kernel_re" ||
					     echo "$bad_untraced_re")" || true)
		# A leap dmesg named is on the console too; only its lines
		# go, each once, and one the dump missed is named here.
		local -a kept=()
		local l known
		leap_trace=''
		for line in "${console_bad[@]}"; do
			known=''
			for l in "${leaps[@]}"; do
				[ "$l" != "$line" ] || known=1
			done
			if [ -n "$known" ]; then
				leap_trace=1
			elif ! leap_excused "$line"; then
				kept+=("$line")
			fi
		done
		console_bad=("${kept[@]}")
	fi
	ok=1
	[ ${#dmesg_bad[@]} -eq 0 ] || { show_lines "dmesg after the marker has:" "${dmesg_bad[@]}"; ok=0; }
	[ ${#console_bad[@]} -eq 0 ] || { show_lines "the console after the marker has:" "${console_bad[@]}"; ok=0; }
	check $ok "dmesg and console free of WARN/BUG/Oops" \
		"$([ "$ok" = 1 ] || echo "${dmesg_bad[0]:-${console_bad[0]}}")"

	ok=1 note=''
	for i in "${!alarms[@]}"; do
		read -r t lo hi re <<<"${alarms[i]}"
		if [ "${seen[i]}" -lt "$lo" ] || [ "${seen[i]}" -gt "$hi" ]; then
			[ "$hi" = "$lo" ] || lo="$lo to $hi"
			wrong+=("$t: ${seen[i]} of '$re', expected $lo")
		fi
	done
	if [ -z "$dmesg_done" ] || [ -z "$dump_head" ]; then
		ok=0 note='no whole dmesg to look in'
	elif [ ${#stray[@]} -gt 0 ] || [ ${#wrong[@]} -gt 0 ]; then
		ok=0 note="${stray[0]:-${wrong[0]}}"
		[ ${#stray[@]} -eq 0 ] || show_lines "krp alarms no test declares:" "${stray[@]}"
		[ ${#wrong[@]} -eq 0 ] || show_lines "krp alarms not as declared:" "${wrong[@]}"
	fi
	check $ok "no krp alarm but those its tests provoke on purpose" "$note"

	ok=1 note=''
	if ! [[ $taint_start =~ ^[0-9]+$ && $taint_end =~ ^[0-9]+$ ]]; then
		ok=0 note='no taint reading at the start and end of the work'
	else
		new=$((taint_end & ~taint_start & ~taint_allowed))
		# The leap's report taints L (TAINT_SOFTLOCKUP).
		[ ${#leaps[@]} -eq 0 ] || new=$((new & ~(1 << 14)))
		if [ "$new" -ne 0 ]; then
			ok=0 note="tainted $(taint_names "$new") during the run ($taint_start -> $taint_end)"
		fi
	fi
	check $ok "kernel not tainted (W, D, L, ...) during the run" "$note"

	# The debug kernels' own checks: on a flavour built with them (named
	# *-debug) their readings must be there; elsewhere they are checked
	# when a kernel sends them.
	if [[ $flavour == *-debug || -n $locks_start$locks_end ]]; then
		ok=1 note=''
		if [ -z "$locks_start" ] || [ -z "$locks_end" ]; then
			ok=0 note='no debug_locks reading at the start and end of the work'
		elif [ "$locks_start" != 1 ]; then
			ok=0 note='lockdep was off before the work: nothing was checked'
		elif [ "$locks_end" != 1 ]; then
			ok=0 note='lockdep turned itself off during the run: a report'
		fi
		check $ok "lockdep on from start to end" "$note"
	fi
	if [[ $flavour == *-debug || -n $leaks_done ]]; then
		ok=1 note=''
		if [ -z "$leaks_done" ]; then
			ok=0 note='no kmemleak report after a scan at the end'
		elif [ ${#leaks[@]} -gt 0 ]; then
			ok=0 note="$(printf '%s\n' "${leaks[@]}" | grep -c 'unreferenced object') leaks: ${leaks[0]}"
			show_lines "kmemleak reports:" "${leaks[@]:0:40}"
		fi
		check $ok "kmemleak finds no leak after a scan at the end" "$note"
	fi
}
