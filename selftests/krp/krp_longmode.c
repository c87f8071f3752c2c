// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest of krp's int3 sites in their x86_64 forms: a kprobe on
 * every instruction of a hand-written long-mode target (REX prefixes,
 * RIP-relative operands, calls and jumps through RIP-relative pointers,
 * VEX), boosted and then single-stepped, as krp/list shows it and as
 * the trap counts prove it; the long-mode forms krp refuses.  The
 * client side is krp_test.ko's lm_* scenarios (krp_test_longmode.c);
 * on i386 every test is skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "kselftest.h"
#include "lib/krp_test.h"

#define RUN	"/sys/kernel/debug/krp_test/run"
#define LIST	KRP_DEBUGFS "/list"
#define TESTS	9

/* krp_test_lm: 34 instructions, 18 of them emulated */
#define LM_INSNS	34
#define LM_EMULATED	18

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

/* How the armed probes of krp_test_lm run, from krp/list. */
static void lm_modes(struct modes *m)
{
	char *l, *save, *h;
	long hits;

	memset(m, 0, sizeof(*m));
	if (krp_read_file(LIST, buf, sizeof(buf)) < 0)
		return;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strstr(l, "krp_test_lm+"))
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

/* A hit costs one int3 trap, and one more for each single-step. */
static void test_lm(bool step)
{
	const char *how = step ? "single-stepped" : "boosted";
	long int3_0, step_0, int3_1, step_1;
	int ret, ool = LM_INSNS - LM_EMULATED;
	struct modes m, after;

	ret = run(step ? "lm_arm_step" : "lm_arm_boost");
	lm_modes(&m);
	int3_0 = krp_stat("int3_traps");
	step_0 = krp_stat("step_traps");
	if (!ret)
		ret = run("lm_call");
	int3_1 = krp_stat("int3_traps");
	step_1 = krp_stat("step_traps");
	lm_modes(&after);
	ksft_print_msg("%s: krp_test_lm %d boosted %d emulated %d stepped %d other; traps %ld int3 %ld step for %ld hits\n",
		       how, m.boosted, m.emulated, m.stepped, m.other,
		       int3_1 - int3_0, step_1 - step_0, after.hits);
	ksft_test_result(!ret && !m.other && m.emulated == LM_EMULATED &&
			 (step ? m.stepped == ool && !m.boosted :
				 m.boosted == ool && !m.stepped),
			 "long mode, %s: %d instructions [EMULATED], %d [%s]\n",
			 how, LM_EMULATED, ool, step ? "SS" : "BOOSTED");
	ksft_test_result(!ret && after.hits > 0 &&
			 int3_1 - int3_0 == after.hits &&
			 step_1 - step_0 == after.stepped_hits &&
			 (step ? after.stepped_hits > 0 : !after.stepped_hits),
			 "long mode, %s: one int3 trap per hit, one step trap per stepped hit\n",
			 how);
	ksft_test_result(!run("lm_disarm"),
			 "long mode, %s: results, RIP-relative fix-ups, hit counts, where each step resumes\n",
			 how);
}

int main(void)
{
	struct utsname u;
	char path[256];
	int ret, i;

	ksft_print_header();
	ksft_set_plan(TESTS);
	if (uname(&u) || strcmp(u.machine, "x86_64")) {
		for (i = 0; i < TESTS; i++)
			ksft_test_result_skip("x86_64 only (%s)\n", u.machine);
		ksft_finished();
	}
	ret = krp_load_module(krp_module_path(), "");
	if (ret)
		ksft_exit_fail_msg("load krp.ko: %s\n", strerror(-ret));
	ret = krp_test_module_path(path, sizeof(path), "krp_test");
	if (!ret)
		ret = krp_load_module(path, "");
	if (ret)
		ksft_exit_fail_msg("load krp_test.ko: %s\n", strerror(-ret));

	test_lm(false);
	test_lm(true);
	ksft_test_result(!run("lm_refuse") &&
			 krp_read_file(LIST, buf, sizeof(buf)) == 0,
			 "long mode: refused forms each -EOPNOTSUPP, mid-instruction offsets -EILSEQ, nothing left behind\n");
	ksft_test_result(!run("lm_form_taken"),
			 "long mode: loads through %%r12, %%r13 and %%fs, rdmsr, rep movsq taken where the exception tables show no fixup\n");
	ret = krp_param_set("extable", "N");
	if (!ret)
		ret = run("lm_form_refused");
	if (krp_param_set("extable", "Y") && !ret)
		ret = -EIO;
	ksft_test_result(!ret,
			 "long mode, extable=N: the same refused by their form\n");

	krp_unload_module("krp_test");
	ret = krp_unload_module_wait("krp", 5000);
	if (ret)
		ksft_print_msg("krp does not unload: %s\n", strerror(-ret));
	ksft_finished();
}
