// SPDX-License-Identifier: GPL-2.0
/*
 * Per-task instance pools.
 *
 * Every task gets a small pool while a return probe is registered: the
 * existing tasks when the first one is (krp_pools_fill()), later tasks
 * when they are created (task_newtask, which also sees io-threads and
 * idle tasks), so the hit path never allocates.  The idle tasks that
 * exist already are not on the task list; each CPU has a pool for its
 * idle task instead.  A task that got no pool at fork (GFP_NOWAIT
 * failed) or is found without one on the hit path is given one by the
 * pool worker, which is kicked from there.
 *
 * A pool is a byte stack of frames: a struct krp_kretprobe_instance,
 * its data, and a trailing word holding the frame's size so the frame
 * below can be found.  The stack is a chain of segments: the first lies
 * in the pool itself (pool_size bytes in all, header included); when a
 * frame does not fit, the hit path takes a segment of pool_segment
 * bytes from a per-CPU reserve and chains it above.  A frame never
 * straddles two segments and never moves.  Segments stay with their
 * task once they empty (the next growth takes them back without the
 * reserve) until the pool is freed; a task holds at most pool_segments
 * of them, which is where a depth miss starts.
 *
 * Only the owning task touches its pool, from process context and from
 * the interrupts and NMIs that nest on top of it.  Nested contexts leave
 * the stack as they found it (at most with one more empty segment
 * chained above), so a plain load and store of a segment's @top is
 * enough: a frame is reserved by moving @top before a single byte of it
 * is written, and anything that interrupts the reservation has finished
 * with the space above @top before the interrupted code runs again.
 * The segment chain itself changes only by a cmpxchg of the last
 * segment's @next (krp_seg_above()), so two contexts that grow at once
 * both keep what they took.  The frames of a dead task are reclaimed
 * when its task_struct is freed (sched_process_free), never earlier: a
 * task still inside do_exit() may be inside probed functions.
 *
 * The segments and the per-CPU reserves they come from are in
 * segments.c.  The hit path reaches the pool worker, which gives a pool
 * to the tasks found without one, through an irq_work, which may be
 * queued in NMI.
 *
 * Half a second after the last return probe is unregistered, a worker
 * gives the memory back: after a grace period (every entry that saw a
 * probe has pushed its frame by then, and none can push again; a
 * registration in between makes it give up) it frees every pool that
 * holds no frame, the idle pools and the reserves, and stops giving new
 * tasks pools.  Pools with frames out (tasks asleep inside a function
 * whose probe is gone) stay until their task is freed, or until the
 * worker runs again when the last frame of a dead probe comes back.
 *
 * Pools are found through a hash of task pointers, walked under RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/hash.h>
#include <linux/irq_work.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/rculist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>

#include "pool.h"
#include "probe.h"

static unsigned int pool_size = 512;
module_param(pool_size, uint, 0444);
MODULE_PARM_DESC(pool_size,
		 "bytes a task's pool starts with, header included (256-16384; a power of 2 wastes no slab)");

struct hlist_head krp_pool_table[1 << KRP_POOL_BITS];
DEFINE_PER_CPU(struct krp_pool *, krp_idle_pool);
/*
 * No task's: an entry of krp_pool_last that holds nothing.  Set when
 * krp loads: a module's per-CPU data takes no relocated initializer.
 */
struct krp_pool krp_pool_none;
DEFINE_PER_CPU(struct krp_pool *, krp_pool_last);
static DEFINE_RAW_SPINLOCK(krp_pool_lock);
static unsigned long krp_npools, krp_nidle;
/* krp_mutex: registered return probes; the hooks that are in */
static unsigned int krp_pool_users;
static bool krp_newtask_on, krp_free_on;
static struct tracepoint *krp_tp_new, *krp_tp_free;
static int krp_cpuhp_state;
/* a task went without a pool: the worker fills again */
static bool krp_pool_retry;

