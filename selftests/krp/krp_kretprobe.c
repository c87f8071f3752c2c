// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest of krp's return probes in a booted kernel.
 *
 * The client-side scenarios run inside krp_test.ko (a write of their
 * name to /sys/kernel/debug/krp_test/run succeeds only if they pass);
 * this program drives them and checks what a user sees from outside:
 * the debugfs formats, the statistics, module unloading with frames
 * outstanding, and probes whose module goes away.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "lib/krp_test.h"

#define RUN	"/sys/kernel/debug/krp_test/run"
#define LIST	KRP_DEBUGFS "/list"
#define STATS	KRP_DEBUGFS "/stats"
#define ENABLED	KRP_PROCFS "/enabled"
#define CALL	"/sys/kernel/debug/krp_target/call"

static char buf[65536];

static int load_test_module(const char *name, const char *params)
{
	char path[256];
	int ret = krp_test_module_path(path, sizeof(path), name);

	return ret ? ret : krp_load_module(path, params);
}

static int run(const char *scenario)
{
	return krp_write_file(RUN, scenario);
}

/* Wait for a statistic to reach @want; frames come back asynchronously. */
static long stat_wait(const char *name, long want, int ms)
{
	long v;

	while ((v = krp_stat(name)) != want && ms > 0) {
		usleep(10000);
		ms -= 10;
	}
	return v;
}

/*
 * What must come back once no return probe is registered and every
 * frame is back: no frame out, no slot in use, and the pools given back
 * (no task with a pool, no byte of pool in use or in reserve).  The
 * pools go in a worker after the last unregister, and pools that held
 * frames then go when their last frame comes back: wait for them.
 */
struct pool_state {
	long pool_bytes, reserved, pools, slots_used, frames_in_use;
};

static void pool_state(struct pool_state *s)
{
	s->pool_bytes = krp_stat("pool_bytes");
	s->reserved = krp_stat("pool_bytes_reserved");
	s->pools = krp_stat("tasks_with_pool");
	s->slots_used = krp_stat("slots_used");
	s->frames_in_use = krp_stat("frames_in_use");
}

static bool same_state(const struct pool_state *a, const struct pool_state *b)
{
	return a->pool_bytes == b->pool_bytes && a->reserved == b->reserved &&
	       a->pools == b->pools && a->slots_used == b->slots_used &&
	       a->frames_in_use == b->frames_in_use;
}

/* Wait up to @ms for the state to be @base again; frames come back late. */
static bool state_back(const struct pool_state *base, int ms, const char *what)
{
	struct pool_state now;

	for (pool_state(&now); !same_state(&now, base) && ms > 0; ms -= 10) {
		usleep(10000);
		pool_state(&now);
	}
	if (same_state(&now, base))
		return true;
	ksft_print_msg("%s: pool_bytes %ld -> %ld, pool_bytes_reserved %ld -> %ld, tasks_with_pool %ld -> %ld, slots_used %ld -> %ld, frames_in_use %ld -> %ld\n",
		       what, base->pool_bytes, now.pool_bytes, base->reserved,
		       now.reserved, base->pools, now.pools, base->slots_used,
		       now.slots_used, base->frames_in_use, now.frames_in_use);
	return false;
}

/* Nothing registered, no frame out: the pools are all given back. */
static bool pools_gone(struct pool_state *s, const char *what)
{
	struct pool_state none;

	pool_state(&none);
	none.pool_bytes = none.reserved = none.pools = 0;
	if (!state_back(&none, 5000, what))
		return false;
	pool_state(s);
	return true;
}

/* Slab: of /proc/meminfo, in bytes, or -1. */
static long slab_bytes(void)
{
	char *l;

	if (krp_read_file("/proc/meminfo", buf, sizeof(buf)) < 0)
		return -1;
	l = strstr(buf, "\nSlab:");
	return l ? strtol(l + 6, NULL, 10) * 1024 : -1;
}

/*
 * Whether the kernel's Slab counts debugging metadata with every object:
 * SLUB's red zones and allocation tracking (slub_debug, SLUB_DEBUG_ON),
 * or kmemleak's record of each allocation, in a cache of its own.  On
 * the debug kernels these triple what a pool costs in Slab.
 */
