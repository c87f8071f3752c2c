// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest of the defects found in review (issue 12): each result
 * fails while its defect is there.  The scenarios run in krp_test.ko
 * (krp_test_reliab.c);
 * this program does what only user space can do between their steps:
 * take a CPU offline and back, unload a probed module, read krp/stats.
 *
 * The kernel kprobe optimized inside krp's instruction oopsed the
 * guest: it runs last, so that the others report first.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest.h"
#include "lib/krp_test.h"

#define RUN	"/sys/kernel/debug/krp_test/run"
#define CPU1	"/sys/devices/system/cpu/cpu1/online"

static int load_test_module(const char *name)
{
	char path[256];
	int ret = krp_test_module_path(path, sizeof(path), name);

	return ret ? ret : krp_load_module(path, "");
}

static int run(const char *scenario)
{
	int ret = krp_write_file(RUN, scenario);

	if (ret)
		ksft_print_msg("%s: %s\n", scenario, strerror(-ret));
	return ret;
}

/* Frames come back asynchronously: wait for @want a little. */
static long stat_wait(const char *name, long want)
{
	long v;
	int ms = 2000;

	while ((v = krp_stat(name)) != want && ms > 0) {
		usleep(10000);
		ms -= 10;
	}
	return v;
}

static int cpu1_set(const char *on)
{
	int ret = krp_write_file(CPU1, on);

	if (ret)
		ksft_print_msg("cpu1 online=%s: %s\n", on, strerror(-ret));
	return ret;
}

/*
 * A return probe on cpu_startup_entry(): each onlining of cpu1 gives
 * its idle task a frame that never returns.  The frames of a stack
 * that died must go with its CPU, and not pin krp.ko.
 */
static void test_cpu_dead(void)
{
	long f0, f1, f2 = -1;
	int ret, i;

	if (access(CPU1, W_OK)) {
		ksft_test_result_skip("idle frames of an offlined CPU: no cpu1 to offline\n");
		return;
	}
	f0 = krp_stat("frames_in_use");
	ret = run("cpu_dead_arm");
	for (i = 0; i < 3 && !ret; i++) {
		ret = cpu1_set("0");
		if (!ret)
			ret = cpu1_set("1");
	}
	f1 = stat_wait("frames_in_use", f0 + 1);
	if (!ret)
		ret = run("cpu_dead_disarm");
	if (!ret) {
		ret = cpu1_set("0");
		f2 = stat_wait("frames_in_use", f0);
		ret |= cpu1_set("1");
	}
	ksft_test_result(!ret && f1 == f0 + 1 && f2 == f0,
			 "idle frames of an offlined CPU go with it: %ld frames after 3 cycles, %ld after the last offlining (want %ld, %ld)\n",
			 f1 - f0, f2 - f0, 1L, 0L);
}

/* A stuck site of a module that goes is freed, and its slot with it. */
static void test_gone_stuck(void)
{
	long s0 = -1, s1 = -1;
	int ret;

	ret = load_test_module("krp_target");
	if (!ret)
		ret = run("gone_stuck_arm");
	if (!ret) {
		s0 = krp_stat("slots_used");
		ret = krp_unload_module("krp_target");
		if (ret)
			ksft_print_msg("unload krp_target: %s\n", strerror(-ret));
	}
	if (!ret) {
		ret = run("gone_stuck_check");
		s1 = krp_stat("slots_used");
	}
	krp_int3_result(ret, !ret && s0 > 0 && s1 == s0 - 1,
			"a stuck site of a departing module gives its slot back (slots_used %ld -> %ld)\n",
			s0, s1);
}

int main(void)
{
	int ret;

	ksft_print_header();
	ksft_set_plan(11);

	ret = krp_load_module(krp_module_path(), "");
	if (ret)
		ksft_exit_fail_msg("load krp.ko: %s\n", strerror(-ret));
	ret = load_test_module("krp_test");
	if (ret)
		ksft_exit_fail_msg("load krp_test.ko: %s\n", strerror(-ret));

	ret = run("ctx_handlers");
	krp_int3_result(ret, !ret,
			"int3 probes inside a handler: missed at both ends, every entry handler matched by a return handler\n");
	ret = run("resolve_name");
	krp_int3_result(ret, !ret,
			"a name resolves as the kernel resolves it, and module:symbol finds an int3 site\n");
	ret = run("rcu_idle");
	krp_int3_result(ret, !ret,
			"an int3 entry where RCU is not watching runs no handler, counted as missed\n");
	test_cpu_dead();
	test_gone_stuck();
	ret = run("post_full");
	krp_int3_result(ret, !ret,
			"a ninth post-handler on one hit is counted in nmissed\n");
	ret = run("pre_stop");
	krp_int3_result(ret, !ret,
			"a pre-handler returning non-zero stops the later probes of the site\n");
	ret = run("find_runnable");
	krp_int3_result(ret, !ret,
			"krp_kretprobe_find_ret_addr() on a runnable task: the real address, no warning\n");
	ret = run("opt_inside");
	krp_int3_result(ret, !ret,
			"a kernel kprobe inside krp's instruction is never optimized across krp's resume address\n");

	ret = krp_unload_module("krp_test");
	ksft_test_result(!ret, "krp_test unloads: %s\n", strerror(-ret));
	ret = krp_unload_module_wait("krp", 5000);
	ksft_test_result(!ret, "krp unloads at the end: %s\n", strerror(-ret));
	ksft_finished();
}
