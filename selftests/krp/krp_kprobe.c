// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest of krp's int3 entry: how the instruction under an int3 runs
 * (emulated, boosted from an out-of-line slot, single-stepped there), as
 * krp/list shows it and as the trap counts in krp/stats prove it; the
 * addresses krp refuses; probes on every instruction of real kernel
 * functions while a workload checks its results; return probes at int3
 * entries; out-of-line slots collected and reused under load.
 *
 * The client side runs in krp_test.ko (see krp_kretprobe.c).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "kselftest.h"
#include "lib/krp_test.h"

#define RUN	"/sys/kernel/debug/krp_test/run"
#define LIST	KRP_DEBUGFS "/list"
/*
 * krp.ko loads with its optimizer off: the tests of how an int3 runs
 * count traps and classes, which a jump would take away; the jump tests
 * and the return probes at notrace entries switch it on.
 */
#define OPTIMIZE "/sys/module/krp/parameters/optimize"
#define SLOTS_MAX "/sys/module/krp/parameters/slots_max"

/* at most one in REFUSED_MAX of the every-instruction probes refused */
#define REFUSED_MAX 4
/*
 * The functions of arm_every_boost and of arm_every (krp_test_every.c),
 * and how many of arm_every_boost's must have EVERY_ARMED_PCT of their
 * instruction boundaries armed.
 */
#define EVERY_FUNCS 13
#define EVERY_STEPPED 5
/*
 * The bar: of the instruction boundaries where the kernel's kprobes
 * accept a probe, krp arms EVERY_KERNEL_PCT in each function.  What
 * both refuse (jump labels, static calls, BUG sites, the int3 padding
 * after a function's last jump, never run) is left out; how near krp
 * comes to every boundary, those included, is printed beside it (90%
 * or more for 13 of the 13 on i386, 11 on amd64 6.1, 12 on 6.12).
 * Without the exception tables (extable=N) krp refuses by form, and
 * would not reach the bar.
 */
#define EVERY_KERNEL_PCT 98

static char buf[1 << 20];

static int run(const char *scenario)
{
	int ret = krp_write_file(RUN, scenario);

	if (ret)
		ksft_print_msg("%s: %s\n", scenario, strerror(-ret));
	return ret;
}

struct modes {
	int boosted, emulated, stepped, optimized, other;
	long hits, stepped_hits, ftrace_hits;
};

/* How the armed probes on @sym (any offset) run, from krp/list in @text. */
static void text_modes(char *text, const char *sym, struct modes *m)
{
	char *l, *save, *h;
	long hits;

	memset(m, 0, sizeof(*m));
	for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strstr(l, sym))
			continue;
		h = strstr(l, "hits=");
		hits = h ? strtol(h + 5, NULL, 10) : 0;
		m->hits += hits;
		if (strstr(l, "[BOOSTED]")) {
			m->boosted++;
		} else if (strstr(l, "[EMULATED]")) {
			m->emulated++;
		} else if (strstr(l, "[OPTIMIZED]")) {
			m->optimized++;
		} else if (strstr(l, "[SS]")) {
			m->stepped++;
			m->stepped_hits += hits;
		} else {
			/* an ftrace, direct-call or kprobe-hook entry: no trap */
			if (strstr(l, "[FTRACE]") || strstr(l, "[DIRECT]") ||
			    strstr(l, "[KPROBE]"))
				m->ftrace_hits += hits;
			m->other++;
		}
	}
}

static void list_modes(const char *sym, struct modes *m)
{
	memset(m, 0, sizeof(*m));
	if (krp_read_file(LIST, buf, sizeof(buf)) >= 0)
		text_modes(buf, sym, m);
}

/*
 * The hand-written targets, with a probe on every instruction: a hit
 * costs exactly one trap, plus one more for each single-stepped hit.
 */