static void krp_pool_work_fn(struct work_struct *work);
static DECLARE_WORK(krp_pool_work, krp_pool_work_fn);
/*
 * Memory goes back a while after the last unregister: a probe that
 * comes and goes in a loop does not pay a fill each time.
 */
#define KRP_TRIM_DELAY	(HZ / 2)
static void krp_pool_trim_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(krp_pool_trim, krp_pool_trim_fn);
/* krp_mutex: bumped by each krp_pools_get(), see krp_pool_trim_fn() */
static unsigned long krp_pool_gen, krp_pool_trim_gen;
static struct irq_work krp_pool_irq_work;

static unsigned int krp_first_cap(void)
{
	return pool_size - offsetof(struct krp_pool, first.stack);
}

/**
 * krp_pool_capacity() - bytes the largest frame may take
 *
 * Return: the capacity of a segment a frame can go in, for registration
 * to refuse frames that can never fit.
 */
unsigned int krp_pool_capacity(void)
{
	return max(krp_segs_capacity(), krp_first_cap());
}

/* Any context, NMI included: have the worker run soon. */
static void notrace krp_pool_kick(void)
{
	irq_work_queue(&krp_pool_irq_work);
}
NOKPROBE_SYMBOL(krp_pool_kick);

static void krp_pool_irq_work_fn(struct irq_work *work)
{
	queue_work(system_unbound_wq, &krp_pool_work);
}

/**
 * krp_pool_missing() - the current task hit a return probe without a pool
 *
 * Any context: the worker gives every task without one a pool.
 */
void notrace krp_pool_missing(void)
{
	if (!READ_ONCE(krp_pool_retry))
		WRITE_ONCE(krp_pool_retry, true);
	krp_pool_kick();
}
NOKPROBE_SYMBOL(krp_pool_missing);

/*
 * Pools come from a cache of their own: slabinfo shows what they take,
 * and failslab's cache filter can fail these allocations and no other.
 */
static struct kmem_cache *krp_pool_cache;

static struct krp_pool *krp_pool_alloc(gfp_t gfp)
{
	struct krp_pool *pool = kmem_cache_alloc(krp_pool_cache, gfp);

	if (pool) {
		pool->task = NULL;
		pool->dead = false;
		pool->remembered = false;
		pool->first.prev = NULL;
		pool->first.next = NULL;
		pool->first.top = 0;
		pool->first.cap = krp_first_cap();
		pool->first.index = 0;
		pool->cur = &pool->first;
	}
	return pool;
}

/* Free @pool and the segments chained to it: nothing can reach them. */
static void krp_pool_free(struct krp_pool *pool)
{
	krp_segs_free(pool->first.next);
	kmem_cache_free(krp_pool_cache, pool);
}

static void krp_pool_free_rcu(struct rcu_head *rcu)
{
	krp_pool_free(container_of(rcu, struct krp_pool, rcu));
}

/*
 * @pool, marked dead and unhashed, leaves every CPU's krp_pool_last
 * before the grace period that frees it starts: an entry is read on the
 * hit path without RCU's protection of the hash.  Pairs with
 * krp_pool_remember().  No pool an entry names is dereferenced here:
 * one that another freer is freeing may be past its grace period, put
 * back for a moment by a hit that found it in the hash just before.
 */
