// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest of krp under call depth tracking (retbleed=stuff on 6.12):
 * the mitigation is active in this boot, and a probed function's two
 * returns for one call (to krp's trampoline, then to its caller) leave
 * the kernel's per-CPU call depth register balanced, at ftrace and at
 * int3 entries.  The client side is krp_test.ko's call_depth scenario
 * (krp_test_calldepth.c).  Where the mitigation is off every test
 * skips, and the group (groups/calldepth) declares no skip: it boots
 * only the kernel and CPU model that turn it on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest.h"
#include "lib/krp_test.h"

#define RUN	"/sys/kernel/debug/krp_test/run"
#define RETBLEED "/sys/devices/system/cpu/vulnerabilities/retbleed"
#define TESTS	2

int main(void)
{
	char path[256], mitigation[256] = "";
	int ret;

	ksft_print_header();
	ksft_set_plan(TESTS);
	if (krp_read_file(RETBLEED, mitigation, sizeof(mitigation)) < 0 ||
	    !strstr(mitigation, "Stuffing")) {
		ksft_test_result_skip("call depth tracking is off: retbleed is \"%s\"\n",
				      strtok(mitigation, "\n") ?: "unknown");
		ksft_test_result_skip("call depth tracking is off\n");
		ksft_finished();
	}
	ksft_test_result_pass("retbleed: %s", mitigation);

	ret = krp_load_module(krp_module_path(), "");
	if (ret)
		ksft_exit_fail_msg("load krp.ko: %s\n", strerror(-ret));
	ret = krp_test_module_path(path, sizeof(path), "krp_test");
	if (!ret)
		ret = krp_load_module(path, "");
	if (ret)
		ksft_exit_fail_msg("load krp_test.ko: %s\n", strerror(-ret));
	ret = krp_write_file(RUN, "call_depth");
	ksft_test_result(!ret,
			 "a kretprobe at an ftrace entry and at an int3 entry leaves the call depth register balanced: %s\n",
			 ret ? strerror(-ret) : "yes");
	krp_unload_module("krp_test");
	ret = krp_unload_module_wait("krp", 5000);
	if (ret)
		ksft_print_msg("krp does not unload: %s\n", strerror(-ret));
	ksft_finished();
}
