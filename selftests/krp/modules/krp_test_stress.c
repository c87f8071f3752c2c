// SPDX-License-Identifier: GPL-2.0
/*
 * Every CPU in the probes at once: interrupts that nest on tasks with
 * frames out, and register/unregister cycles under load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <linux/timer.h>

#include "krp_test_common.h"

static unsigned int cycles = 300;
module_param(cycles, uint, 0644);
MODULE_PARM_DESC(cycles, "register/unregister cycles of the stress scenario");

/*
 * The workers sleep now and then, but the one on the first CPU never
 * does: it is only ever preempted (spin_yield()), which holds RCU-tasks
 * up, and krp must not make registrations wait for that.
 */
static void stress_pause(int i)
{
	if (raw_smp_processor_id() == cpumask_first(cpu_online_mask))
		spin_yield();
	else if (!(i & 63))
		usleep_range(10, 20);
}

/* What the workers run in both scenarios: every CPU calls the targets. */
static int stress_fn(void *arg)
{
	int i = 0;

	while (!READ_ONCE(stress_stop)) {
		if (krp_test_target(i) != i * 3 + 1)
			atomic_inc(&stress_bad);
		if (krp_test_recurse(3) != 3)
			atomic_inc(&stress_bad);
		i++;
		stress_pause(i);
	}
	return 0;
}

/*
 * irq_nesting: the probed function is called from hard and soft
 * interrupts on top of tasks that are themselves inside it, so frames
 * are pushed and popped by nested contexts on one task's pool.
 */

static atomic_t irq_calls, irq_bad;
static bool irq_stop;
static struct hrtimer irq_timer;
static struct timer_list soft_timer;

static enum hrtimer_restart irq_timer_fn(struct hrtimer *t)
{
	int x = atomic_inc_return(&irq_calls);