static void krp_pool_forget(struct krp_pool *pool)
{
	struct krp_pool **last;
	int cpu;

	/*
	 * The dead mark before the reads: krp_pool_remember()'s pair.  A
	 * remember that did not see the mark wrote remembered before its
	 * barrier, so a pool never remembered has no entry to scan for.
	 */
	smp_mb();
	if (!READ_ONCE(pool->remembered))
		return;
	for_each_possible_cpu(cpu) {
		last = per_cpu_ptr(&krp_pool_last, cpu);
		if (READ_ONCE(*last) == pool)
			cmpxchg(last, pool, &krp_pool_none);
	}
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

	/* tracepoint context: no sleeping; the worker tries again */
	pool = krp_pool_alloc(GFP_NOWAIT | __GFP_NOWARN);
	if (!pool) {
		this_cpu_inc(krp_stats.pools_deferred);
		WRITE_ONCE(krp_pool_retry, true);
		queue_work(system_unbound_wq, &krp_pool_work);
		return;
	}
	if (!krp_pool_install(child, pool))
		kmem_cache_free(krp_pool_cache, pool);
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
	WRITE_ONCE(pool->dead, true);
	krp_pool_forget(pool);
	/* per-CPU counters below: stay on one CPU */
	preempt_disable();
	krp_pool_reclaim(pool);
	preempt_enable();
	call_rcu(&pool->rcu, krp_pool_free_rcu);
}

unsigned long krp_pools_count(void)
{
	return READ_ONCE(krp_npools);
}

/**
 * krp_pools_bytes() - memory of the pools, for krp/stats
 * @in_use: bytes held by tasks' pools (idle tasks' too) and their segments
 * @reserved: bytes of segments in the reserves
 */
void krp_pools_bytes(unsigned long *in_use, unsigned long *reserved)
{
	unsigned long held;

	krp_segs_bytes(&held, reserved);
	*in_use = (READ_ONCE(krp_npools) + READ_ONCE(krp_nidle)) * pool_size +
		  held;
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
			pool = krp_pool_alloc(KRP_GFP);
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
				kmem_cache_free(krp_pool_cache, pool);
		}
		rcu_read_unlock();
	} while (short_of_pools);

	list_for_each_entry_safe(pool, tmp, &spare, spare)
		kmem_cache_free(krp_pool_cache, pool);
	return 0;
nomem:
	list_for_each_entry_safe(pool, tmp, &spare, spare)
		kmem_cache_free(krp_pool_cache, pool);
	return -ENOMEM;
}

/* Idle pools for the CPUs that have none (krp_mutex held). */
static int krp_idle_pools_alloc(void)
{
	struct krp_pool *pool;
	int cpu;

	for_each_possible_cpu(cpu) {
		if (per_cpu(krp_idle_pool, cpu))
			continue;
		pool = krp_pool_alloc(KRP_GFP);
		if (!pool)
			return -ENOMEM;
		WRITE_ONCE(krp_nidle, krp_nidle + 1);
		WRITE_ONCE(per_cpu(krp_idle_pool, cpu), pool);
	}
	return 0;
}

/*
 * No return probe is registered: after a grace period no entry can push
 * a frame (see the top of the file); free the pools without frames, the
 * idle pools without frames and the reserves.  The grace periods are
 * waited for without krp_mutex: registrations go on meanwhile, and one
 * that comes in (a new generation) makes this pass give up.
 */
