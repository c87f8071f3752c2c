// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest of the x86_64 direct-call entry: a return probe at an
 * ftrace entry takes the function's direct slot when it is free
 * ([DIRECT] in krp/list), falls back to the shared ftrace ops when
 * another direct call holds it ([FTRACE]), turns a later direct user
 * away with -EBUSY and lets go of the slot once the probe is gone, sees
 * every return once whichever way it came in, and direct=N keeps new
 * sites on the ops.  The other direct user is krp_test.ko's own
 * (direct_* scenarios, krp_test_direct.c); on i386 every test skips.
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

#define RUN	"/sys/kernel/debug/krp_test/run"
#define LIST	KRP_DEBUGFS "/list"
#define TESTS	7
/*
 * An idle direct call is let go once krp has had no site for
 * ops_idle_ms, set to IDLE_MS here (no other probe is registered), within
 * a second of the reaper's period, then waits for RCU-tasks.
 */
#define IDLE_MS		"500"
#define RELEASE_MS	20000

static char buf[1 << 16];

static int run(const char *scenario)
{
	return krp_write_file(RUN, scenario);
}

/* How krp enters krp_test_direct_fn: "[DIRECT]", "[FTRACE]" or "none". */
static const char *how(void)
{
	char *l, *save;

	if (krp_read_file(LIST, buf, sizeof(buf)) < 0)
		return "none";
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strstr(l, " krp_test_direct_fn+0x"))
			continue;
		if (strstr(l, "[DIRECT]"))
			return "[DIRECT]";
		if (strstr(l, "[FTRACE]"))
			return "[FTRACE]";
		return "other";
	}
	return "none";
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Arm, check the entry, call; @expect: the entry krp/list must show. */
static int arm_and_call(const char *expect, const char **seen)
{
	int ret = run("direct_arm");

	*seen = how();
	if (!ret)
		ret = run("direct_calls");
	if (!ret && strcmp(*seen, expect))
		ret = -EINVAL;
	return ret;
}

int main(void)
{
	const char *seen = "none";
	long t0, waited = -1;
	struct utsname u;
	char path[256];
	int ret, busy, i;

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

	ret = arm_and_call("[DIRECT]", &seen);
	ksft_test_result(!ret, "direct: a free direct slot is krp's (%s), every return seen once\n",
			 seen);

	busy = run("direct_hold");
	ret = run("direct_calls");
	ksft_test_result(busy == -EBUSY && !ret,
			 "direct: another direct user gets -EBUSY while krp holds the slot (%d), krp goes on\n",
			 busy);

	ret = krp_param_set("ops_idle_ms", IDLE_MS);
	if (!ret)
		ret = run("direct_disarm");
	t0 = now_ms();
	while (!ret && now_ms() - t0 < RELEASE_MS) {
		if (!run("direct_hold")) {
			waited = now_ms() - t0;
			break;
		}
		usleep(100000);
	}
	krp_param_set("ops_idle_ms", "10000");
	ksft_test_result(waited >= 0,
			 "direct: the slot is free again once krp has had no probe for ops_idle_ms (%ld ms)\n",
			 waited);

	/* held by us: krp must take the shared ops, and both run */
	ret = waited >= 0 ? arm_and_call("[FTRACE]", &seen) : -EAGAIN;
	ksft_test_result(!ret, "direct: a held slot sends krp to the shared ops (%s), both see every call\n",
			 seen);

	/*
	 * The shared ops keeps the function, idle, for a while: armed again
	 * right away on the free slot, krp must still run it once a call.
	 */
	run("direct_disarm");
	run("direct_release");
	ret = arm_and_call("[DIRECT]", &seen);
	run("direct_disarm");
	ksft_test_result(!ret, "direct: from the shared ops back to the slot (%s), no call entered twice\n",
			 seen);

	ret = run("direct_lean");
	ksft_test_result(!ret, "direct: the entry without registers, with them for an entry handler, and back, every return seen\n");

	ret = krp_param_set("direct", "N");
	if (!ret)
		ret = arm_and_call("[FTRACE]", &seen);
	run("direct_disarm");
	if (krp_param_set("direct", "Y") && !ret)
		ret = -EIO;
	ksft_test_result(!ret, "direct: direct=N keeps new sites on the shared ops (%s)\n",
			 seen);

	krp_unload_module("krp_test");
	ret = krp_unload_module_wait("krp", 10000);
	if (ret)
		ksft_print_msg("krp does not unload: %s\n", strerror(-ret));
	ksft_finished();
}
