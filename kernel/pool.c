// SPDX-License-Identifier: GPL-2.0
/*
 * Per-task instance pools.
 *
 * Every task gets one pool when the first probe is registered (existing
 * tasks) or when it is created (later tasks, task_newtask, which also
 * sees io-threads and idle tasks), so the hit path never allocates.  The
 * idle tasks that exist already are not on the task list; each CPU has a
 * pool for its idle task instead.  A pool is a byte stack of frames: a struct
 * krp_kretprobe_instance, its data, and a trailing word holding the
 * frame's size so the frame below can be found.
 *
 * Only the owning task touches its pool, from process context and from
 * the interrupts and NMIs that nest on top of it.  Nested contexts leave
 * the stack exactly as they found it, so a plain load and store of @top
 * is enough: a frame is reserved by moving @top before a single byte of
 * it is written, and anything that interrupts the reservation has
 * finished with the space above @top before the interrupted code runs
 * again.  The frames of a dead task are reclaimed when its task_struct
 * is freed (sched_process_free), never earlier: a task still inside
 * do_exit() may be inside probed functions.
 *
 * Pools are found through a hash of task pointers, walked under RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/rculist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tracepoint.h>

#include "pool.h"
#include "probe.h"

static unsigned int pool_size = 8192;
module_param(pool_size, uint, 0444);
MODULE_PARM_DESC(pool_size,
		 "bytes of instance pool per task, header included (1024-65536)");

struct hlist_head krp_pool_table[1 << KRP_POOL_BITS];
DEFINE_PER_CPU(struct krp_pool *, krp_idle_pool);
static DEFINE_RAW_SPINLOCK(krp_pool_lock);
static unsigned long krp_npools;
static bool krp_pools_on;
static struct tracepoint *krp_tp_new, *krp_tp_free;
static int krp_cpuhp_state;

static unsigned int krp_pool_cap(void)
{
	return pool_size - offsetof(struct krp_pool, stack);
}

/**
 * krp_pool_capacity() - bytes of frames a task's pool holds
 *
 * Return: the capacity, for registration to refuse frames that can
 * never fit.
 */
unsigned int krp_pool_capacity(void)
{
	return krp_pool_cap();
}

static struct krp_pool *krp_pool_alloc(gfp_t gfp)
{
	struct krp_pool *pool = kmalloc(pool_size, gfp);

	if (pool) {
		pool->task = NULL;
		pool->top = 0;
		pool->depth = 0;
		pool->cap = krp_pool_cap();
	}
	return pool;
}

/* Returns false if @tsk already had a pool; @pool is then not used. */
static bool krp_pool_install(struct task_struct *tsk, struct krp_pool *pool)
{
	unsigned long flags;
	bool done = false;

	raw_spin_lock_irqsave(&krp_pool_lock, flags);
	if (!krp_pool_of(tsk)) {
		pool->task = tsk;
		hlist_add_head_rcu(&pool->node, krp_pool_bucket(tsk));
		krp_npools++;
		done = true;
	}
	raw_spin_unlock_irqrestore(&krp_pool_lock, flags);
	return done;
}

static void krp_on_newtask(void *data, struct task_struct *child,
			   unsigned long clone_flags)
{
	struct krp_pool *pool;

	/* tracepoint context: no sleeping */
	pool = krp_pool_alloc(GFP_NOWAIT | __GFP_NOWARN);
	if (!pool)
		return;
	if (!krp_pool_install(child, pool))
		kfree(pool);
}

/* Give back every frame of a pool whose task will never run again. */
static void krp_pool_reclaim(struct krp_pool *pool)
{
	struct krp_kretprobe_instance *ri;

	while ((ri = krp_frame_top(pool))) {
		struct krp_probe *p = ri->probe;

		krp_frame_pop(pool, ri);
		__this_cpu_inc(krp_stats.exited);
		krp_frame_release(p);
	}
}

/*
 * A CPU that goes offline leaves its idle task inside functions it never
 * returns from, and the task restarts on a fresh stack when the CPU
 * comes back: their frames would stay, one set per cycle, and keep
 * krp.ko loaded.  Called on another CPU once this one is dead, when
 * nothing runs on it.
 */
static int krp_idle_cpu_dead(unsigned int cpu)
{
	struct krp_pool *pool = READ_ONCE(per_cpu(krp_idle_pool, cpu));

	if (!pool)
		return 0;
	/* per-CPU counters below: stay on one CPU */
	preempt_disable();
	krp_pool_reclaim(pool);
	preempt_enable();
	return 0;
}

static void krp_on_free(void *data, struct task_struct *tsk)
{
	struct krp_pool *pool;
	unsigned long flags;

	raw_spin_lock_irqsave(&krp_pool_lock, flags);
	pool = krp_pool_of(tsk);
	if (pool) {
		hlist_del_rcu(&pool->node);
		krp_npools--;
	}
	raw_spin_unlock_irqrestore(&krp_pool_lock, flags);
	if (!pool)
		return;
	/* per-CPU counters below: stay on one CPU */
	preempt_disable();
	krp_pool_reclaim(pool);
	preempt_enable();
	kfree_rcu(pool, rcu);
}

unsigned long krp_pools_count(void)
{
	return READ_ONCE(krp_npools);
}

