// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest of the storms (krp_test_storm.c): many tasks, every CPU,
 * NMIs, CPU hotplug, the kernel's own probes on krp's functions, and an
 * unload of krp.ko racing the last returns.  The scenarios check exact
 * counts; this program does what only user space can (CPU hotplug,
 * forks, module unloads) and checks that krp/stats comes back to its
 * baseline after each.
 *
 * How long the storms run is krp_test.ko's storm_ms and storm_tasks:
 * $KRP_STORM_PARAMS (default "storm_ms=2000 storm_tasks=10000") is
 * passed when it is loaded; a debug run passes more.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "lib/krp_test.h"

#define RUN		"/sys/kernel/debug/krp_test/run"
#define CPU1		"/sys/devices/system/cpu/cpu1/online"

static int run(const char *scenario)
{
	int ret = krp_write_file(RUN, scenario);

	if (ret)
		ksft_print_msg("%s: %s\n", scenario, strerror(-ret));
	return ret;
}

/* Frames come back asynchronously (tasks are freed after RCU). */
static long stat_wait(const char *name, long want)
{
	long v;
	int ms = 5000;

	while ((v = krp_stat(name)) != want && ms > 0) {
		usleep(10000);
		ms -= 10;
	}
	return v;
}

/* krp/stats after a storm: no frame left out, no task without a pool. */
static void check_baseline(const char *what, int ret, long f0, long nomem0)
{
	long f = stat_wait("frames_in_use", f0);
	long nomem = krp_stat("missed_nomem");

	ksft_test_result(!ret && f == f0 && nomem == nomem0,
			 "%s; frames back to baseline (%ld, want %ld), no pool missing (%ld)\n",
			 what, f, f0, nomem - nomem0);
}

/*
 * The reaper's hazard: a kernel thread that is only ever preempted, in
 * a function whose probe is unregistered, holds up RCU-tasks, for which
 * the reaper's unregister of the ftrace ops waits.  Registrations of
 * int3 probes must go on meanwhile, and an ftrace one after it.
 */
static void test_spin(void)
{
	long retiring = -1, after = -1;
	int ret, i;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		ksft_test_result_skip("registrations beside a spinning task: one CPU\n");
		return;
	}
	/*
	 * The shared ops' hazard: on x86_64 the ftrace site would take a
	 * direct call (let go at the same time, but not what
	 * ftrace_retiring shows).
	 */
	ret = krp_param_set("direct", "N");
	if (!ret)
		ret = run("spin_arm");
	/* the reaper runs a second after the last site went */
	for (i = 0; !ret && i < 500; i++) {
		retiring = krp_stat("ftrace_retiring");
		if (retiring == 1)
			break;
		usleep(10000);
	}
	if (!ret) {
		ret = run("spin_churn");
		after = stat_wait("ftrace_retiring", 0);
	}
	if (krp_param_set("direct", "Y") && !ret)
		ret = -EIO;
	if (ret == -EOPNOTSUPP) {
		ksft_test_result_skip("registrations beside a spinning task: no int3 sites here\n");
		return;
	}
	ksft_test_result(!ret && retiring == 1 && after == 0,
			 "registrations go on while a spinning task holds up the ftrace ops' unregister (retiring seen %ld, then %ld)\n",
			 retiring, after);
}

static void test_exit_storm(void)
{
	long f0 = krp_stat("frames_in_use"), x0 = krp_stat("reclaimed_exit");
	long nomem0 = krp_stat("missed_nomem"), n = -1, x = -1;
	int ret = run("exit_storm");

	if (!ret) {
		n = krp_report("tasks");
		x = stat_wait("reclaimed_exit", x0 + n);
	}
	ksft_print_msg("exit storm: %ld tasks, %ld frames reclaimed at exit\n",
		       n, x - x0);
	check_baseline("tasks exiting with frames out: each frame reclaimed at exit",
		       ret || x != x0 + n, f0, nomem0);
}