static void test_ool(bool step)
{
	const char *how = step ? "single-stepped" : "boosted";
	long int3_0, step_0, int3_1, step_1;
	struct modes a, b;
	int ret;

	ret = run(step ? "ool_arm_step" : "ool_arm_boost");
	list_modes("krp_test_ool+", &a);
	list_modes("krp_test_emu+", &b);
	int3_0 = krp_stat("int3_traps");
	step_0 = krp_stat("step_traps");
	if (!ret)
		ret = run("ool_call");
	int3_1 = krp_stat("int3_traps");
	step_1 = krp_stat("step_traps");
	ksft_print_msg("%s: krp_test_ool %d boosted %d emulated %d stepped; krp_test_emu %d %d %d; traps %ld int3 %ld step\n",
		       how, a.boosted, a.emulated, a.stepped, b.boosted,
		       b.emulated, b.stepped, int3_1 - int3_0, step_1 - step_0);
	/* 34 instructions of krp_test_ool, 20 of krp_test_emu (2 ud2 not) */
	krp_int3_result(ret, !ret && !a.other && !b.other && a.emulated == 6 &&
			 b.emulated == 13 &&
			 (step ? a.stepped == 28 && !a.boosted && b.stepped == 7 &&
				 !b.boosted :
				 a.boosted == 28 && !a.stepped && b.boosted == 7 &&
				 !b.stepped),
			 "list: instructions of the targets are [EMULATED] or [%s]\n",
			 step ? "SS" : "BOOSTED");
	list_modes("krp_test_", &a);
	krp_int3_result(ret, !ret && int3_1 - int3_0 == a.hits &&
			 step_1 - step_0 == a.stepped_hits &&
			 (step ? a.stepped_hits > 0 : a.stepped_hits == 0),
			 "%s: one int3 trap per hit (%ld for %ld hits), %ld single-step traps\n",
			 how, int3_1 - int3_0, a.hits, step_1 - step_0);
	ret = run("ool_disarm");
	krp_int3_result(ret, !ret,
			"%s: results, hit counts, handler order and context\n",
			how);
}

/*
 * Loads, stores and rep string instructions through pointers, boosted
 * and single-stepped where the exception tables show no fixup; and
 * with extable=N, refused by their form as on a kernel whose tables
 * krp cannot search.
 */
static void test_extable(void)
{
	int ret;

	ret = run("extable_boost");
	krp_int3_result(ret, !ret,
			"exception tables: loads, stores, rep string instructions without a fixup boosted\n");
	ret = run("extable_step");
	krp_int3_result(ret, !ret,
			"exception tables: the same single-stepped, rep string instructions whole in one step\n");
	ret = run("extable_refuse");
	krp_int3_result(ret, !ret,
			"exception tables: a fixup in a module's table refused, the forms without one taken\n");
	ret = krp_param_set("extable", "N");
	if (!ret)
		ret = run("extable_form");
	if (krp_param_set("extable", "Y") && !ret)
		ret = -EIO;
	krp_int3_result(ret, !ret,
			"extable=N: every instruction that could have a fixup refused by its form\n");
}

/* Each of the system calls reaches one of the user-access helpers. */
static int syscall_workload(int rounds)
{
	int i, sig, on = 1, bad = 0, fd = open("/", O_RDONLY);

	for (i = 0; i < rounds; i++) {
		/* put_user() of an int */
		if (prctl(PR_GET_PDEATHSIG, &sig) || sig)
			bad++;
		/* get_user() of an int */
		if (fd < 0 || ioctl(fd, FIONBIO, &on))
			bad++;
	}
	if (fd >= 0)
		close(fd);
	return bad;
}

/*
 * The trap counts and the hits of every armed probe at one moment:
 * read by preadv() of files opened before, so that reading them runs
 * none of the probed functions.
 */
struct traps {
	long int3, step;
	struct modes m;
};

static int traps_now(int stats, int list, struct traps *t)
{
	static char sbuf[8192];

	if (krp_reread(stats, sbuf, sizeof(sbuf)) < 0 ||
	    krp_reread(list, buf, sizeof(buf)) < 0)
		return -1;
	t->int3 = krp_key_value(sbuf, "int3_traps");
	t->step = krp_key_value(sbuf, "step_traps");
	text_modes(buf, "", &t->m);
	return 0;
}

/*
 * How near each function of the last arm_every came to every instruction
 * boundary armed, from its "armed.FUNC"/"bounds.FUNC" reports, and to
 * every boundary the kernel's kprobes accept ("karmed.FUNC" of
 * "kbounds.FUNC"): one line each.  Return: the functions at
 * EVERY_KERNEL_PCT or more of the latter; *@funcs, the functions
 * reported.
 */