static bool slab_debugged(void)
{
	static const char * const flags[] = { "red_zone", "store_user", "poison" };
	char path[128], val[8];
	size_t i;

	if (!access("/sys/kernel/debug/kmemleak", F_OK))
		return true;
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/slab/kmalloc-512/%s",
			 flags[i]);
		if (krp_read_file(path, val, sizeof(val)) >= 0 && val[0] == '1')
			return true;
	}
	return false;
}

/*
 * 2,000 tasks alive while a return probe is registered: the pools that
 * registration makes grow the slab by at most 1,024 bytes a task, as
 * /proc/meminfo and krp's own count say; after the unregister the pools
 * and the reserves are given back.  Where Slab counts debugging
 * metadata too, the bar holds for krp's count, and Slab is held to four
 * times it: still far below a page a task, the cost of a pool that
 * leaked its segments.
 */
static void test_slab(void)
{
	long slab0, slab1, pools, in_use, reserved, tasks, per_slab, per_krp;
	bool ok, debugged = slab_debugged();
	long slab_limit = debugged ? 4 * 1024 : 1024;
	struct pool_state s;
	int ret;

	ret = run("slab_start");
	tasks = krp_report("slab_tasks");
	ok = !ret && pools_gone(&s, "before slab_arm");
	slab0 = slab_bytes();
	ret = ret ?: run("slab_arm");
	slab1 = slab_bytes();
	pools = krp_stat("tasks_with_pool");
	in_use = krp_stat("pool_bytes");
	reserved = krp_stat("pool_bytes_reserved");
	per_slab = pools > 0 ? (slab1 - slab0) / pools : -1;
	per_krp = pools > 0 ? (in_use + reserved) / pools : -1;
	ksft_print_msg("slab: %ld tasks alive, %ld pools; Slab %ld -> %ld (%ld bytes a pool); pool_bytes %ld + pool_bytes_reserved %ld (%ld bytes a pool)\n",
		       tasks, pools, slab0, slab1, per_slab, in_use, reserved,
		       per_krp);
	ksft_test_result(ok && !ret && tasks >= 2000 && pools >= tasks &&
			 slab0 > 0 && per_slab >= 0 && per_slab <= slab_limit &&
			 per_krp > 0 && per_krp <= 1024,
			 "slab: with %ld tasks alive the pools cost %ld bytes a task of slab, at most %ld%s (krp counts %ld, at most 1024)\n",
			 tasks, per_slab, slab_limit,
			 debugged ? " with the kernel's slab debugging" : "",
			 per_krp);
	ret = run("slab_disarm");
	ok = !ret && pools_gone(&s, "after slab_disarm");
	ksft_test_result(ok,
			 "slab: the last unregister gives the pools back (pool_bytes %ld -> %ld, pool_bytes_reserved %ld -> %ld, Slab %ld -> %ld)\n",
			 in_use, s.pool_bytes, reserved, s.reserved, slab1,
			 slab_bytes());
	run("slab_stop");
}

/* The krp/list line of @sym, copied to @line; 0 if there is one. */
static int list_line(const char *sym, char *line, size_t size)
{
	char *l, *save;

	if (krp_read_file(LIST, buf, sizeof(buf)) < 0)
		return -1;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strstr(l, sym)) {
			snprintf(line, size, "%s", l);
			return 0;
		}
	}
	return -1;
}

static long hits_of(const char *sym)
{
	char line[512], *h;

	if (list_line(sym, line, sizeof(line)))
		return -1;
	h = strstr(line, "hits=");
	return h ? strtol(h + 5, NULL, 10) : -1;
}

static void scenario(const char *name)
{
	int ret = run(name);

	if (ret)
		ksft_print_msg("%s: %s\n", name, strerror(-ret));
	krp_int3_result(ret, !ret, "%s\n", name);
}

/*
 * Interrupts nested on tasks inside probed functions: no miss at all.
 * On i386 that holds for krp's shared ops (direct=N); the kprobe hook
 * that the i386 default takes loses, as the kernel's kprobes do, the
 * calls of an interrupt that lands while a kprobe handler runs, and
 * each is counted (missed_kprobe).
 */
