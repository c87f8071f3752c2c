// SPDX-License-Identifier: GPL-2.0
/*
 * Storms: many tasks, every CPU, NMIs, CPU hotplug and the kernel's
 * own probes at krp's probes at once, each scenario bounded by
 * storm_ms or storm_tasks so that a normal run stays short (a debug run
 * passes larger values).  Each checks exact counts: every entry is
 * matched by a return, or by a miss krp counted, or it is a frame that
 * an unregister abandoned, of which there are at most as many as tasks
 * that were inside.  The user-space side (selftests/krp/krp_storm.c)
 * checks that krp/stats comes back to its baseline.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/apic.h>
#include <asm/nmi.h>

#include "krp_test_common.h"

#define TARGET __attribute__((__noipa__))

static unsigned int storm_ms = 2000;
module_param(storm_ms, uint, 0644);
MODULE_PARM_DESC(storm_ms, "how long each timed storm runs, in ms");

static unsigned int storm_tasks = 10000;
module_param(storm_tasks, uint, 0644);
MODULE_PARM_DESC(storm_tasks, "tasks of the exit storm");

/*
 * exit_storm: storm_tasks kernel threads, at most EXIT_BATCH at a time,
 * each exiting inside a probed function: a frame that never returns,
 * reclaimed when the task is freed.
 */
#define EXIT_BATCH	64

/* an indirect call: objtool would want krp_test_noreturn() __noreturn */
static int exit_fn(void *arg)
{
	void (*fn)(struct completion *done) = krp_test_noreturn;

	OPTIMIZER_HIDE_VAR(fn);
	fn(arg);
	return 0;
}

static int exit_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&n_entry);
	return 0;
}

int scenario_exit_storm(void)
{
	struct completion *done;
	struct task_struct *t;
	unsigned int i, n, started = 0;
	int ret = 0, err;

	counters_reset();
	done = kcalloc(EXIT_BATCH, sizeof(*done), GFP_KERNEL);
	if (!done)
		return -ENOMEM;
	rp_init(&rp_a, "krp_test_noreturn", exit_entry, count_ret, 0);
	err = krp_register_kretprobe(&rp_a);
	if (err) {
		kfree(done);
		return err;
	}
	while (started < storm_tasks) {
		n = min_t(unsigned int, EXIT_BATCH, storm_tasks - started);
		for (i = 0; i < n; i++) {
			init_completion(&done[i]);
			t = kthread_run(exit_fn, &done[i], "krp_exit");
			if (IS_ERR(t))
				break;
		}
		n = i;
		for (i = 0; i < n; i++)
			wait_for_completion(&done[i]);
		started += n;
		if (!n)
			break;
	}
	CHECK(started == storm_tasks, "%u of %u tasks started", started,
	      storm_tasks);
	CHECK(atomic_read(&n_entry) == started, "%d entries for %u tasks",
	      atomic_read(&n_entry), started);
	CHECK(atomic_read(&n_ret) == 0, "%d returns", atomic_read(&n_ret));
	CHECK(krp_kretprobe_nmissed(&rp_a) == 0, "%d missed", rp_a.nmissed);
	krp_unregister_kretprobe(&rp_a);
	krp_test_report("tasks", started);
	kfree(done);
	return ret;
}

/*
 * churn: on every CPU a kernel thread registers and unregisters a probe
 * of its own on krp_test_target, while a caller on every CPU calls it.
 * A handler never runs once its unregister returned; each probe's
 * entries are its returns plus at most one abandoned frame per caller
 * each cycle.
 */
struct churn_probe {
	struct krp_kretprobe rp;
	atomic_t entries, returns, late, bad;
	bool live;
	unsigned int cycles;
};

static struct churn_probe churn[WORKERS_MAX];
static unsigned long churn_deadline;
static unsigned int churn_callers;

static int churn_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	struct churn_probe *cp = container_of(krp_get_kretprobe(ri),
					      struct churn_probe, rp);

	*(long *)ri->data = regs_get_kernel_argument(regs, 0);
	if (!READ_ONCE(cp->live))
		atomic_inc(&cp->late);
	atomic_inc(&cp->entries);
	return 0;
}

