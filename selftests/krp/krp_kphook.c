// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest of the i386 kprobe hook: a return probe at an ftrace entry
 * is entered through a kernel kprobe of krp's ([KPROBE] in krp/list,
 * krp's kprobe in the kernel's kprobes/list), sees every return on the
 * lean path and the general one, shares the function with the kernel's
 * own kprobes, counts the calls that the kernel drops inside another
 * kprobe's handler (missed_kprobe), lets the kernel kprobe go once the
 * probe is gone, and direct=N keeps new sites on krp's shared ops,
 * where such a call is seen.  The scenarios are krp_test.ko's
 * (kphook_*, krp_test_kphook.c); on x86_64, which enters by a direct
 * call (krp_direct), every test skips.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "lib/krp_test.h"

#define RUN		"/sys/kernel/debug/krp_test/run"
#define LIST		KRP_DEBUGFS "/list"
#define KPROBES_LIST	"/sys/kernel/debug/kprobes/list"
#define FN		"krp_test_kphook_fn"
#define OUTER		"krp_test_kphook_outer"
#define TESTS		8
/* the reaper lets an idle kprobe hook go at its next pass, a second on */
#define RELEASE_MS	10000

static char buf[1 << 16];

static int run(const char *scenario)
{
	return krp_write_file(RUN, scenario);
}

/* How krp enters FN: "[KPROBE]", "[FTRACE]", "other" or "none". */
static const char *how(void)
{
	char *l, *save;

	if (krp_read_file(LIST, buf, sizeof(buf)) < 0)
		return "none";
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strstr(l, " " FN "+0x"))
			continue;
		if (strstr(l, "[KPROBE]"))
			return "[KPROBE]";
		if (strstr(l, "[FTRACE]"))
			return "[FTRACE]";
		return "other";
	}
	return "none";
}

/*
 * Kernel kprobes on @fn, per kprobes/list ("addr  k  sym+0x0  module
 * [FTRACE]"): krp's, while no scenario has one of its own there.
 */
static int krp_kprobes_on(const char *fn)
{
	char *l, *save, want[128];
	int n = 0;

	snprintf(want, sizeof(want), " %s+0x0  krp_test ", fn);
	if (krp_read_file(KPROBES_LIST, buf, sizeof(buf)) < 0)
		return -1;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (strstr(l, want))
			n++;
	return n;
}

static int krp_kprobes_on_fn(void)
{
	return krp_kprobes_on(FN);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(void)
{
	const char *seen = "none";
	long t0, missed, waited = -1;
	struct utsname u;
	char path[256];
	int ret, n, i;

	ksft_print_header();
	ksft_set_plan(TESTS);
	if (uname(&u) || !strcmp(u.machine, "x86_64")) {
		for (i = 0; i < TESTS; i++)
			ksft_test_result_skip("i386 only (%s)\n", u.machine);
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

	ret = run("kphook_arm");
	seen = how();
	n = krp_kprobes_on_fn();
	if (!ret)
		ret = run("kphook_calls");
	ksft_test_result(!ret && !strcmp(seen, "[KPROBE]") && n == 1,
			 "kphook: an ftrace site is entered through a kernel kprobe (%s, %d in kprobes/list), every return seen\n",
			 seen, n);

	ret = run("kphook_full");
	ksft_test_result(!ret, "kphook: a probe with an entry handler beside it: both see every return, the entry's argument too\n");

	/* from here on the hook of the first probe is idle, then gone */
	ret = run("kphook_disarm");
	if (!ret)
		ret = run("kphook_regs_arm");
	seen = how();
	if (!ret)
		ret = run("kphook_regs_disarm");
	if (!ret)
		ret = run("kphook_arm");
	ksft_test_result(!ret && !strcmp(seen, "[KPROBE]"),
			 "kphook: a site armed with an entry handler alone takes the kprobe hook too (%s), every return seen with its argument\n",
			 seen);

	ret = run("kphook_shared");
	ksft_test_result(!ret, "kphook: a kernel kprobe of another module on the same function: each sees every call\n");

	missed = krp_stat("missed_kprobe");
	ret = run("kphook_nested_dropped");
	/* the stats fold what the kernel counted when they are read */
	missed = krp_stat("missed_kprobe") - missed;
	ksft_test_result(!ret && missed == 10,
			 "kphook: calls inside a kernel kprobe's handler are dropped by the kernel and counted (nmissed, missed_kprobe +%ld)\n",
			 missed);

	/* two probes let go in one call: their hooks go in one batch */
	ret = run("kphook_outer_arm");
	n = krp_kprobes_on(OUTER);
	if (!ret)
		ret = run("kphook_disarm");
	t0 = now_ms();
	while (!ret && n == 1 && now_ms() - t0 < RELEASE_MS) {
		if (krp_kprobes_on_fn() == 0 && krp_kprobes_on(OUTER) == 0) {
			waited = now_ms() - t0;
			break;
		}
		usleep(100000);
	}
	ksft_test_result(waited >= 0, "kphook: the kernel kprobes go once the probes are gone, two together (%d at the outer function before, %ld ms)\n",
			 n, waited);

	ret = krp_param_set("direct", "N");
	if (!ret)
		ret = run("kphook_arm");
	seen = how();
	n = krp_kprobes_on_fn();
	if (!ret)
		ret = run("kphook_calls");
	ksft_test_result(!ret && !strcmp(seen, "[FTRACE]") && n == 0,
			 "kphook: direct=N keeps new sites on the shared ops (%s, %d in kprobes/list)\n",
			 seen, n);
	ret = run("kphook_nested_seen");
	run("kphook_disarm");
	if (krp_param_set("direct", "Y") && !ret)
		ret = -EIO;
	ksft_test_result(!ret, "kphook: on the shared ops, calls inside a kernel kprobe's handler are seen\n");

	krp_unload_module("krp_test");
	ret = krp_unload_module_wait("krp", 10000);
	if (ret)
		ksft_print_msg("krp does not unload: %s\n", strerror(-ret));
	ksft_finished();
}