static void test_irq_nesting(void)
{
	struct utsname u;
	int ret, counted;
	long before;

	if (!uname(&u) && !strcmp(u.machine, "x86_64")) {
		scenario("irq_nesting");
		return;
	}
	ret = krp_param_set("direct", "N");
	if (!ret)
		ret = run("irq_nesting");
	if (krp_param_set("direct", "Y") && !ret)
		ret = -EIO;
	if (ret)
		ksft_print_msg("irq_nesting on the shared ops: %s\n", strerror(-ret));
	before = krp_stat("missed_kprobe");
	counted = run("irq_nesting_counted");
	if (counted)
		ksft_print_msg("irq_nesting through the kprobe hook: %s\n",
			       strerror(-counted));
	ksft_test_result(!ret && !counted,
			 "irq_nesting: nothing missed on the shared ops (direct=N); through the kprobe hook only kprobe misses, counted (missed_kprobe +%ld)\n",
			 krp_stat("missed_kprobe") - before);
}

/* The stats file: every documented line, each with a number. */
static void test_stats_format(void)
{
	static const char * const keys[] = {
		"hits", "returns", "missed_recursion", "missed_depth",
		"missed_nomem", "missed_declined", "missed_rcu", "missed_kprobe",
		"tasks_with_pool", "pools_deferred", "frames_in_use", "deepest_segments",
		"reclaimed_exit", "reclaimed_stale", "pool_bytes",
		"pool_bytes_reserved",
		"int3_traps", "step_traps", "jump_hits", "slots_used", "direct_stubs",
		"slots_dirty",
	};
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		if (krp_stat(keys[i]) < 0) {
			ksft_print_msg("stats: no line %s\n", keys[i]);
			ok = false;
		}
	}
	ok = ok && krp_matches("^([a-z0-9_]+ -?[0-9]+\n)+$",
			   (krp_read_file(STATS, buf, sizeof(buf)), buf));
	ksft_test_result(ok, "stats format\n");
}

/* Recursion deeper than a pool holds: misses counted as depth misses. */
static void test_depth(void)
{
	long before = krp_stat("missed_depth"), after, nmissed, segs;
	int ret = run("depth");
	long bound = -1;
	char buf[32];

	after = krp_stat("missed_depth");
	nmissed = krp_report("nmissed");
	segs = krp_stat("deepest_segments");
	if (krp_read_file("/sys/module/krp/parameters/pool_segments", buf,
			  sizeof(buf)) > 0)
		bound = strtol(buf, NULL, 10);
	ksft_test_result(!ret && nmissed > 0 && after - before == nmissed &&
			 segs == bound,
			 "depth: recursion past the pool bound misses, counted (%ld, the probe's nmissed %ld), deepest_segments %ld of %ld\n",
			 after - before, nmissed, segs, bound);
}

/* Entry handlers that decline: counted as such in krp/stats, not as hits. */
static void test_declined(void)
{
	long d0 = krp_stat("missed_declined"), h0 = krp_stat("hits"), d1, h1;
	int ret = run("declined");

	d1 = krp_stat("missed_declined");
	h1 = krp_stat("hits");
	ksft_test_result(!ret && krp_report("declined") == 5 && d1 - d0 == 5 &&
			 h1 - h0 == 5,
			 "declined: 5 of 10 entries declined, no return handler for them (%ld declined, %ld hits)\n",
			 d1 - d0, h1 - h0);
}

/* Tasks exiting inside a probed function: their frames come back. */
static void test_exit(void)
{
	long before = krp_stat("reclaimed_exit"), after;
	struct pool_state base;
	bool back;
	int ret;

	/* no probe is registered: the pools of the last one go first */
	back = pools_gone(&base, "before exit");
	ret = run("exit");
	after = stat_wait("reclaimed_exit", before + 128, 5000);
	back = state_back(&base, 5000, "exit") && back;
	if (ret || after != before + 128)
		ksft_print_msg("exit: run %d, reclaimed %ld -> %ld\n", ret,
			       before, after);
	ksft_test_result(!ret && after == before + 128 && back,
			 "exit: 128 tasks exit inside a probed function, frames and pools reclaimed\n");
}