static int churn_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	struct churn_probe *cp = container_of(krp_get_kretprobe(ri),
					      struct churn_probe, rp);

	if (regs_return_value(regs) != *(long *)ri->data * 3 + 1)
		atomic_inc(&cp->bad);
	if (!READ_ONCE(cp->live))
		atomic_inc(&cp->late);
	atomic_inc(&cp->returns);
	return 0;
}

static int churn_caller_fn(void *arg)
{
	int i = 0;

	while (!READ_ONCE(stress_stop)) {
		if (krp_test_target(i) != i * 3 + 1)
			atomic_inc(&stress_bad);
		if (!(++i & 31))
			cond_resched();
	}
	return 0;
}

static int churn_fn(void *arg)
{
	struct churn_probe *cp = arg;
	int err;

	while (time_before(jiffies, churn_deadline)) {
		memset(&cp->rp, 0, sizeof(cp->rp));
		cp->rp.kp.symbol_name = "krp_test_target";
		cp->rp.entry_handler = churn_entry;
		cp->rp.handler = churn_ret;
		cp->rp.data_size = sizeof(long);
		WRITE_ONCE(cp->live, true);
		err = krp_register_kretprobe(&cp->rp);
		if (err) {
			atomic_inc(&cp->bad);
			pr_err("churn: register: %d\n", err);
			break;
		}
		krp_test_target(cp->cycles);
		usleep_range(100, 300);
		krp_unregister_kretprobe(&cp->rp);
		WRITE_ONCE(cp->live, false);
		cp->cycles++;
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

int scenario_churn(void)
{
	struct task_struct *callers[WORKERS_MAX], *churners[WORKERS_MAX], *t;
	unsigned int cpu, nc = 0, i, cycles = 0;
	int ret = 0;

	atomic_set(&stress_bad, 0);
	WRITE_ONCE(stress_stop, false);
	memset(churn, 0, sizeof(churn));
	churn_deadline = jiffies + msecs_to_jiffies(storm_ms);
	churn_callers = workers_start(churn_caller_fn, "krp_churn_call",
				      callers);
	for_each_online_cpu(cpu) {
		if (nc == WORKERS_MAX)
			break;
		t = kthread_create(churn_fn, &churn[nc], "krp_churn/%u", cpu);
		if (IS_ERR(t))
			break;
		kthread_bind(t, cpu);
		get_task_struct(t);
		wake_up_process(t);
		churners[nc++] = t;
	}
	msleep(storm_ms);
	for (i = 0; i < nc; i++) {
		kthread_stop(churners[i]);
		put_task_struct(churners[i]);
	}
	WRITE_ONCE(stress_stop, true);
	workers_stop(callers, churn_callers);
	for (i = 0; i < nc; i++) {
		struct churn_probe *cp = &churn[i];

		CHECK(!atomic_read(&cp->bad), "CPU %u: %d bad", i,
		      atomic_read(&cp->bad));
		CHECK(!atomic_read(&cp->late), "CPU %u: %d handlers after unregister",
		      i, atomic_read(&cp->late));
		/* each unregister abandons at most one frame per caller */
		CHECK(atomic_read(&cp->returns) <= atomic_read(&cp->entries) &&
		      atomic_read(&cp->entries) - atomic_read(&cp->returns) <=
		      churn_callers * cp->cycles,
		      "CPU %u: %d returns, %d entries in %u cycles", i,
		      atomic_read(&cp->returns), atomic_read(&cp->entries),
		      cp->cycles);
		CHECK(cp->cycles > 0, "CPU %u: no cycle", i);
		CHECK(atomic_read(&cp->returns) >= cp->cycles,
		      "CPU %u: %d returns in %u cycles", i,
		      atomic_read(&cp->returns), cp->cycles);
		cycles += cp->cycles;
	}
	CHECK(nc == min(num_online_cpus(), WORKERS_MAX), "%u churners", nc);
	CHECK(!atomic_read(&stress_bad), "%d wrong results",
	      atomic_read(&stress_bad));
	krp_test_report("cycles", cycles);
	pr_info("churn: %u register/unregister cycles on %u CPUs\n", cycles,
		nc);
	return ret;
}

/*
 * nmi: NMIs sent to every CPU, each running a probed function from the
 * NMI handler (an ftrace entry and an int3 one), on top of whatever the
 * CPU was doing, krp's own handlers included: each call is a return, or
 * a miss krp counted.
 */
static DEFINE_PER_CPU(int, nmi_pending);
static atomic_t nmi_calls, nmi_seen;
static bool nmi_int3;

static int storm_nmi_handler(unsigned int type, struct pt_regs *regs)
{
	if (!this_cpu_read(nmi_pending))
		return NMI_DONE;
	this_cpu_write(nmi_pending, 0);
	atomic_inc(&nmi_seen);
	atomic_inc(&nmi_calls);
	if (krp_test_target(5) != 16)
		atomic_inc(&n_bad);
	if (nmi_int3) {
		atomic_inc(&nmi_calls);
		if (krp_test_notrace(5) != 6)
			atomic_inc(&n_bad);
	}
	return NMI_HANDLED;
}

static int storm_count_entry(struct krp_kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	atomic_inc(&n_entry);
	return 0;
}

int scenario_nmi(void)
{
	struct task_struct *workers[WORKERS_MAX];
	unsigned long deadline;
	unsigned int cpu, nw, sent = 0;
	int ret = 0, err, missed, i;

	counters_reset();
	atomic_set(&nmi_calls, 0);
	atomic_set(&nmi_seen, 0);
	atomic_set(&stress_bad, 0);
	rp_init(&rp_a, "krp_test_target", storm_count_entry, count_ret, 0);
	rp_init(&rp_b, "krp_test_notrace", storm_count_entry, count_ret, 0);
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	err = krp_register_kretprobe(&rp_b);
	nmi_int3 = !err;
	if (err && err != -EOPNOTSUPP) {
		krp_unregister_kretprobe(&rp_a);
		return err;
	}
	err = register_nmi_handler(NMI_LOCAL, storm_nmi_handler, 0, "krp_storm");
	if (err)
		goto out;
	/* tasks inside the probed functions, for the NMIs to land on */
	WRITE_ONCE(stress_stop, false);
	nw = workers_start(churn_caller_fn, "krp_nmi_call", workers);
	deadline = jiffies + msecs_to_jiffies(storm_ms);
	while (time_before(jiffies, deadline)) {
		for_each_online_cpu(cpu) {
			/* one in flight per CPU: a pending one is not resent */
			if (per_cpu(nmi_pending, cpu))
				continue;
			per_cpu(nmi_pending, cpu) = 1;
			apic->send_IPI_mask(cpumask_of(cpu), NMI_VECTOR);
			sent++;
		}
		usleep_range(200, 400);
	}
	/* the last ones land */
	for (i = 0; i < 50 && atomic_read(&nmi_seen) < sent; i++)
		msleep(20);
	WRITE_ONCE(stress_stop, true);
	workers_stop(workers, nw);
	unregister_nmi_handler(NMI_LOCAL, "krp_storm");
	CHECK(atomic_read(&nmi_seen) == sent, "%d of %u NMIs handled",
	      atomic_read(&nmi_seen), sent);
out:
	missed = krp_kretprobe_nmissed(&rp_a);
	if (nmi_int3)
		missed += krp_kretprobe_nmissed(&rp_b);
	krp_unregister_kretprobe(&rp_a);
	if (nmi_int3)
		krp_unregister_kretprobe(&rp_b);
	if (err)
		return err;
	/* the callers stopped first: no frame was out at unregister */
	CHECK(atomic_read(&n_entry) == atomic_read(&n_ret),
	      "%d entries, %d returns", atomic_read(&n_entry),
	      atomic_read(&n_ret));
	CHECK(!atomic_read(&n_bad) && !atomic_read(&stress_bad),
	      "%d wrong results in NMIs, %d in tasks", atomic_read(&n_bad),
	      atomic_read(&stress_bad));
	CHECK(sent > 0, "no NMI sent");
	krp_test_report("nmis", sent);
	krp_test_report("nmi_missed", missed);
	pr_info("nmi: %u NMIs, %d calls in them, %d returns, %d missed\n",
		sent, atomic_read(&nmi_calls), atomic_read(&n_ret), missed);
	return ret;
}

/*
 * btrace_arm/btrace_disarm: the user side asks for NMI backtraces of
 * every CPU (sysrq l) in between.  Each CPU prints its stack from the
 * NMI, through _printk(), which has a return probe, while tasks loop
 * through krp_test_target(), which has one too: the NMI lands on frames
 * krp redirected, and the kernel's unwinder walks across them.  Every
 * call of either returns, and some of _printk()'s come from NMIs.
 */
static struct task_struct *bt_workers[WORKERS_MAX];
static unsigned int bt_nw;
static atomic_t bt_entries, bt_returns, bt_nmi;

static int bt_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&bt_entries);
	if (in_nmi())
		atomic_inc(&bt_nmi);
	return 0;
}

