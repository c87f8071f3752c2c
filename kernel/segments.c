// SPDX-License-Identifier: GPL-2.0
/*
 * The segments a task's pool grows by, and the per-CPU reserves the hit
 * path takes them from (the design is at the top of pool.c).
 *
 * The reserves are arrays of segment pointers, one per CPU.  The hit
 * path takes a segment with a cmpxchg of a slot from the pointer it read
 * to NULL, first on its own CPU, then on the others: exactly one taker
 * wins a slot, in any context, and a slot refilled in between (the
 * pointer read is gone, a new one is there) is simply a valid segment
 * taken.  This file's worker refills the slots with cmpxchg from NULL,
 * in process context, while return probes are registered, with
 * __GFP_NORETRY | __GFP_NOWARN: memory the reserve cannot get becomes
 * missed_nomem on the hit path, never the OOM killer.  The hit path
 * reaches that worker through an irq_work, which may be queued in NMI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "segments.h"

static unsigned int pool_segment = 8192;
module_param(pool_segment, uint, 0444);
MODULE_PARM_DESC(pool_segment,
		 "bytes of each segment a pool grows by, header included (4096-32768)");

static unsigned int pool_segments = 3;
module_param(pool_segments, uint, 0444);
MODULE_PARM_DESC(pool_segments,
		 "segments a task's pool grows by at most (0-64)");

#define KRP_RESERVE_MAX	8
static unsigned int pool_reserve = 3;
module_param(pool_reserve, uint, 0444);
MODULE_PARM_DESC(pool_reserve,
		 "segments each CPU keeps ready for the hit path (1-8)");

struct krp_reserve {
	struct krp_seg *slot[KRP_RESERVE_MAX];
};

static DEFINE_PER_CPU(struct krp_reserve, krp_reserve);
/* growth segments held by pools, counted where they are taken and freed */
static DEFINE_PER_CPU(long, krp_segs_held);
/* krp_mutex: the reserves are kept filled while return probes are in */
static bool krp_reserves_on;

static void krp_reserve_work_fn(struct work_struct *work);
static DECLARE_WORK(krp_reserve_work, krp_reserve_work_fn);
static struct irq_work krp_reserve_irq_work;

static unsigned int krp_seg_cap(void)
{
	return pool_segment - offsetof(struct krp_seg, stack);
}

/**
 * krp_segs_capacity() - bytes a frame may take in a growth segment
 *
 * Return: 0 when pools may not grow.
 */
unsigned int krp_segs_capacity(void)
{
	return pool_segments ? krp_seg_cap() : 0;
}

/* Any context, NMI included: have the worker refill soon. */
static void notrace krp_reserve_kick(void)
{
	irq_work_queue(&krp_reserve_irq_work);
}
NOKPROBE_SYMBOL(krp_reserve_kick);

static void krp_reserve_irq_work_fn(struct irq_work *work)
{
	queue_work(system_unbound_wq, &krp_reserve_work);
}

/**
 * krp_segs_init() - check the module parameters of growth, set up the refill
 *
 * Return: 0, or -EINVAL with a message.
 */
int krp_segs_init(void)
{
	if (pool_segment < 4096 || pool_segment > 32768 ||
	    pool_segments > 64 || !pool_reserve ||
	    pool_reserve > KRP_RESERVE_MAX) {
		pr_err("pool_segment=%u pool_segments=%u pool_reserve=%u: outside 4096..32768, 0..64, 1..%d\n",
		       pool_segment, pool_segments, pool_reserve,
		       KRP_RESERVE_MAX);
		return -EINVAL;
	}
	init_irq_work(&krp_reserve_irq_work, krp_reserve_irq_work_fn);
	return 0;
}

/* Take a segment from a reserve, this CPU's first; any context. */
static struct krp_seg *notrace krp_reserve_take(void)
{
	struct krp_reserve *r = this_cpu_ptr(&krp_reserve);
	struct krp_seg *seg;
	int cpu = -1, i;

	for (;;) {
		for (i = 0; i < KRP_RESERVE_MAX; i++) {
			seg = READ_ONCE(r->slot[i]);
			if (seg && cmpxchg(&r->slot[i], seg, NULL) == seg)
				return seg;
		}
		cpu = cpumask_next(cpu, cpu_possible_mask);
		if (cpu >= nr_cpu_ids)
			return NULL;
		r = per_cpu_ptr(&krp_reserve, cpu);
	}
}
NOKPROBE_SYMBOL(krp_reserve_take);