static void krp_pool_trim_fn(struct work_struct *work)
{
	struct krp_pool *pool, *next;
	struct hlist_node *tmp;
	unsigned long flags, gen;
	LIST_HEAD(dead);
	int cpu, i;

	mutex_lock(&krp_mutex);
	/*
	 * Registered again since it was queued: probes come and go in a
	 * loop, whose registrations must not queue up behind the unhooking
	 * of task_newtask (the site reaper would see no site meanwhile).
	 */
	if (krp_pool_users || krp_pool_gen != READ_ONCE(krp_pool_trim_gen)) {
		mutex_unlock(&krp_mutex);
		return;
	}
	gen = krp_pool_gen;
	if (krp_newtask_on) {
		tracepoint_probe_unregister(krp_tp_new, krp_on_newtask, NULL);
		krp_newtask_on = false;
	}
	mutex_unlock(&krp_mutex);
	/* the hit paths that saw a probe, and task_newtask callbacks */
	tracepoint_synchronize_unregister();

	mutex_lock(&krp_mutex);
	if (krp_pool_users || krp_pool_gen != gen) {
		mutex_unlock(&krp_mutex);
		return;
	}
	WRITE_ONCE(krp_pool_retry, false);
	raw_spin_lock_irqsave(&krp_pool_lock, flags);
	for (i = 0; i < ARRAY_SIZE(krp_pool_table); i++) {
		hlist_for_each_entry_safe(pool, tmp, &krp_pool_table[i], node) {
			/* only the owner pops, and it pushes no more */
			if (!krp_pool_empty(pool))
				continue;
			hlist_del_rcu(&pool->node);
			krp_npools--;
			WRITE_ONCE(pool->dead, true);
			list_add(&pool->spare, &dead);
		}
	}
	raw_spin_unlock_irqrestore(&krp_pool_lock, flags);
	/* pools x CPUs reads, once per last unregister, in a worker */
	list_for_each_entry(pool, &dead, spare) {
		krp_pool_forget(pool);
		cond_resched();
	}
	for_each_possible_cpu(cpu) {
		pool = per_cpu(krp_idle_pool, cpu);
		if (pool && krp_pool_empty(pool)) {
			WRITE_ONCE(per_cpu(krp_idle_pool, cpu), NULL);
			WRITE_ONCE(krp_nidle, krp_nidle - 1);
			list_add(&pool->spare, &dead);
		}
	}
	/* nothing takes from a reserve until the next registration */
	krp_reserves_free();
	mutex_unlock(&krp_mutex);
	/* readers of other tasks' pools (stack traces) hold RCU */
	synchronize_rcu();
	list_for_each_entry_safe(pool, next, &dead, spare)
		krp_pool_free(pool);
}

/* Give a pool to every task that went without. */
static void krp_pool_work_fn(struct work_struct *work)
{
	mutex_lock(&krp_mutex);
	if (krp_pool_users && READ_ONCE(krp_pool_retry)) {
		WRITE_ONCE(krp_pool_retry, false);
		krp_pools_fill();
	}
	mutex_unlock(&krp_mutex);
}

/*
 * Make sure every task has a pool from now on, krp_mutex held.  The
 * lifecycle tracepoints go in first so no task is created unseen while
 * the existing ones are being filled.  A failure leaves what was done,
 * which the worker takes back if no probe is registered.
 */
static int krp_pools_enable(void)
{
	int ret;

	if (!krp_tp_new || !krp_tp_free)
		for_each_kernel_tracepoint(krp_find_tracepoint, NULL);
	if (!krp_tp_new || !krp_tp_free) {
		pr_err("task_newtask/sched_process_free tracepoints not found\n");
		return -ENODEV;
	}
	if (!krp_free_on) {
		ret = tracepoint_probe_register(krp_tp_free, krp_on_free, NULL);
		if (ret)
			return ret;
		krp_free_on = true;
	}
	if (!krp_newtask_on) {
		ret = tracepoint_probe_register(krp_tp_new, krp_on_newtask,
						NULL);
		if (ret)
			return ret;
		krp_newtask_on = true;
	}
	ret = krp_reserves_fill();
	if (!ret)
		ret = krp_idle_pools_alloc();
	if (!ret)
		ret = krp_pools_fill();
	return ret;
}

/**
 * krp_pools_get() - pools for every task, for a return probe to come
 *
 * Called with krp_mutex held when a return probe is registered; each
 * success is paired with a krp_pools_put().
 *
 * Return: 0, or a negative errno (-ENOMEM when memory ran short: the
 * fill never waits for the OOM killer).
 */
int krp_pools_get(void)
{
	int ret;

	lockdep_assert_held(&krp_mutex);
	krp_pool_gen++;
	ret = krp_pools_enable();
	if (ret) {
		krp_pools_recheck();
		return ret;
	}
	krp_pool_users++;
	return 0;
}

/**
 * krp_pools_put() - a return probe is unregistered, krp_mutex held
 *
 * The last one has the worker give the memory back.
 */