static int every_armed(const char *how, int *funcs)
{
	static char rep[4096];
	long armed, bounds, karmed, kbounds;
	char name[128], key[160], *l;
	int at = 0;

	*funcs = 0;
	if (krp_read_file("/sys/kernel/debug/krp_test/report", rep,
			  sizeof(rep)) < 0)
		return 0;
	for (l = rep; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (sscanf(l, "armed.%127s %ld", name, &armed) != 2)
			continue;
		snprintf(key, sizeof(key), "bounds.%s", name);
		bounds = krp_key_value(rep, key);
		snprintf(key, sizeof(key), "karmed.%s", name);
		karmed = krp_key_value(rep, key);
		snprintf(key, sizeof(key), "kbounds.%s", name);
		kbounds = krp_key_value(rep, key);
		if (bounds <= 0 || armed < 0 || armed > bounds || kbounds <= 0 ||
		    karmed < 0 || karmed > kbounds)
			continue;
		++*funcs;
		at += karmed * 100 >= kbounds * EVERY_KERNEL_PCT;
		ksft_print_msg("%s: %s: %ld of the %ld boundaries the kernel's kprobes take armed (%ld%%); %ld of all %ld (%ld%%)\n",
			       how, name, karmed, kbounds, karmed * 100 / kbounds,
			       armed, bounds, armed * 100 / bounds);
	}
	return at;
}

/*
 * A probe on every instruction boundary of @nfuncs kernel functions on
 * the workload's path; what krp cannot run out of line is refused,
 * counted in the module, and at an offset inside an instruction krp
 * must say so (-EILSEQ) exactly where the kernel's own kprobes do.
 * @scenario picks pre-handlers only (boosted, all thirteen functions)
 * or pre- and post-handlers (single-stepped, the first five).  Every
 * hit costs one int3 trap, and a single-stepped one a step trap too;
 * the module counts a post call for each pre call.
 */
static void test_every(const char *scenario, const char *how, bool post,
		       int nfuncs)
{
	long slots, probes, refused, tried, mid, differ, pre = -1, posts = -1;
	long int3 = -1, step = -1, hits = -1, ss_hits = -1, ft_hits = -1;
	int ret, bad = -1, stats, list, funcs, at_pct;
	struct traps t0, t1;

	ret = run(scenario);
	probes = krp_report("probes");
	refused = krp_report("refused");
	tried = krp_report("tried");
	mid = krp_report("mid");
	differ = krp_report("differ");
	at_pct = every_armed(how, &funcs);
	slots = krp_stat("slots_used");
	stats = open(KRP_DEBUGFS "/stats", O_RDONLY);
	list = open(LIST, O_RDONLY);
	if (!ret && (stats < 0 || list < 0 || traps_now(stats, list, &t0)))
		ret = -1;
	if (!ret)
		bad = krp_file_workload("/tmp", 50) + syscall_workload(50);
	if (!ret && traps_now(stats, list, &t1))
		ret = -1;
	if (!ret) {
		int3 = t1.int3 - t0.int3;
		step = t1.step - t0.step;
		hits = t1.m.hits - t0.m.hits;
		ss_hits = t1.m.stepped_hits - t0.m.stepped_hits;
		ft_hits = t1.m.ftrace_hits - t0.m.ftrace_hits;
	}
	close(stats);
	close(list);
	if (!ret)
		ret = run("disarm_every");
	if (!ret) {
		pre = krp_report("pre");
		posts = krp_report("post");
	}
	krp_int3_result(ret, !ret && mid > 0 && mid < tried && differ == 0,
			 "%s: every offset inside an instruction refused, where the kernel's kprobes refuse it (%ld of %ld offsets), and no other (%ld differ)\n",
			 how, mid, tried, differ);
	krp_int3_result(ret, !ret && funcs == nfuncs && at_pct == nfuncs,
			 "%s: %d of %d functions with %d%% of the instruction boundaries the kernel's kprobes take armed, all %d wanted\n",
			 how, at_pct, funcs, EVERY_KERNEL_PCT, nfuncs);
	ksft_print_msg("%s: %ld probes, %ld refused of %ld offsets; workload: %ld hits (%ld at ftrace entries), %ld int3 traps, %ld stepped hits, %ld step traps; %ld pre %ld post calls\n",
		       how, probes, refused, tried, hits, ft_hits, int3, ss_hits,
		       step, pre, posts);
	krp_int3_result(ret, !ret && !bad && slots > 100 && funcs == nfuncs,
			 "a probe on every instruction of %d kernel functions, %s (%ld slots): workload intact (%d bad)\n",
			 nfuncs, how, slots, bad);
	krp_int3_result(ret, !ret && hits > 0 && int3 == hits - ft_hits &&
			 (post ? step == ss_hits && ss_hits > 0 &&
				 posts == pre && pre >= t1.m.hits :
				 step == 0 && ss_hits == 0 && posts == 0 &&
				 pre >= t1.m.hits) &&
			 refused >= 0 && refused * REFUSED_MAX < probes,
			 "%s: one int3 trap per hit off ftrace (%ld), %ld step traps for %ld single-stepped hits, %ld post for %ld pre calls, %ld refused\n",
			 how, hits - ft_hits, step, ss_hits, posts, pre, refused);
}