static int bt_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&bt_returns);
	return 0;
}

int scenario_btrace_arm(void)
{
	int err;

	if (bt_nw)
		return -EBUSY;
	counters_reset();
	atomic_set(&bt_entries, 0);
	atomic_set(&bt_returns, 0);
	atomic_set(&bt_nmi, 0);
	atomic_set(&stress_bad, 0);
	rp_init(&rp_a, "krp_test_target", storm_count_entry, count_ret, 0);
	rp_init(&rp_b, "_printk", bt_entry, bt_ret, 0);
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	err = krp_register_kretprobe(&rp_b);
	if (err) {
		krp_unregister_kretprobe(&rp_a);
		return err;
	}
	WRITE_ONCE(stress_stop, false);
	bt_nw = workers_start(churn_caller_fn, "krp_bt_call", bt_workers);
	return 0;
}

int scenario_btrace_disarm(void)
{
	int ret = 0, missed;

	if (!bt_nw)
		return -ENOENT;
	WRITE_ONCE(stress_stop, true);
	workers_stop(bt_workers, bt_nw);
	bt_nw = 0;
	missed = krp_kretprobe_nmissed(&rp_b);
	/* no printk is left inside: the callers here are done */
	krp_unregister_kretprobe(&rp_b);
	krp_unregister_kretprobe(&rp_a);
	CHECK(atomic_read(&n_entry) == atomic_read(&n_ret),
	      "krp_test_target: %d entries, %d returns", atomic_read(&n_entry),
	      atomic_read(&n_ret));
	CHECK(!atomic_read(&stress_bad), "%d wrong results",
	      atomic_read(&stress_bad));
	CHECK(atomic_read(&bt_returns) <= atomic_read(&bt_entries),
	      "_printk: %d returns for %d entries", atomic_read(&bt_returns),
	      atomic_read(&bt_entries));
	krp_test_report("nmi_printk", atomic_read(&bt_nmi));
	krp_test_report("printk_entries", atomic_read(&bt_entries));
	krp_test_report("printk_returns", atomic_read(&bt_returns));
	krp_test_report("printk_missed", missed);
	pr_info("btrace: _printk %d entries (%d in NMIs), %d returns, %d missed; krp_test_target %d calls\n",
		atomic_read(&bt_entries), atomic_read(&bt_nmi),
		atomic_read(&bt_returns), missed, atomic_read(&n_ret));
	return ret;
}

