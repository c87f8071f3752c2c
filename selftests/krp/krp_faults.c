// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest of krp under fault injection (the faults group, on the debug
 * kernels only).  /proc/thread-self/fail-nth makes the Nth allocation of
 * this task fail, wherever failslab or fail_page_alloc is consulted (the
 * fault attributes are opened up to sleeping allocations first), and
 * nothing else: the kernel's threads and the other tasks allocate as
 * usual.  Each sweep arms N = 1, 2, ... before one operation until the
 * operation no longer reaches its Nth allocation.  Every injected
 * failure must give -ENOMEM and leave nothing registered (krp/list
 * empty) or patched (checked in krp_test.ko, krp_test_faults.c); a
 * failure krp absorbs must still leave a working probe; and krp must work
 * afterwards and unload.  Leaks are kmemleak's: the runner scans at the
 * end of the group.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "lib/krp_test.h"

#define RUN		"/sys/kernel/debug/krp_test/run"
#define NTH		"/proc/thread-self/fail-nth"
#define ENABLED		KRP_PROCFS "/enabled"
#define LIST		KRP_DEBUGFS "/list"
#define DIRECT		"/sys/module/krp/parameters/direct"
#define MAX_NTH		600
/*
 * A function whose last probe went keeps its direct call, idle, for
 * ops_idle_ms: the checks that a failure left the text as it was would
 * see it on x86_64.  With 0 the reaper takes it out within a second.
 */
#define KRP_FAULTS_PARAMS "ops_idle_ms=0"

static int nth_fd = -1, run_fd = -1;

/* What one sweep saw. */
struct sweep {
	int points;	/* allocations the operation made */
	int failed;	/* injected failures that failed it with -ENOMEM */
	int absorbed;	/* injected failures it succeeded despite */
	int bad;	/* anything else: another errno, state left behind */
};