static void krp_find_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "task_newtask"))
		krp_tp_new = tp;
	else if (!strcmp(tp->name, "sched_process_free"))
		krp_tp_free = tp;
}

/* Give every task that has none a pool; memory is taken before the walk. */
static int krp_pools_fill(void)
{
	struct task_struct *g, *t;
	LIST_HEAD(spare);
	struct krp_pool *pool, *tmp;
	unsigned long n;
	bool short_of_pools;

	do {
		n = 0;
		rcu_read_lock();
		for_each_process_thread(g, t)
			n += !krp_pool_of(t);
		rcu_read_unlock();
		if (!n)
			break;
		/* a few more for tasks forked meanwhile */
		n += 8;

		while (n--) {
			pool = krp_pool_alloc(GFP_KERNEL);
			if (!pool)
				goto nomem;
			list_add(&pool->spare, &spare);
		}

		short_of_pools = false;
		rcu_read_lock();
		for_each_process_thread(g, t) {
			if (krp_pool_of(t))
				continue;
			if (list_empty(&spare)) {
				short_of_pools = true;
				break;
			}
			pool = list_first_entry(&spare, struct krp_pool, spare);
			list_del(&pool->spare);
			if (!krp_pool_install(t, pool))
				kfree(pool);
		}
		rcu_read_unlock();
	} while (short_of_pools);

	list_for_each_entry_safe(pool, tmp, &spare, spare)
		kfree(pool);
	return 0;
nomem:
	list_for_each_entry_safe(pool, tmp, &spare, spare)
		kfree(pool);
	return -ENOMEM;
}

static void krp_idle_pools_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		kfree(per_cpu(krp_idle_pool, cpu));
		per_cpu(krp_idle_pool, cpu) = NULL;
	}
}

static int krp_idle_pools_alloc(void)
{
	struct krp_pool *pool;
	int cpu;

	for_each_possible_cpu(cpu) {
		pool = krp_pool_alloc(GFP_KERNEL);
		if (!pool) {
			krp_idle_pools_free();
			return -ENOMEM;
		}
		per_cpu(krp_idle_pool, cpu) = pool;
	}
	return 0;
}

/**
 * krp_pools_enable() - make sure every task has a pool from now on
 *
 * Called with krp_mutex held when a probe is registered.  The lifecycle
 * tracepoints go in first so no task is created unseen while the
 * existing ones are being filled.
 *
 * Return: 0 or a negative errno.  A failure before the hooks are in
 * leaves nothing; a failure to fill leaves the hooks and the pools given
 * so far, which every task keeps until it exits or krp unloads, and the
 * next registration fills the rest.
 */
int krp_pools_enable(void)
{
	int ret;

	lockdep_assert_held(&krp_mutex);
	if (krp_pools_on)
		return krp_pools_fill();

	for_each_kernel_tracepoint(krp_find_tracepoint, NULL);
	if (!krp_tp_new || !krp_tp_free) {
		pr_err("task_newtask/sched_process_free tracepoints not found\n");
		return -ENODEV;
	}
	ret = krp_idle_pools_alloc();
	if (ret)
		return ret;
	ret = tracepoint_probe_register(krp_tp_free, krp_on_free, NULL);
	if (ret)
		goto out_idle;
	ret = tracepoint_probe_register(krp_tp_new, krp_on_newtask, NULL);
	if (ret) {
		tracepoint_probe_unregister(krp_tp_free, krp_on_free, NULL);
		tracepoint_synchronize_unregister();
		goto out_idle;
	}
	krp_pools_on = true;
	return krp_pools_fill();
out_idle:
	krp_idle_pools_free();
	return ret;
}

int krp_pools_init(void)
{
	int ret;

	if (pool_size < 1024 || pool_size > 65536) {
		pr_err("pool_size=%u is outside 1024..65536\n", pool_size);
		return -EINVAL;
	}
	/* a teardown in the PREPARE range runs once the CPU is dead */
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "krp:idle_dead",
					NULL, krp_idle_cpu_dead);
	if (ret < 0)
		return ret;
	krp_cpuhp_state = ret;
	return 0;
}

void krp_pools_exit(void)
{
	struct krp_pool *pool, *next;
	struct hlist_node *tmp;
	unsigned long flags;
	LIST_HEAD(dead);
	int i;

	cpuhp_remove_state_nocalls(krp_cpuhp_state);
	if (krp_pools_on) {
		tracepoint_probe_unregister(krp_tp_new, krp_on_newtask, NULL);
		tracepoint_probe_unregister(krp_tp_free, krp_on_free, NULL);
		tracepoint_synchronize_unregister();
	}
	raw_spin_lock_irqsave(&krp_pool_lock, flags);
	for (i = 0; i < ARRAY_SIZE(krp_pool_table); i++) {
		hlist_for_each_entry_safe(pool, tmp, &krp_pool_table[i], node) {
			hlist_del_rcu(&pool->node);
			/* the unload guard kept us loaded while frames were out */
			WARN_ON_ONCE(pool->top);
			list_add(&pool->spare, &dead);
		}
	}
	krp_npools = 0;
	raw_spin_unlock_irqrestore(&krp_pool_lock, flags);
	synchronize_rcu();
	list_for_each_entry_safe(pool, next, &dead, spare)
		kfree(pool);
	krp_idle_pools_free();
}