static void krp_test_btrace_exit(void)
{
	if (bt_nw)
		scenario_btrace_disarm();
}

/*
 * mixed: three krp probes, the kernel's kretprobe and the kernel's
 * kprobe on one function, hit from every CPU: every one of them sees
 * every call.
 */
static atomic_t k_ret, k_pre, k_entry;

static int k_entry_fn(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&k_entry);
	return 0;
}

static int k_ret_fn(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (regs_return_value(regs) != 16)
		atomic_inc(&n_bad);
	atomic_inc(&k_ret);
	return 0;
}

static int k_pre_fn(struct kprobe *p, struct pt_regs *regs)
{
	atomic_inc(&k_pre);
	return 0;
}

static atomic_t mixed_calls;

static int mixed_fn(void *arg)
{
	while (!READ_ONCE(stress_stop)) {
		atomic_inc(&mixed_calls);
		if (krp_test_target(5) != 16)
			atomic_inc(&stress_bad);
		cond_resched();
	}
	return 0;
}

int scenario_mixed(void)
{
	struct krp_kretprobe *rps[] = { &rp_a, &rp_b, &rp_c };
	struct task_struct *workers[WORKERS_MAX];
	struct kretprobe krp_kernel = {
		.kp.symbol_name = "krp_test_target",
		.entry_handler = k_entry_fn,
		.handler = k_ret_fn,
		.maxactive = 4 * WORKERS_MAX,
	};
	struct kprobe kp_kernel = {
		.symbol_name = "krp_test_target",
		.pre_handler = k_pre_fn,
	};
	unsigned int nw;
	int ret = 0, err, calls;

	counters_reset();
	atomic_set(&k_ret, 0);
	atomic_set(&k_pre, 0);
	atomic_set(&k_entry, 0);
	atomic_set(&mixed_calls, 0);
	atomic_set(&stress_bad, 0);
	rp_init(&rp_a, "krp_test_target", storm_count_entry, count_ret, 0);
	rp_init(&rp_b, "krp_test_target", storm_count_entry, count_ret, 0);
	rp_init(&rp_c, "krp_test_target", storm_count_entry, count_ret, 0);
	err = register_kretprobe(&krp_kernel);
	if (err)
		return err;
	err = register_kprobe(&kp_kernel);
	if (err)
		goto out_kret;
	err = krp_register_kretprobes(rps, 3);
	if (err)
		goto out_kp;
	WRITE_ONCE(stress_stop, false);
	nw = workers_start(mixed_fn, "krp_mixed", workers);
	msleep(storm_ms);
	WRITE_ONCE(stress_stop, true);
	workers_stop(workers, nw);
	calls = atomic_read(&mixed_calls);
	CHECK(calls > 0, "no calls");
	CHECK(!atomic_read(&stress_bad) && !atomic_read(&n_bad),
	      "%d wrong results, %d in the kernel's handler",
	      atomic_read(&stress_bad), atomic_read(&n_bad));
	/* each of the three krp probes: an entry and a return per call */
	CHECK(atomic_read(&n_entry) == 3 * calls && atomic_read(&n_ret) == 3 * calls,
	      "%d calls: krp %d entries %d returns", calls,
	      atomic_read(&n_entry), atomic_read(&n_ret));
	CHECK(krp_kretprobe_nmissed(&rp_a) + krp_kretprobe_nmissed(&rp_b) +
	      krp_kretprobe_nmissed(&rp_c) == 0, "krp missed");
	CHECK(atomic_read(&k_pre) == calls, "%d calls: kernel kprobe %d",
	      calls, atomic_read(&k_pre));
	CHECK(atomic_read(&k_entry) + krp_kernel.nmissed == calls &&
	      atomic_read(&k_ret) == atomic_read(&k_entry),
	      "%d calls: kernel kretprobe %d entries %d returns %d missed",
	      calls, atomic_read(&k_entry), atomic_read(&k_ret),
	      krp_kernel.nmissed);
	krp_test_report("calls", calls);
	krp_unregister_kretprobes(rps, 3);
out_kp:
	unregister_kprobe(&kp_kernel);
out_kret:
	unregister_kretprobe(&krp_kernel);
	return err ? err : ret;
}