/*
 * krp_seg_above() - the segment a frame goes in when @seg has no room
 * @seg: the segment on top, or one above it the walk reached
 *
 * Hit path, any context: the empty segment chained above @seg, or a new
 * one from a reserve chained there.  A nested context may chain one at
 * the same time: ours then goes on top of the chain, kept for later.
 *
 * Return: the segment; NULL at the task's bound; ERR_PTR(-ENOMEM) when
 * the reserves are empty.
 */
struct krp_seg *notrace krp_seg_above(struct krp_seg *seg)
{
	struct krp_seg *next = READ_ONCE(seg->next), *new, *last;

	if (next)
		return next;
	if (seg->index >= pool_segments)
		return NULL;
	new = krp_reserve_take();
	krp_reserve_kick();
	if (!new)
		return ERR_PTR(-ENOMEM);
	this_cpu_inc(krp_segs_held);
	new->next = NULL;
	new->top = 0;
	new->cap = krp_seg_cap();
	for (last = seg;;) {
		new->prev = last;
		new->index = last->index + 1;
		/* the chain's pointers before it is reachable */
		next = cmpxchg(&last->next, NULL, new);
		if (!next)
			break;
		last = next;
	}
	if (new->index > __this_cpu_read(krp_stats.max_segs))
		__this_cpu_write(krp_stats.max_segs, new->index);
	return READ_ONCE(seg->next);
}
NOKPROBE_SYMBOL(krp_seg_above);

static int krp_reserves_top_up(void)
{
	struct krp_seg *seg;
	int cpu, i;

	for_each_possible_cpu(cpu) {
		struct krp_reserve *r = per_cpu_ptr(&krp_reserve, cpu);

		for (i = 0; i < pool_reserve; i++) {
			if (READ_ONCE(r->slot[i]))
				continue;
			seg = kmalloc(pool_segment, KRP_GFP);
			if (!seg)
				return -ENOMEM;
			if (cmpxchg(&r->slot[i], NULL, seg))
				kfree(seg);
		}
	}
	return 0;
}

static void krp_reserve_work_fn(struct work_struct *work)
{
	mutex_lock(&krp_mutex);
	if (krp_reserves_on)
		krp_reserves_top_up();
	mutex_unlock(&krp_mutex);
}

/**
 * krp_reserves_fill() - fill every empty reserve slot, and keep them filled
 *
 * Process context, krp_mutex held.  From now on the hit path's takings
 * are refilled, until krp_reserves_free().
 *
 * Return: 0, or -ENOMEM with what could be had kept.
 */
int krp_reserves_fill(void)
{
	krp_reserves_on = true;
	return krp_reserves_top_up();
}

/**
 * krp_reserves_free() - empty every reserve
 *
 * krp_mutex held: nothing may take from the reserves until the next
 * krp_reserves_fill().
 */
void krp_reserves_free(void)
{
	int cpu, i;

	krp_reserves_on = false;
	for_each_possible_cpu(cpu) {
		struct krp_reserve *r = per_cpu_ptr(&krp_reserve, cpu);

		for (i = 0; i < KRP_RESERVE_MAX; i++)
			kfree(xchg(&r->slot[i], NULL));
	}
}

/* At unload, once no hit path is left to kick the worker. */
void krp_segs_exit(void)
{
	irq_work_sync(&krp_reserve_irq_work);
	cancel_work_sync(&krp_reserve_work);
	krp_reserves_free();
}

/* Free the chain of growth segments from @seg up: nothing can reach it. */
void krp_segs_free(struct krp_seg *seg)
{
	struct krp_seg *next;
	long n = 0;

	for (; seg; seg = next, n++) {
		next = seg->next;
		kfree(seg);
	}
	this_cpu_sub(krp_segs_held, n);
}

/**
 * krp_segs_bytes() - memory of the growth segments, for krp/stats
 * @held: bytes of segments chained to pools
 * @reserved: bytes of segments in the reserves
 */
void krp_segs_bytes(unsigned long *held, unsigned long *reserved)
{
	long segs = 0, slots = 0;
	int cpu, i;

	for_each_possible_cpu(cpu) {
		struct krp_reserve *r = per_cpu_ptr(&krp_reserve, cpu);

		segs += per_cpu(krp_segs_held, cpu);
		for (i = 0; i < KRP_RESERVE_MAX; i++)
			slots += !!READ_ONCE(r->slot[i]);
	}
	*held = max(segs, 0L) * pool_segment;
	*reserved = slots * pool_segment;
}