	if (krp_test_target(x) != x * 3 + 1 || krp_test_recurse(4) != 4)
		atomic_inc(&irq_bad);
	if (READ_ONCE(irq_stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(50 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void soft_timer_fn(struct timer_list *t)
{
	int x = atomic_inc_return(&irq_calls);

	if (krp_test_target(x) != x * 3 + 1)
		atomic_inc(&irq_bad);
	if (!READ_ONCE(irq_stop))
		mod_timer(t, jiffies + 1);
}

/*
 * Whether a CPU's task has frames out: an entry from an interrupt on top
 * of that task is a nested one, the case this scenario is about.
 */
static DEFINE_PER_CPU(int, nest_inside);
static DEFINE_PER_CPU(struct task_struct *, nest_owner);
static atomic_t irq_nested;

static void nest_enter(void)
{
	atomic_inc(&n_entry);
	if (in_task()) {
		if (!this_cpu_read(nest_inside))
			this_cpu_write(nest_owner, current);
		this_cpu_inc(nest_inside);
	} else if (this_cpu_read(nest_inside) &&
		   this_cpu_read(nest_owner) == current) {
		atomic_inc(&irq_nested);
	}
}

static void nest_leave(void)
{
	atomic_inc(&n_ret);
	if (in_task())
		this_cpu_dec(nest_inside);
}

static int nest_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	long x = regs_get_kernel_argument(regs, 0);

	nest_enter();

	/* fill the whole frame, so a clobbered one cannot go unnoticed */
	memset(ri->data, (u8)x, 64);
	*(long *)ri->data = x;
	return 0;
}

static int nest_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	long x = *(long *)ri->data;

	if (regs_return_value(regs) != x * 3 + 1 ||
	    memchr_inv(ri->data + sizeof(long), (u8)x, 64 - sizeof(long)))
		atomic_inc(&n_bad);
	nest_leave();
	return 0;
}

static int nest_rec_entry(struct krp_kretprobe_instance *ri,
			  struct pt_regs *regs)
{
	*(long *)ri->data = regs_get_kernel_argument(regs, 0);
	nest_enter();
	return 0;
}

/* the return value of any level, for concurrent callers */
static int nest_rec_ret(struct krp_kretprobe_instance *ri,
			struct pt_regs *regs)
{
	if (regs_return_value(regs) != *(long *)ri->data)
		atomic_inc(&n_bad);
	nest_leave();
	return 0;
}

/*
 * One nested interrupt for certain, whatever the host's load: the task
 * holds a frame of krp_test_nest_hold() out, on one CPU, until the
 * interrupt it raised on that CPU has called the probed target on top
 * of it.  The landings on the workers below depend on timing alone.
 */
static int hold_bad;
static bool hold_done;

static void hold_work_fn(struct irq_work *w)
{
	if (krp_test_target(7) != 7 * 3 + 1)
		hold_bad++;
	WRITE_ONCE(hold_done, true);
}

static DEFINE_IRQ_WORK(hold_work, hold_work_fn);

static noinline __attribute__((__noipa__)) long krp_test_nest_hold(long x)
{
	unsigned long end = jiffies + 10 * HZ;

	irq_work_queue(&hold_work);
	while (!READ_ONCE(hold_done) && time_before(jiffies, end))
		cpu_relax();
	return x;
}

static int nest_hold(void)
{
	int ret = 0, err, before = atomic_read(&irq_nested);

	WRITE_ONCE(hold_done, false);
	hold_bad = 0;
	rp_init(&rp_c, "krp_test_nest_hold", nest_rec_entry, nest_rec_ret,
		sizeof(long));
	err = krp_register_kretprobe(&rp_c);
	if (err)
		return err;
	/* on one CPU from entry to return: nest_inside is per CPU */
	preempt_disable();
	err = krp_test_nest_hold(5);
	preempt_enable();
	CHECK(err == 5, "the holder's result: %d", err);
	irq_work_sync(&hold_work);
	krp_unregister_kretprobe(&rp_c);
	CHECK(READ_ONCE(hold_done), "the interrupt never ran the target");
	CHECK(atomic_read(&irq_nested) > before,
	      "the interrupt did not land on the holder");
	CHECK(!hold_bad, "the target's result in the interrupt");
	CHECK(!rp_c.nmissed && !rp_c.kp.nmissed, "%d %lu misses of the holder",
	      rp_c.nmissed, rp_c.kp.nmissed);
	return ret;
}

/*
 * @counted: krp enters through the i386 kprobe hook, where the kernel
 * drops a call from an interrupt that lands while a kprobe handler
 * (krp's entry handler among them) runs, and counts it in the hook's
 * nmissed: such misses are allowed, as kprobe misses in kp.nmissed,
 * and no other kind.  Otherwise nothing at all is missed.
 */
static int irq_nesting_run(bool counted)
{
	struct task_struct *workers[WORKERS_MAX];
	unsigned int nw;
	int ret = 0, err, i, nested;

	counters_reset();
	atomic_set(&irq_nested, 0);
	atomic_set(&irq_calls, 0);
	atomic_set(&irq_bad, 0);
	atomic_set(&stress_bad, 0);
	WRITE_ONCE(irq_stop, false);
	WRITE_ONCE(stress_stop, false);
	rp_init(&rp_a, "krp_test_target", nest_entry, nest_ret, 64);
	rp_init(&rp_b, "krp_test_recurse", nest_rec_entry, nest_rec_ret,
		sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	err = krp_register_kretprobe(&rp_b);
	if (err) {
		krp_unregister_kretprobe(&rp_a);
		return err;
	}
	/* a second with the CPUs idle: interrupts land on the idle tasks */
	hrtimer_init(&irq_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	irq_timer.function = irq_timer_fn;
	hrtimer_start(&irq_timer, ns_to_ktime(50 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_HARD);
	timer_setup(&soft_timer, soft_timer_fn, 0);
	mod_timer(&soft_timer, jiffies + 1);
	msleep(1000);
	err = krp_kretprobe_nmissed(&rp_a);
	CHECK(counted ? !rp_a.nmissed : !err, "%d misses on idle CPUs (%d of the frame)",
	      err, rp_a.nmissed);
	/* no worker yet: no CPU has another task's frames out */
	err = nest_hold();
	CHECK(!err, "the holder: %d", err);

	/*
	 * Then interrupts on tasks that are inside the probed functions:
	 * two seconds, and up to eight more until one has landed there
	 * (under TCG on a loaded host the vCPUs run in bursts).
	 */
	nested = atomic_read(&irq_nested);
	nw = workers_start(stress_fn, "krp_nest/%u", workers);
	msleep(2000);
	for (i = 0; i < 8 && atomic_read(&irq_nested) == nested; i++)
		msleep(1000);

	WRITE_ONCE(irq_stop, true);
	hrtimer_cancel(&irq_timer);
	del_timer_sync(&soft_timer);
	WRITE_ONCE(stress_stop, true);
	workers_stop(workers, nw);
	krp_unregister_kretprobe(&rp_a);
	krp_unregister_kretprobe(&rp_b);
	if (!counted)
		CHECK(!rp_a.kp.nmissed && !rp_b.kp.nmissed, "%lu %lu kprobe misses",
		      rp_a.kp.nmissed, rp_b.kp.nmissed);
	CHECK(atomic_read(&irq_calls) > 100, "only %d interrupt calls",
	      atomic_read(&irq_calls));
	CHECK(!atomic_read(&irq_bad), "%d wrong results in interrupts",
	      atomic_read(&irq_bad));
	CHECK(!atomic_read(&stress_bad), "%d wrong results in tasks",
	      atomic_read(&stress_bad));
	CHECK(!atomic_read(&n_bad), "%d clobbered frames", atomic_read(&n_bad));
	CHECK(rp_a.nmissed == 0 && rp_b.nmissed == 0, "%d %d", rp_a.nmissed,
	      rp_b.nmissed);
	/* everything stopped before the unregister: no frame was out */
	CHECK(atomic_read(&n_ret) == atomic_read(&n_entry), "%d returns, %d entries",
	      atomic_read(&n_ret), atomic_read(&n_entry));
	CHECK(atomic_read(&irq_nested) > 0,
	      "no interrupt landed on a task with frames out");
	pr_info("irq_nesting: %d returns, %d interrupt calls, %d entries nested on a task with frames out (%d on the workers), %lu + %lu kprobe misses\n",
		atomic_read(&n_ret), atomic_read(&irq_calls),
		atomic_read(&irq_nested), atomic_read(&irq_nested) - nested,
		rp_a.kp.nmissed, rp_b.kp.nmissed);
	return ret;
}

int scenario_irq_nesting(void)
{
	return irq_nesting_run(false);
}

int scenario_irq_nesting_counted(void)
{
	return irq_nesting_run(true);
}

/* stress: register/unregister cycles while every CPU calls the target */

static int stress_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	if (regs_return_value(regs) != track_return(ri) * 3 + 1)
		atomic_inc(&n_bad);
	return 0;
}

/* stress_fn(), each call settled: see track_entry() */
static int stress_track_fn(void *arg)
{
	int i = 0, me = track_caller();

	while (!READ_ONCE(stress_stop)) {
		if (krp_test_target(i) != i * 3 + 1)
			atomic_inc(&stress_bad);
		track_settle(me);
		if (krp_test_recurse(3) != 3)
			atomic_inc(&stress_bad);
		i++;
		stress_pause(i);
	}
	return 0;
}

int scenario_stress(void)
{
	struct task_struct *workers[WORKERS_MAX];
	struct krp_kretprobe *pair[] = { &rp_a, &rp_b };
	unsigned int c, nw, done;
	u64 t_reg = 0, t_unreg = 0, t0;
	int ret = 0, err, me;

	track_reset();
	me = track_caller();
	atomic_set(&stress_bad, 0);
	WRITE_ONCE(stress_stop, false);
	nw = workers_start(stress_track_fn, "krp_stress/%u", workers);
	for (c = 0; c < cycles; c++) {
		rp_init(&rp_a, "krp_test_target", track_entry, stress_ret,
			sizeof(struct track_data));
		rp_init(&rp_b, "krp_test_recurse", NULL, NULL, 0);
		track_arm();
		t0 = ktime_get_ns();
		err = krp_register_kretprobe(&rp_a);
		if (err) {
			CHECK(!err, "cycle %u: %d", c, err);
			break;
		}
		err = krp_register_kretprobe(&rp_b);
		CHECK(!err, "cycle %u: %d", c, err);
		t_reg += ktime_get_ns() - t0;
		/*
		 * Hit it here too, and sleep rather than spin: under
		 * single-threaded TCG the other vCPU may not run at all while
		 * this one spins.
		 */
		CHECK(krp_test_target(c) == c * 3 + 1, "");
		track_settle(me);
		usleep_range(200, 400);
		t0 = ktime_get_ns();
		if (!err)
			krp_unregister_kretprobes(pair, 2);
		else
			krp_unregister_kretprobe(&rp_a);
		t_unreg += ktime_get_ns() - t0;
		track_disarmed();
		if (ret)
			break;
	}
	done = c;
	WRITE_ONCE(stress_stop, true);
	workers_stop(workers, nw);
	CHECK(!atomic_read(&stress_bad), "%d wrong return values",
	      atomic_read(&stress_bad));
	CHECK(!atomic_read(&n_bad), "%d bad returns", atomic_read(&n_bad));
	CHECK(atomic_read(&n_ret) >= done, "%d returns in %u cycles",
	      atomic_read(&n_ret), done);
	/* at most one frame per worker out at each unregister */
	CHECK(atomic_read(&n_abandoned) <= done * nw, "%d abandoned in %u cycles",
	      atomic_read(&n_abandoned), done);
	if (track_check("stress"))
		ret = -EINVAL;
	pr_info("stress: %u cycles on %u CPUs, %d returns handled, %llu us/register %llu us/unregister\n",
		done, nw, atomic_read(&n_ret),
		div_u64(t_reg, 1000 * max(done, 1u)),
		div_u64(t_unreg, 1000 * max(done, 1u)));
	return ret;
}