/* Return probes at int3 entries of functions ftrace cannot trace. */
static void test_every_ret(void)
{
	int ret, bad = -1;

	struct modes m = { 0 };
	int i;

	ret = run("arm_every_ret");
	/* the optimizer's delay and RCU-tasks: a few seconds under TCG */
	for (i = 0; !ret && i < 30 && !m.optimized; i++) {
		usleep(100000);
		list_modes("", &m);
	}
	ksft_print_msg("return probes at notrace entries: %d optimized, %d emulated, %d boosted\n",
		       m.optimized, m.emulated, m.boosted);
	if (!ret)
		bad = krp_file_workload("/tmp", 50) + syscall_workload(200);
	if (!ret)
		ret = run("disarm_every_ret");
	krp_int3_result(ret, !ret && !bad,
			 "return probes at the int3 entries of notrace functions, workload intact (%d bad)\n",
			 bad);
}

/* Run @scenario: the int3 traps and the jump entries krp counted meanwhile. */
static int run_traps(const char *scenario, long *int3, long *jumps)
{
	long int3_0 = krp_stat("int3_traps"), jumps_0 = krp_stat("jump_hits");
	int ret = run(scenario);

	*int3 = krp_stat("int3_traps") - int3_0;
	*jumps = krp_stat("jump_hits") - jumps_0;
	return ret;
}

/*
 * Jump optimization on krp_test_jump_fn (krp_test_jump.c): once the
 * optimizer has put its jmp in, krp/list says [OPTIMIZED] and a hit
 * takes no trap; what must bring the int3 back does; unregister while
 * every CPU runs through the detour.
 */
static void test_jump(void)
{
	long int3 = -1, jumps = -1;
	struct modes m;
	int ret;

	krp_write_file(OPTIMIZE, "Y");
	ret = run("jump_arm");
	list_modes("krp_test_jump_fn+", &m);
	krp_int3_result(ret, !ret && m.optimized == 1 && !m.other,
			"jump: a return probe at an entry the optimizer can take is [OPTIMIZED] (%d optimized, %d int3)\n",
			m.optimized, m.boosted + m.emulated + m.stepped);
	if (!ret)
		ret = run_traps("jump_call", &int3, &jumps);
	krp_int3_result(ret, !ret && !int3 && jumps >= 1000,
			"jump: 1000 calls, every return seen, %ld jump entries, %ld traps\n",
			jumps, int3);
	if (!ret)
		ret = run("jump_inside");
	krp_int3_result(ret, !ret,
			"jump: a kernel kprobe inside it gets EILSEQ; a krp probe inside it, a post-handler or a disable brings the int3 back, and the jump returns after\n");
	if (!ret)
		ret = run("jump_disarm");
	else
		run("jump_disarm");
	krp_int3_result(ret, !ret && krp_read_file(LIST, buf, sizeof(buf)) == 0,
			"jump: unregistered, the function's bytes are back, nothing listed\n");
	ret = run("jump_before");
	krp_int3_result(ret, !ret,
			"jump: a kernel kprobe already in the bytes a jump would cover keeps krp on its int3\n");
	ret = run("jump_shared");
	krp_int3_result(ret, !ret,
			"jump: a kernel kprobe on krp's jmp fires beside it; krp's site waits for it to go, then the text is restored\n");
	ret = run("jump_reserved");
	krp_int3_result(ret, !ret,
			"jump: none over a static branch's nop, which the kernel patches itself; the key switches under krp's int3\n");
	ret = run("jump_churn");
	krp_int3_result(ret, !ret,
			"jump: register, optimize, unregister while every CPU runs through the detour\n");
	ret = run("jump_tail_arm");
	int3 = jumps = -1;
	if (!ret)
		ret = run_traps("jump_tail_call", &int3, &jumps);
	krp_int3_result(ret, !ret && !int3 && jumps == 1000,
			"jump: over a tail call's jmp alone, the detour taking the jmp: 1000 calls, every return seen, %ld jump entries, %ld traps; the jmp back after\n",
			jumps, int3);
	krp_write_file(OPTIMIZE, "N");
}

