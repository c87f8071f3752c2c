// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest of stack traces through krp's trampoline.  The scenarios
 * run in krp_test.ko (krp_test_stacktrace.c); this program adds the
 * kernel's own view of a task asleep inside two probed functions,
 * /proc/PID/stack, which it reads between st_sleep_arm and
 * st_sleep_release.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest.h"
#include "lib/krp_test.h"

#define RUN	"/sys/kernel/debug/krp_test/run"

static int run(const char *scenario)
{
	int ret = krp_write_file(RUN, scenario);

	if (ret)
		ksft_print_msg("%s: %s\n", scenario, strerror(-ret));
	return ret;
}

static int count_lines(const char *text, const char *word)
{
	const char *p = text;
	int n = 0;

	while ((p = strstr(p, word))) {
		n++;
		p += strlen(word);
	}
	return n;
}

/*
 * What the kernel itself shows for the sleeper: krp's trampoline where
 * each probed function's caller should be, so both callers are missing
 * (the return into krp_st_sleep_outer and the one into sl_call).  i386's
 * frame pointers lead on past them to the rest of the stack; ORC
 * (x86_64) stops at the first one.
 */
static void test_proc_stack(void)
{
	static char stack[4096];
	const char *kernel = getenv("KRP_KERNEL");
	bool orc = kernel && !strncmp(kernel, "amd64", 5);
	int outer, call, tramp, kthread;
	char path[64];
	long pid;

	pid = krp_report("pid");
	snprintf(path, sizeof(path), "/proc/%ld/stack", pid);
	if (pid <= 0 || krp_read_file(path, stack, sizeof(stack)) < 0) {
		ksft_test_result_fail("/proc/PID/stack of the sleeper: cannot read %s\n",
				      path);
		return;
	}
	ksft_print_msg("%s:\n%s", path, stack);
	outer = count_lines(stack, "krp_st_sleep_outer+");
	call = count_lines(stack, "sl_call+");
	tramp = count_lines(stack, "krp_redirected+0x1/0x1 [krp]");
	kthread = count_lines(stack, "kthread+");
	ksft_test_result(!outer && !call &&
			 (orc ? tramp == 1 && !kthread : tramp == 2 && kthread),
			 "/proc/PID/stack: krp_redirected for each caller it reaches, %s (%d %d %d %d)\n",
			 orc ? "and ORC stops at the first" : "frame pointers go on past them",
			 outer, call, tramp, kthread);
}

int main(void)
{
	char path[256];
	int ret, armed;

	ksft_print_header();
	ksft_set_plan(8);

	ret = krp_load_module(krp_module_path(), "");
	if (ret)
		ksft_exit_fail_msg("load krp.ko: %s\n", strerror(-ret));
	ret = krp_test_module_path(path, sizeof(path), "krp_test");
	if (!ret)
		ret = krp_load_module(path, "");
	if (ret)
		ksft_exit_fail_msg("load krp_test.ko: %s\n", strerror(-ret));

	ksft_test_result(!run("st_return"),
			 "return handler: the real caller where krp_trampoline was, and the kernel's own trace finds it too\n");
	ksft_test_result(!run("st_nested"),
			 "nested probes: the inner and the outer caller in order, where the kernel's trace has krp_trampoline\n");
	ksft_test_result(!run("st_entry"),
			 "entry handler: the outer caller where the kernel's trace has krp_trampoline\n");
	armed = !run("st_sleep_arm");
	ksft_test_result(armed,
			 "sleeping task: krp_stack_trace_save_tsk() and krp_kretprobe_find_ret_addr() give both callers\n");
	if (armed)
		test_proc_stack();
	else
		ksft_test_result_fail("/proc/PID/stack of the sleeper: no sleeper\n");
	ksft_test_result(!run("st_sleep_release"),
			 "the sleeper returns through both probes\n");

	ret = krp_unload_module("krp_test");
	ksft_test_result(!ret, "krp_test unloads: %s\n", strerror(-ret));
	ret = krp_unload_module_wait("krp", 5000);
	ksft_test_result(!ret, "krp unloads at the end: %s\n", strerror(-ret));
	ksft_finished();
}