void krp_pools_put(void)
{
	lockdep_assert_held(&krp_mutex);
	if (!WARN_ON_ONCE(!krp_pool_users) && !--krp_pool_users) {
		WRITE_ONCE(krp_pool_trim_gen, krp_pool_gen);
		mod_delayed_work(system_unbound_wq, &krp_pool_trim,
				 KRP_TRIM_DELAY);
	}
}

/**
 * krp_pools_recheck() - the last frame of a dead probe came back
 *
 * Process context.  Pools that held frames when the last probe went can
 * go now.
 */
void krp_pools_recheck(void)
{
	if (!READ_ONCE(krp_pool_users)) {
		WRITE_ONCE(krp_pool_trim_gen, READ_ONCE(krp_pool_gen));
		mod_delayed_work(system_unbound_wq, &krp_pool_trim,
				 KRP_TRIM_DELAY);
	}
}

int krp_pools_init(void)
{
	int cpu, ret;

	if (pool_size < 256 || pool_size > 16384) {
		pr_err("pool_size=%u is outside 256..16384\n", pool_size);
		return -EINVAL;
	}
	ret = krp_segs_init();
	if (ret)
		return ret;
	for_each_possible_cpu(cpu)
		per_cpu(krp_pool_last, cpu) = &krp_pool_none;
	/* a pool is written by its task alone: no line shared with another */
	krp_pool_cache = kmem_cache_create("krp_pool", pool_size, 0,
					   SLAB_HWCACHE_ALIGN, NULL);
	if (!krp_pool_cache)
		return -ENOMEM;
	init_irq_work(&krp_pool_irq_work, krp_pool_irq_work_fn);
	/* a teardown in the PREPARE range runs once the CPU is dead */
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "krp:idle_dead",
					NULL, krp_idle_cpu_dead);
	if (ret < 0) {
		kmem_cache_destroy(krp_pool_cache);
		return ret;
	}
	krp_cpuhp_state = ret;
	return 0;
}

void krp_pools_exit(void)
{
	struct krp_pool *pool, *next;
	struct hlist_node *tmp;
	unsigned long flags;
	LIST_HEAD(dead);
	int cpu, i;

	/*
	 * A trim queued by the last unregister unhooks task_newtask itself:
	 * done or cancelled before the state it would change is read here.
	 */
	cancel_delayed_work_sync(&krp_pool_trim);
	cpuhp_remove_state_nocalls(krp_cpuhp_state);
	if (krp_newtask_on)
		tracepoint_probe_unregister(krp_tp_new, krp_on_newtask, NULL);
	if (krp_free_on)
		tracepoint_probe_unregister(krp_tp_free, krp_on_free, NULL);
	tracepoint_synchronize_unregister();
	/* no hit path is left to kick the worker, no fork to queue it */
	irq_work_sync(&krp_pool_irq_work);
	cancel_work_sync(&krp_pool_work);
	cancel_delayed_work_sync(&krp_pool_trim);
	raw_spin_lock_irqsave(&krp_pool_lock, flags);
	for (i = 0; i < ARRAY_SIZE(krp_pool_table); i++) {
		hlist_for_each_entry_safe(pool, tmp, &krp_pool_table[i], node) {
			hlist_del_rcu(&pool->node);
			/* the unload guard kept us loaded while frames were out */
			WARN_ON_ONCE(!krp_pool_empty(pool));
			list_add(&pool->spare, &dead);
		}
	}
	krp_npools = 0;
	raw_spin_unlock_irqrestore(&krp_pool_lock, flags);
	for_each_possible_cpu(cpu) {
		pool = per_cpu(krp_idle_pool, cpu);
		per_cpu(krp_idle_pool, cpu) = NULL;
		if (pool)
			list_add(&pool->spare, &dead);
	}
	krp_nidle = 0;
	synchronize_rcu();
	/* and the pools freed at task free */
	rcu_barrier();
	list_for_each_entry_safe(pool, next, &dead, spare)
		krp_pool_free(pool);
	krp_segs_exit();
	kmem_cache_destroy(krp_pool_cache);
}