static void test_plain(const char *scenario, const char *what)
{
	long f0 = krp_stat("frames_in_use"), nomem0 = krp_stat("missed_nomem");

	check_baseline(what, run(scenario), f0, nomem0);
}

static int cpu1_set(const char *on)
{
	int ret = krp_write_file(CPU1, on);

	if (ret)
		ksft_print_msg("cpu1 online=%s: %s\n", on, strerror(-ret));
	return ret;
}

#define IDLE_CYCLES	5

static void test_idle(void)
{
	long f0 = krp_stat("frames_in_use"), nomem0 = krp_stat("missed_nomem");
	long dead_e = -1, dead_r = -1;
	int ret, i;

	if (access(CPU1, W_OK)) {
		ksft_test_result_skip("CPU offline/online with the idle path probed: no cpu1 to offline\n");
		return;
	}
	ret = run("idle_arm");
	for (i = 0; i < IDLE_CYCLES && !ret; i++) {
		ret = cpu1_set("0");
		if (!ret)
			ret = cpu1_set("1");
	}
	if (!ret)
		ret = run("idle_disarm");
	if (!ret) {
		dead_e = krp_report("dead_entries");
		dead_r = krp_report("dead_returns");
	}
	ksft_print_msg("idle: tick enter %ld/%ld, exit %ld/%ld, report_idle_dead %ld/%ld, arch_cpu_idle_dead %ld/%ld (entries/returns)\n",
		       krp_report("enter_entries"), krp_report("enter_returns"),
		       krp_report("exit_entries"), krp_report("exit_returns"),
		       krp_report("report_entries"), krp_report("report_returns"),
		       dead_e, dead_r);
	/* arch_cpu_idle_dead() is entered once per offlining, never left */
	check_baseline("CPU offline/online cycles with the idle path probed",
		       ret || !(dead_e == IDLE_CYCLES && dead_r == 0),
		       f0, nomem0);
}

/*
 * NMI backtraces of every CPU (sysrq l) while return probes are on
 * _printk(), which prints them, and on a function tasks loop through:
 * hits in NMIs return, the unwinder walks across krp's trampoline
 * without a warning (the judge), and the stacks it prints are the
 * only Call Trace lines the group declares (backtrace:).
 */
#define BACKTRACES	10

static void test_backtrace(void)
{
	long f0 = krp_stat("frames_in_use"), nomem0 = krp_stat("missed_nomem");
	long nmi = -1, entries = -1, returns = -1;
	int ret, i, trig = 0;

	ret = run("btrace_arm");
	for (i = 0; !ret && i < BACKTRACES; i++) {
		trig += !krp_write_file("/proc/sysrq-trigger", "l");
		usleep(100000);
	}
	if (!ret)
		ret = run("btrace_disarm");
	if (!ret) {
		nmi = krp_report("nmi_printk");
		entries = krp_report("printk_entries");
		returns = krp_report("printk_returns");
	}
	ksft_print_msg("backtraces: %d asked, _printk %ld entries, %ld of them in NMIs, %ld returns\n",
		       trig, entries, nmi, returns);
	/* a single CPU prints its own backtrace, not from an NMI */
	check_baseline("NMI backtraces of every CPU with _printk and a looping function probed: hits in NMIs return",
		       ret || trig != BACKTRACES ||
		       (sysconf(_SC_NPROCESSORS_ONLN) > 1 && nmi <= 0),
		       f0, nomem0);
}

/*
 * rmmod krp racing the last returns: tasks asleep in a probed kernel
 * function when its probe is unregistered keep krp.ko loaded; it
 * unloads as soon as the last of them returned, not before.  The
 * sleepers sleep until a signal wakes them, sent once rmmod has been
 * refused a few times: on a loaded host no timed sleep is sure to
 * outlast the unregister and the test module's unload.
 */
#define SLEEPERS	8
#define BUSY_BEFORE_WAKE 3

static void on_wake(int sig)
{
}