/* Modules that use @name's symbols: each holds a reference to it. */
static int count_holders(const char *name)
{
	char path[128];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/module/%s/holders", name);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

/*
 * A probe on the kernel's pipe_read(), readers asleep in it, their
 * client module unloaded: krp must refuse to unload until they return.
 */
static void test_unload_with_frames(void)
{
	enum { N = 4 };
	int fds[N][2], i, status, bad = 0, ret, asleep = 0, holders;
	long hits, frames;
	pid_t pids[N];

	/* krp_test.ko is loaded */
	ret = run("hold_pipe");
	if (ret) {
		ksft_test_result_fail("rmmod krp refused with frames out: setup %s\n",
				      strerror(-ret));
		return;
	}
	for (i = 0; i < N; i++) {
		if (pipe(fds[i]))
			ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
		pids[i] = fork();
		if (!pids[i]) {
			char c[8];
			ssize_t n;

			close(fds[i][1]);
			n = read(fds[i][0], c, sizeof(c));
			_exit(n == 5 && !memcmp(c, "hello", 5) ? 0 : 1);
		}
		close(fds[i][0]);
	}
	/* wait until all readers are inside pipe_read() */
	for (i = 0; i < 500; i++) {
		char path[64], st[512];
		int k;

		asleep = 0;
		for (k = 0; k < N; k++) {
			snprintf(path, sizeof(path), "/proc/%d/stat", pids[k]);
			if (krp_read_file(path, st, sizeof(st)) > 0 &&
			    strstr(st, ") S "))
				asleep++;
		}
		if (asleep == N)
			break;
		usleep(10000);
	}
	hits = hits_of("pipe_read");

	ret = krp_unload_module("krp_test");
	ksft_test_result(!ret, "client unloads while its probe has frames out\n");
	/*
	 * delete_module() reports a module reference as EWOULDBLOCK, and so
	 * it would for a module that uses krp: there must be none, and the
	 * frames must be out.
	 */
	frames = krp_stat("frames_in_use");
	holders = count_holders("krp");
	if (krp_use_loaded()) {
		ksft_test_result_skip("rmmod krp refused while frames are out: krp.ko was loaded before, not unloading it\n");
	} else {
		ret = krp_unload_module("krp");
		ksft_test_result(ret == -EWOULDBLOCK && krp_module_loaded("krp") &&
				 asleep == N && frames >= N && !holders,
				 "rmmod krp refused (in use) while frames are out: %s (%d readers asleep, %ld frames, %d holders)\n",
				 strerror(-ret), asleep, frames, holders);
	}

	for (i = 0; i < N; i++) {
		if (write(fds[i][1], "hello", 5) != 5)
			bad++;
		close(fds[i][1]);
	}
	for (i = 0; i < N; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	ksft_test_result(!bad && hits >= N,
			 "readers asleep across unregister return correctly (%ld hits)\n",
			 hits);

	frames = stat_wait("frames_in_use", 0, 5000);
	if (krp_use_loaded()) {
		ksft_test_result_skip("rmmod krp allowed once the frames are back: krp.ko was loaded before (%ld frames)\n",
				      frames);
		if (load_test_module("krp_test", ""))
			ksft_exit_fail_msg("reload krp_test.ko\n");
		return;
	}
	ret = krp_unload_module_wait("krp", 5000);
	ksft_test_result(!ret && !frames,
			 "rmmod krp allowed once the frames are back: %s (%ld frames)\n",
			 strerror(-ret), frames);
	ret = krp_load_module(krp_module_path(), "");
	if (!ret)
		ret = load_test_module("krp_test", "");
	if (ret)
		ksft_exit_fail_msg("reload: %s\n", strerror(-ret));
}

/*
 * The regular expression of a krp/list line of a return probe: the
 * address as the kernel's kprobes/list prints it (%px, as wide as a
 * pointer; this program has the kernel's width), then @what, one hit.
 */
static const char *re_line(const char *what)
{
	static char re[256];

	snprintf(re, sizeof(re), "^[0-9a-f]{%zu}  r  %s  hits=1 nmissed=0$",
		 2 * sizeof(void *), what);
	return re;
}

/* The list format, enabled, and a probed module going away. */
static void test_list_and_gone(void)
{
	struct utsname u;
	char line[512];
	long h0, h1, h2;
	int ret;

	ret = load_test_module("krp_target", "");
	if (!ret)
		ret = run("arm_target");
	if (ret) {
		ksft_test_result_fail("list format: setup %s\n", strerror(-ret));
		return;
	}
	ret = krp_write_file(CALL, "x");
	if (!ret)
		ret = list_line("krp_target_fn", line, sizeof(line));
	ksft_print_msg("list: %s\n", ret ? "(none)" : line);
	/*
	 * x86_64 enters by a direct call where the slot is free, i386 by a
	 * kernel kprobe on the ftrace site
	 */
	ksft_test_result(!ret && krp_matches(re_line(uname(&u) || strcmp(u.machine, "x86_64") ?
						     "krp_target_fn\\+0x0  krp_target \\[KPROBE\\]" :
						     "krp_target_fn\\+0x0  krp_target \\[DIRECT\\]"),
					 line),
			 "list line format, hits counted\n");

	/* enabled=0 disarms everything, enabled=1 rearms, per-probe state kept */
	h0 = hits_of("krp_target_fn");
	ret = krp_write_file(ENABLED, "0");
	/* the write succeeds only if krp_target_fn() ran and returned right */
	ret |= krp_write_file(CALL, "x");
	h1 = hits_of("krp_target_fn");
	ret |= krp_write_file(ENABLED, "1");
	ret |= krp_write_file(CALL, "x");
	h2 = hits_of("krp_target_fn");
	ksft_test_result(!ret && h1 == h0 && h2 == h0 + 1,
			 "enabled disarms and rearms (%ld %ld %ld)\n", h0, h1, h2);

	ret = krp_unload_module("krp_target");
	list_line("krp_target_fn", line, sizeof(line));
	ksft_print_msg("list: %s\n", line);
	ksft_test_result(!ret && strstr(line, "[GONE]"),
			 "probed module unloads, its probe is [GONE]\n");
	ret = run("disarm_target");
	ksft_test_result(!ret && list_line("krp_target_fn", line, sizeof(line)),
			 "a gone probe unregisters cleanly\n");

	ret = run("arm_int3");
	if (!ret)
		ret = list_line("krp_test_int3_fn", line, sizeof(line));
	ksft_print_msg("list: %s\n", ret ? "(none)" : line);
	krp_int3_result(ret, !ret && krp_matches(re_line("krp_test_int3_fn\\+0x0  krp_test \\[EMULATED\\]"),
						 line),
			"list line of an int3 entry: [EMULATED]\n");
	run("disarm_int3");
}

int main(void)
{
	struct pool_state base;
	int ret;

	ksft_print_header();
	ksft_set_plan(36);

	ret = krp_load_module(krp_module_path(), "");
	if (ret)
		ksft_exit_fail_msg("load krp.ko: %s\n", strerror(-ret));
	ret = load_test_module("krp_test", "");
	if (ret)
		ksft_exit_fail_msg("load krp_test.ko: %s\n", strerror(-ret));

	scenario("retval");
	/* once the last probe is gone the pools go: the state to come back to */
	ksft_test_result(pools_gone(&base, "after retval"),
			 "no pool, no pool byte in use or reserved after the last unregister\n");
	scenario("retval_set");
	scenario("data");
	scenario("recursion");
	scenario("recursion_fresh");
	scenario("multi");
	scenario("disable");
	scenario("batch");
	scenario("badinput");
	ksft_test_result(krp_read_file(LIST, buf, sizeof(buf)) == 0,
			 "nothing registered after the failures\n");
	test_declined();
	scenario("handler_recursion");
	scenario("unregister");
	scenario("find_ret_addr");
	test_depth();
	test_exit();
	test_slab();
	scenario("sleepers");
	test_irq_nesting();
	scenario("int3");
	scenario("kprobe");
	scenario("stress");
	ksft_test_result(state_back(&base, 5000, "after stress"),
			 "no frame, pool or slot leaked\n");
	test_stats_format();
	test_list_and_gone();
	test_unload_with_frames();

	krp_unload_module("krp_test");
	ret = krp_unload_module_wait("krp", 5000);
	ksft_test_result(!ret, "krp unloads at the end: %s\n", strerror(-ret));
	ksft_finished();
}