/*
 * idle_arm/idle_disarm: return probes on what the idle path runs, while
 * the user-space side takes a CPU offline and back: the idle loop's
 * tick functions, and the calls an offlined CPU's idle task makes on
 * its way out, the last of which never returns.
 */
static const char * const idle_syms[] = {
	"arch_cpu_idle_enter", "arch_cpu_idle_exit",
	"cpuhp_report_idle_dead", "arch_cpu_idle_dead",
};
#define IDLE_NR	ARRAY_SIZE(idle_syms)

struct idle_probe {
	struct krp_kretprobe rp;
	atomic_t entries, returns;
	bool on;
};
static struct idle_probe idle_probes[IDLE_NR];

static int idle_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	struct idle_probe *ip = container_of(krp_get_kretprobe(ri),
					     struct idle_probe, rp);

	atomic_inc(&ip->entries);
	return 0;
}

static int idle_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	struct idle_probe *ip = container_of(krp_get_kretprobe(ri),
					     struct idle_probe, rp);

	atomic_inc(&ip->returns);
	return 0;
}

static void idle_unregister(void)
{
	int i;

	for (i = 0; i < IDLE_NR; i++) {
		if (!idle_probes[i].on)
			continue;
		krp_unregister_kretprobe(&idle_probes[i].rp);
		idle_probes[i].on = false;
	}
}