static void test_rmmod_race(void)
{
	struct sigaction sa = { .sa_handler = on_wake }, old;
	int ret, i, st, busy = 0, tries = 0, bad = 0, nforked = 0;
	pid_t pids[SLEEPERS];
	long asleep = -1;

	/* no SA_RESTART: the signal ends the sleep, inherited by the children */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &old);
	ret = run("rmmod_arm");
	for (i = 0; i < SLEEPERS && !ret; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct timespec ts = { 60, 0 };

			_exit(nanosleep(&ts, NULL) && errno == EINTR ? 0 : 1);
		}
		if (pids[i] < 0) {
			ret = -errno;
			break;
		}
		nforked++;
	}
	if (!ret) {
		usleep(200000);
		ret = run("rmmod_disarm");
		asleep = krp_report("asleep");
	}
	if (!ret)
		ret = krp_unload_module("krp_test");
	/* one try at a time: krp_unload_module() would wait on its own */
	while (!ret && tries++ < 500) {
		if (!syscall(SYS_delete_module, "krp", O_NONBLOCK))
			break;
		if (errno != EAGAIN && errno != EBUSY) {
			ret = -errno;
			break;
		}
		if (++busy == BUSY_BEFORE_WAKE) {
			for (i = 0; i < nforked; i++)
				kill(pids[i], SIGUSR1);
		}
		usleep(10000);
	}
	/* again until each is gone: one forked late slept after the first */
	for (i = 0; i < nforked; i++) {
		pid_t w = 0;
		int n;

		for (n = 0; n < 1000 && !w; n++) {
			kill(pids[i], SIGUSR1);
			w = waitpid(pids[i], &st, WNOHANG);
			if (!w)
				usleep(10000);
		}
		if (w != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	sigaction(SIGUSR1, &old, NULL);
	/* a sleeper a loaded guest forked late may not be inside yet */
	ksft_test_result(!ret && asleep > 0 && asleep <= SLEEPERS &&
			 busy >= BUSY_BEFORE_WAKE && !krp_module_loaded("krp") &&
			 !bad,
			 "rmmod krp waits for the last return of %ld sleepers (%d busy tries, woken after %d), then unloads; %d sleepers failed\n",
			 asleep, busy, BUSY_BEFORE_WAKE, bad);
}

int main(void)
{
	const char *params = getenv("KRP_STORM_PARAMS");
	char path[256];
	cpu_set_t cpu0;
	int ret;

	ksft_print_header();
	ksft_set_plan(10);
	/* CPU 0 stays free of the spinner, which takes the last CPU */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	sched_setaffinity(0, sizeof(cpu0), &cpu0);

	/* the spin test waits for the ops to retire: a second, not ten */
	ret = krp_load_module(krp_module_path(), "ops_idle_ms=1000");
	if (ret)
		ksft_exit_fail_msg("load krp.ko: %s\n", strerror(-ret));
	ret = krp_test_module_path(path, sizeof(path), "krp_test");
	if (!ret)
		ret = krp_load_module(path, params ? params :
				      "storm_ms=2000 storm_tasks=10000");
	if (ret)
		ksft_exit_fail_msg("load krp_test.ko: %s\n", strerror(-ret));

	test_spin();
	test_exit_storm();
	test_plain("churn", "register/unregister churn on every CPU: no handler after its unregister, every entry returned or abandoned by an unregister");
	test_plain("nmi", "probes hit from NMIs on every CPU: every entry returned or missed, counted");
	test_plain("mixed", "three krp probes, a kernel kretprobe and a kernel kprobe on one function: each sees every call");
	test_idle();
	test_backtrace();
	test_rmmod_race();

	ret = krp_load_module(krp_module_path(), "");
	ksft_test_result(!ret, "krp loads again: %s\n", strerror(-ret));
	ret = krp_unload_module_wait("krp", 5000);
	ksft_test_result(!ret, "krp unloads at the end: %s\n", strerror(-ret));
	ksft_finished();
}