static int fault_knobs(void)
{
	static const char * const knobs[][2] = {
		/* GFP_KERNEL allocations are what krp's registration makes */
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
		/* one line per injected failure, no stack dump */
		{ "/sys/kernel/debug/failslab/verbose", "1" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "1" },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		ret = krp_write_file(knobs[i][0], knobs[i][1]);
		if (ret) {
			ksft_print_msg("%s: %s\n", knobs[i][0], strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* Arm fail-nth with @n (0: off). */
static int nth_set(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -errno;
}

/* True if the failure armed by nth_set() was injected; disarms it. */
static bool nth_hit(void)
{
	char buf[16];
	ssize_t len = pread(nth_fd, buf, sizeof(buf) - 1, 0);

	nth_set(0);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	return atoi(buf) == 0;
}

static int run(const char *scenario)
{
	ssize_t len = strlen(scenario);

	return write(run_fd, scenario, len) == len ? 0 : -errno;
}

static int run_checked(const char *scenario)
{
	int ret = run(scenario);

	if (ret)
		ksft_print_msg("%s: %s\n", scenario, strerror(-ret));
	return ret;
}

static bool list_empty(void)
{
	char buf[4096];

	return krp_read_file(LIST, buf, sizeof(buf)) == 0;
}

static int load_test_module(void)
{
	char path[256];
	int ret = krp_test_module_path(path, sizeof(path), "krp_test");

	if (!ret)
		ret = krp_load_module(path, "");
	if (!ret) {
		run_fd = open(RUN, O_WRONLY);
		if (run_fd < 0)
			ret = -errno;
	}
	return ret;
}

static int reload(void)
{
	int ret;

	close(run_fd);
	run_fd = -1;
	ret = krp_unload_module("krp_test");
	if (!ret)
		ret = krp_unload_module_wait("krp", 5000);
	if (!ret)
		ret = krp_load_module(krp_module_path(), KRP_FAULTS_PARAMS);
	if (!ret)
		ret = load_test_module();
	if (ret)
		ksft_print_msg("reloading krp: %s\n", strerror(-ret));
	return ret;
}

/* Judge one injected run of an operation that returned @ret. */
static void judge(struct sweep *s, const char *what, int n, int ret)
{
	if (!ret) {
		s->absorbed++;
	} else if (ret == -ENOMEM) {
		s->failed++;
	} else {
		ksft_print_msg("%s, allocation %d failed: %s, not ENOMEM\n",
			       what, n, strerror(-ret));
		s->bad++;
	}
	if (!list_empty()) {
		ksft_print_msg("%s, allocation %d failed: krp/list not empty\n",
			       what, n);
		s->bad++;
	}
}

/*
 * @scenario under fail-nth N = 1, 2, ...; with @fresh, krp is loaded
 * anew before each N (its first registration sets up the pools and
 * hooks), at every N up to 40 and every third beyond.
 */
static void sweep_scenario(const char *scenario, bool fresh, const char *what)
{
	struct sweep s = { 0 };
	int n, ret = 0, step;
	bool hit = true;

	for (n = 1; n <= MAX_NTH; n += step) {
		step = fresh && n >= 40 ? 3 : 1;
		if (fresh && reload())
			break;
		ret = nth_set(n);
		if (!ret)
			ret = run(scenario);
		hit = nth_hit();
		if (!hit)
			break;
		judge(&s, what, n, ret);
	}
	s.points = n - 1;
	ksft_test_result(!hit && !ret && !s.bad && s.failed > 0,
			 "%s: %d allocations, %d failures gave ENOMEM and left nothing, %d absorbed, %d wrong; then it works (%s)\n",
			 what, s.points, s.failed, s.absorbed, s.bad,
			 hit ? "never ran out of allocations" : strerror(-ret));
}

/* What the forks of sweep_fork() saw. */
struct forks {
	int forks;	/* children that ran */
	int failed;	/* forks failed with ENOMEM or EAGAIN */
	int bad;	/* another errno, or a child's call that failed */
	bool hit;	/* the failure armed last was injected */
};

/* One fork under fail-nth @n; the child calls the probed function. */
static void fork_one(struct forks *f, int n)
{
	int status;
	pid_t pid;

	if (nth_set(n)) {
		f->bad++;
		return;
	}
	pid = fork();
	if (pid == 0)
		_exit(run("fault_call") ? 1 : 0);
	f->hit = nth_hit();
	if (pid < 0) {
		if (errno != ENOMEM && errno != EAGAIN) {
			ksft_print_msg("fork, allocation %d failed: %s\n",
				       n, strerror(errno));
			f->bad++;
		}
		f->failed++;
		return;
	}
	f->forks++;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		ksft_print_msg("fork, allocation %d failed: the child's call failed\n",
			       n);
		f->bad++;
	}
}

/*
 * Only the pool's allocation is counted: failslab's cache filter, which
 * passes the caches with SLAB_FAILSLAB alone (the group boots with
 * slub_debug=...A,krp_pool), and no page allocation (none is of order
 * 11).
 */
static int pool_only(bool on)
{
	static const char * const knobs[][3] = {
		{ "/sys/kernel/debug/failslab/cache-filter", "N", "Y" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0", "11" },
	};
	unsigned int i;
	char buf[8];
	int ret;

	if (on && (krp_read_file("/sys/kernel/slab/krp_pool/failslab",
				 buf, sizeof(buf)) <= 0 || buf[0] != '1')) {
		ksft_print_msg("krp_pool has no SLAB_FAILSLAB: boot with slub_debug=A,krp_pool\n");
		return -ENOENT;
	}
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		ret = krp_write_file(knobs[i][0], knobs[i][1 + on]);
		if (ret) {
			ksft_print_msg("%s: %s\n", knobs[i][0], strerror(-ret));
			return ret;
		}
	}
	return 0;
}

#define POOL_FORKS	3

/*
 * Forks under fail-nth while a return probe is armed.  First every
 * allocation a fork makes is failed in turn, N = 1, 2, ... until a
 * fork no longer reaches its Nth: a failed fork must leave krp as it
 * was.  How many allocations come before the pool's varies from one
 * fork to the next (the debug kernels' bookkeeping, the maple tree's
 * preallocations), so that sweep may step over the pool's; then
 * POOL_FORKS forks fail the pool's allocation alone, and each child
 * must have been left without a pool at fork (pools_deferred).  Such a
 * child gets one from krp's worker; if it calls the probed function
 * before that, the call is missed, not lost.  Which comes first is a
 * race, so misses are not required, only that every call returned or
 * was missed.
 */
static void sweep_fork(void)
{
	long missed = -1, calls = -1, deferred0 = krp_stat("pools_deferred");
	long deferred, targeted = -1;
	struct forks f = { 0 };
	int ret = 0, n, points;

	if (run_checked("fault_arm")) {
		ksft_test_result_fail("pools at fork: fault_arm failed\n");
		return;
	}
	f.hit = true;
	for (n = 1; n <= MAX_NTH && f.hit && !f.bad; n++)
		fork_one(&f, n);
	points = n - 1;
	if (f.hit)
		ret = -E2BIG;
	if (!ret)
		ret = pool_only(true);
	if (!ret) {
		deferred = krp_stat("pools_deferred");
		for (n = 0; n < POOL_FORKS && !f.bad; n++) {
			fork_one(&f, 1);
			if (!f.hit) {
				ksft_print_msg("a fork made no allocation from krp_pool\n");
				f.bad++;
			}
		}
		targeted = krp_stat("pools_deferred") - deferred;
	}
	if (pool_only(false) && !ret)
		ret = -EIO;
	if (!ret)
		ret = run_checked("fault_disarm");
	if (!ret) {
		missed = krp_report("missed");
		calls = krp_report("calls");
	}
	deferred = krp_stat("pools_deferred") - deferred0;
	ksft_test_result(!ret && !f.bad && targeted == POOL_FORKS &&
			 missed >= 0 && calls == f.forks,
			 "pools at fork: %d allocations, %d forks failed, %ld children ran, %ld without a pool at fork (%ld of %d with the pool's allocation failed alone), %ld calls missed for want of one, every call returned or missed\n",
			 points, f.failed, calls, deferred, targeted,
			 POOL_FORKS, missed);
}

/*
 * Writes to krp/enabled under fail-nth, each way, with a probe armed:
 * enabling may fail with ENOMEM, disabling not at all (an unhook that
 * ftrace cannot allocate for is retried, and the probe is off
 * meanwhile); the next write without a failure arms everything again,
 * and every later call is returned or missed.
 */
static void sweep_enabled(void)
{
	int fd, n, ret = 0, way, failed = 0, bad = 0, points = 0;
	static const char * const val[2] = { "0", "1" };
	bool hit;

	/*
	 * On x86_64 a direct call that lost its site stays, idle, while
	 * the site is there, and arming takes it back without allocating:
	 * the shared ftrace ops is what allocates when a site is armed.
	 */
	if (krp_write_file(DIRECT, "N")) {
		ksft_test_result_fail("krp/enabled writes: cannot write %s\n", DIRECT);
		return;
	}
	fd = open(ENABLED, O_WRONLY);
	if (fd < 0 || run_checked("fault_arm")) {
		krp_write_file(DIRECT, "Y");
		ksft_test_result_fail("krp/enabled writes: cannot set up\n");
		if (fd >= 0)
			close(fd);
		return;
	}
	for (way = 0; way < 2; way++) {
		hit = true;
		for (n = 1; n <= MAX_NTH && hit; n++) {
			/* the state the write under test changes */
			if (pwrite(fd, val[!way], 1, 0) != 1) {
				ksft_print_msg("enabled=%s without faults: %s\n",
					       val[!way], strerror(errno));
				bad++;
				break;
			}
			ret = nth_set(n);
			if (!ret && pwrite(fd, val[way], 1, 0) != 1)
				ret = -errno;
			hit = nth_hit();
			points++;
			if (hit && ret && ret != -ENOMEM) {
				ksft_print_msg("enabled=%s, allocation %d failed: %s\n",
					       val[way], n, strerror(-ret));
				bad++;
			}
			failed += hit && ret;
			/*
			 * Disabling may not fail for want of memory to
			 * unhook with: the function is off at once and
			 * unhooked by a retry.
			 */
			if (way == 0 && ret) {
				ksft_print_msg("enabled=0, allocation %d failed: %s\n",
					       n, strerror(-ret));
				bad++;
			} else if (way == 0 && run_checked("fault_off")) {
				bad++;
			}
			if (pwrite(fd, "1", 1, 0) != 1) {
				ksft_print_msg("enabled=1 after a failure: %s\n",
					       strerror(errno));
				bad++;
			}
			if (run_checked("fault_call"))
				bad++;
		}
		if (hit)
			bad++;
	}
	close(fd);
	if (run_checked("fault_disarm"))
		bad++;
	if (krp_write_file(DIRECT, "Y"))
		bad++;
	ksft_test_result(!bad && failed > 0,
			 "krp/enabled writes: %d tried, %d failed with ENOMEM, every call after was returned or missed\n",
			 points, failed);
}

int main(void)
{
	int ret;

	ksft_print_header();
	ksft_set_plan(9);

	if (access("/sys/kernel/debug/failslab", F_OK) ||
	    access("/sys/kernel/debug/fail_page_alloc", F_OK))
		ksft_exit_fail_msg("no failslab or fail_page_alloc in debugfs: a kernel without fault injection\n");
	if (fault_knobs())
		ksft_exit_fail_msg("cannot set the fault attributes\n");
	nth_fd = open(NTH, O_RDWR);
	if (nth_fd < 0)
		ksft_exit_fail_msg("%s: %s\n", NTH, strerror(errno));

	ret = krp_load_module(krp_module_path(), KRP_FAULTS_PARAMS);
	if (ret)
		ksft_exit_fail_msg("load krp.ko: %s\n", strerror(-ret));
	ret = load_test_module();
	if (ret)
		ksft_exit_fail_msg("load krp_test.ko: %s\n", strerror(-ret));

	sweep_scenario("fault_reg", true,
		       "krp's first registration (pools for every task, hooks), krp reloaded each time");
	sweep_scenario("fault_reg", false, "a return probe at an ftrace entry");
	sweep_scenario("fault_int3", false, "a return probe at an int3 entry");
	sweep_scenario("fault_batch", false, "a batch of three return probes");
	sweep_scenario("fault_kprobe", false,
		       "a kprobe single-stepped from an out-of-line slot");
	sweep_fork();
	sweep_enabled();

	ksft_test_result(!run_checked("retval") && !run_checked("batch"),
			 "krp works after all of it (scenarios retval, batch)\n");
	close(run_fd);
	ret = krp_unload_module("krp_test");
	if (!ret)
		ret = krp_unload_module_wait("krp", 5000);
	ksft_test_result(!ret, "krp_test and krp unload at the end: %s\n",
			 strerror(-ret));
	ksft_finished();
}