int main(void)
{
	char path[256];
	long stress_0, used_0;
	char num[24];
	int ret, i, collected;

	ksft_print_header();
	ksft_set_plan(36);

	ret = krp_load_module(krp_module_path(), "optimize=0");
	if (ret)
		ksft_exit_fail_msg("load krp.ko: %s\n", strerror(-ret));
	ret = krp_test_module_path(path, sizeof(path), "krp_test");
	if (!ret)
		ret = krp_load_module(path, "");
	if (ret)
		ksft_exit_fail_msg("load krp_test.ko: %s\n", strerror(-ret));

	ret = run("refuse");
	krp_int3_result(ret, !ret && krp_read_file(LIST, buf, sizeof(buf)) == 0,
			"refused addresses: each errno, nothing left behind\n");
	ksft_test_result(!run("ool_call"),
			 "the hand-written targets return what their C references do\n");
	test_ool(false);
	test_ool(true);
	test_extable();
	test_jump();
	ret = run("ool_ret");
	krp_int3_result(ret, !ret, "a return probe at a boosted int3 entry\n");
	ret = run("neighbours");
	krp_int3_result(ret, !ret,
			"a kernel kprobe inside the instruction under krp's int3: krp keeps its int3 until it goes\n");
	ret = run("ool_reenter");
	krp_int3_result(ret, !ret,
			"re-entry from handlers at boosted and single-stepped sites: counted in nmissed\n");
	/* On a user's machine this is the part that could take it down. */
	ksft_print_msg("WARNING: next, a kprobe on every instruction of thirteen kernel functions (vfs_read, do_sys_openat2, ...) under a workload; a krp bug here can crash this machine\n");
	/*
	 * Boosted last: its 13 functions leave the most slots dirty, so
	 * that ool_stress runs out of clean ones and must collect.
	 */
	test_every("arm_every", "single-stepped", true, EVERY_STEPPED);
	test_every("arm_every_boost", "boosted", false, EVERY_FUNCS);
	/*
	 * Two cycles a run, until krp has had to collect dirty slots (their
	 * count went down), eight runs at most.  Each cycle takes about 30
	 * fresh slots; slots_max leaves 45 clean, so the first run uses
	 * them up and must collect.  No slot may be left in use after.
	 */
	stress_0 = krp_stat("slots_dirty");
	used_0 = krp_stat("slots_used");
	snprintf(num, sizeof(num), "%ld", used_0 + stress_0 +
		 krp_stat("direct_stubs") + 45);
	ret = krp_write_file(SLOTS_MAX, num);
	if (ret)
		ksft_print_msg("slots_max=%s: %s\n", num, strerror(-ret));
	for (i = 1; !ret; i++) {
		ret = run("ool_stress");
		if (krp_stat("slots_dirty") < stress_0 || i == 8)
			break;
	}
	collected = krp_stat("slots_dirty") < stress_0;
	ksft_print_msg("ool_stress: %d runs of two cycles; slots %ld dirty (from %ld), %ld used, %ld may be taken\n",
		       i, krp_stat("slots_dirty"), stress_0,
		       krp_stat("slots_used"), krp_stat("slots_total"));
	krp_int3_result(ret, !ret && krp_stat("slots_used") == used_0 &&
			 collected,
			 "register and unregister over and over while every CPU runs the boosted and single-stepped copies: slots collected when the clean ones ran out, none left in use\n");
	/* out of range: refused, and the limit stays */
	ret = krp_write_file(SLOTS_MAX, "0");
	ksft_test_result(ret == -EINVAL && krp_stat("slots_total") == atol(num) &&
			 !krp_write_file(SLOTS_MAX, "4096") &&
			 krp_write_file(SLOTS_MAX, "4097") == -EINVAL &&
			 krp_stat("slots_total") == 4096,
			 "slots_max: 0 and 4097 refused with EINVAL, 1..4096 taken\n");
	/* where the optimizer can take a notrace entry, through its jump */
	krp_write_file(OPTIMIZE, "Y");
	test_every_ret();

	krp_unload_module("krp_test");
	ret = krp_unload_module_wait("krp", 5000);
	ksft_test_result(!ret, "krp unloads at the end: %s\n", strerror(-ret));
	ksft_finished();
}
