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

static char buf[1 << 20];

static int run(const char *scenario)
{
	int ret = krp_write_file(RUN, scenario);

	if (ret)
		ksft_print_msg("%s: %s\n", scenario, strerror(-ret));
	return ret;
}

struct modes {
	int boosted, emulated, stepped, other;
	long hits, stepped_hits;
};

/* How the armed probes on @sym (any offset) run, from krp/list. */
static void list_modes(const char *sym, struct modes *m)
{
	char *l, *save, *h;
	long hits;

	memset(m, 0, sizeof(*m));
	if (krp_read_file(LIST, buf, sizeof(buf)) < 0)
		return;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strstr(l, sym))
			continue;
		h = strstr(l, "hits=");
		hits = h ? strtol(h + 5, NULL, 10) : 0;
		m->hits += hits;
		if (strstr(l, "[BOOSTED]")) {
			m->boosted++;
		} else if (strstr(l, "[EMULATED]")) {
			m->emulated++;
		} else if (strstr(l, "[SS]")) {
			m->stepped++;
			m->stepped_hits += hits;
		} else {
			m->other++;
		}
	}
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
	ksft_test_result(!ret && !a.other && !b.other && a.emulated == 6 &&
			 b.emulated >= 12 &&
			 (step ? a.stepped > 20 && !a.boosted && b.stepped > 3 :
				 a.boosted > 20 && !a.stepped && b.boosted > 3),
			 "list: instructions of the targets are [EMULATED] or [%s]\n",
			 step ? "SS" : "BOOSTED");
	list_modes("krp_test_", &a);
	ksft_test_result(!ret && int3_1 - int3_0 == a.hits &&
			 step_1 - step_0 == a.stepped_hits &&
			 (step ? a.stepped_hits > 0 : a.stepped_hits == 0),
			 "%s: one int3 trap per hit (%ld for %ld hits), %ld single-step traps\n",
			 how, int3_1 - int3_0, a.hits, step_1 - step_0);
	ksft_test_result(!run("ool_disarm"),
			 "%s: results, hit counts, handler order and context\n",
			 how);
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
 * A kprobe on every instruction boundary of five kernel functions on the
 * workload's path; what krp cannot run out of line is refused, counted
 * in the module.  @scenario picks pre-handlers only (boosted) or pre-
 * and post-handlers (single-stepped).
 */
static void test_every(const char *scenario, const char *how)
{
	long slots;
	int ret, bad = -1;

	ret = run(scenario);
	slots = krp_stat("slots_used");
	if (!ret)
		bad = krp_file_workload("/tmp", 50) + syscall_workload(50);
	if (!ret)
		ret = run("disarm_every");
	ksft_test_result(!ret && !bad && slots > 100,
			 "a probe on every instruction of 5 kernel functions, %s (%ld slots): workload intact (%d bad)\n",
			 how, slots, bad);
}

/* Return probes at int3 entries of functions ftrace cannot trace. */
static void test_every_ret(void)
{
	int ret, bad = -1;

	ret = run("arm_every_ret");
	if (!ret)
		bad = krp_file_workload("/tmp", 50) + syscall_workload(200);
	if (!ret)
		ret = run("disarm_every_ret");
	ksft_test_result(!ret && !bad,
			 "return probes at the int3 entries of notrace functions, workload intact (%d bad)\n",
			 bad);
}

int main(void)
{
	char path[256];
	long stress_0;
	int ret;

	ksft_print_header();
	ksft_set_plan(15);

	ret = krp_load_module(krp_module_path(), "");
	if (ret)
		ksft_exit_fail_msg("load krp.ko: %s\n", strerror(-ret));
	ret = krp_test_module_path(path, sizeof(path), "krp_test");
	if (!ret)
		ret = krp_load_module(path, "");
	if (ret)
		ksft_exit_fail_msg("load krp_test.ko: %s\n", strerror(-ret));

	ksft_test_result(!run("refuse") &&
			 krp_read_file(LIST, buf, sizeof(buf)) == 0,
			 "refused addresses: each errno, nothing left behind\n");
	test_ool(false);
	test_ool(true);
	ksft_test_result(!run("ool_ret"),
			 "a return probe at a boosted int3 entry\n");
	ksft_test_result(!run("neighbours"),
			 "a kernel kprobe inside the instruction under krp's int3: krp keeps its int3 until it goes\n");
	ksft_test_result(!run("ool_reenter"),
			 "re-entry from handlers at boosted and single-stepped sites: counted in nmissed\n");
	test_every("arm_every_boost", "boosted");
	test_every("arm_every", "single-stepped");
	stress_0 = krp_stat("slots_dirty");
	ret = run("ool_stress");
	ksft_test_result(!ret && krp_stat("slots_dirty") < stress_0,
			 "register and unregister over and over, slots collected, while every CPU runs the boosted and single-stepped copies\n");
	test_every_ret();

	krp_unload_module("krp_test");
	ret = krp_unload_module_wait("krp", 5000);
	ksft_test_result(!ret, "krp unloads at the end: %s\n", strerror(-ret));
	ksft_finished();
}