int scenario_idle_arm(void)
{
	int i, err;

	idle_unregister();
	for (i = 0; i < IDLE_NR; i++) {
		struct idle_probe *ip = &idle_probes[i];

		rp_init(&ip->rp, idle_syms[i], idle_entry, idle_ret, 0);
		atomic_set(&ip->entries, 0);
		atomic_set(&ip->returns, 0);
		err = krp_register_kretprobe(&ip->rp);
		/* the idle loop's own two are in every kernel krp runs on */
		if (err && i < 2) {
			idle_unregister();
			return err;
		}
		ip->on = !err;
	}
	return 0;
}

/* Reports, per probe, entries and returns; the user side checks them. */
int scenario_idle_disarm(void)
{
	static const char * const keys[IDLE_NR][2] = {
		{ "enter_entries", "enter_returns" },
		{ "exit_entries", "exit_returns" },
		{ "report_entries", "report_returns" },
		{ "dead_entries", "dead_returns" },
	};
	int i, missed[IDLE_NR] = { 0 }, ret = 0;

	for (i = 0; i < IDLE_NR; i++)
		if (idle_probes[i].on)
			missed[i] = krp_kretprobe_nmissed(&idle_probes[i].rp);
	idle_unregister();
	for (i = 0; i < IDLE_NR; i++) {
		struct idle_probe *ip = &idle_probes[i];
		int e = atomic_read(&ip->entries), r = atomic_read(&ip->returns);

		krp_test_report(keys[i][0], e);
		krp_test_report(keys[i][1], r);
		/* the idle tasks inside at the unregister: one per CPU */
		if (i < 3)
			CHECK(r <= e && e - r <= num_possible_cpus(),
			      "%s: %d entries %d returns", idle_syms[i], e, r);
		CHECK(!missed[i], "%s: %d missed", idle_syms[i], missed[i]);
	}
	CHECK(atomic_read(&idle_probes[0].entries) > 0, "the idle loop never ran");
	return ret;
}

/*
 * rmmod_arm/rmmod_disarm: a probe on the kernel's hrtimer_nanosleep(),
 * where the user-space side has tasks asleep; rmmod_disarm unregisters
 * it with their frames out, so that krp.ko stays loaded until the last
 * of them returns, which the user side races with rmmod krp.
 */
static struct krp_kretprobe rp_sleep;

int scenario_rmmod_arm(void)
{
	counters_reset();
	rp_init(&rp_sleep, "hrtimer_nanosleep", storm_count_entry, count_ret,
		0);
	return krp_register_kretprobe(&rp_sleep);
}

int scenario_rmmod_disarm(void)
{
	int ret = 0;

	CHECK(atomic_read(&n_entry) > 0, "no task asleep in the probe");
	krp_test_report("asleep", atomic_read(&n_entry) - atomic_read(&n_ret));
	krp_unregister_kretprobe(&rp_sleep);
	return ret;
}

void krp_test_storm_exit(void)
{
	krp_test_btrace_exit();
	idle_unregister();
}
