/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-task pools (see pool.c for the design): the lifecycle calls, and
 * the hit-path half, inline because every probe hit and every return
 * goes through it.
 */
#ifndef KRP_POOL_H
#define KRP_POOL_H

#include <linux/err.h>
#include <linux/hash.h>
#include <linux/rculist.h>
#include <linux/sched.h>

#include "internal.h"
#include "segments.h"

struct krp_pool {
	/* still followed by lookups for a grace period once unhashed */
	struct hlist_node node;	/* in krp_pool_table */
	struct task_struct *task;
	struct krp_seg *cur;	/* holds the top frame */
	bool dead;		/* unhashed, to be freed: krp_pool_forget() */
	bool remembered;	/* ever in a krp_pool_last: krp_pool_forget() */
	union {
		struct rcu_head rcu;	/* freed by call_rcu() */
		/* before it is installed; after, freed without call_rcu() */
		struct list_head spare;
	};
	struct krp_seg first;	/* must be last: its stack follows */
};

/* pool.c: the lifecycle, in process context */
int krp_pools_init(void);
void krp_pools_exit(void);
int krp_pools_get(void);
void krp_pools_put(void);
void krp_pools_recheck(void);
unsigned long krp_pools_count(void);
unsigned int krp_pool_capacity(void);
void krp_pools_bytes(unsigned long *in_use, unsigned long *reserved);

/* pool.c: the hit path's slow half */
void krp_pool_missing(void);

#define KRP_POOL_BITS	12
extern struct hlist_head krp_pool_table[1 << KRP_POOL_BITS];
/* idle tasks (pid 0) are on no task list, never migrate: one per CPU */
DECLARE_PER_CPU(struct krp_pool *, krp_idle_pool);

static __always_inline struct hlist_head *krp_pool_bucket(struct task_struct *tsk)
{
	return &krp_pool_table[hash_ptr(tsk, KRP_POOL_BITS)];
}

/* Under RCU, or for current: a task's own pool is freed only after it dies. */
static __always_inline struct krp_pool *krp_pool_of(struct task_struct *tsk)
{
	struct krp_pool *pool;

	hlist_for_each_entry_rcu_notrace(pool, krp_pool_bucket(tsk), node)
		if (pool->task == tsk)
			return pool;
	/*
	 * PF_IDLE alone also marks a kthread inside play_idle(), which has
	 * a pool of its own or none: never its CPU's idle pool.
	 */
	if (unlikely(is_idle_task(tsk) && !tsk->pid))
		return READ_ONCE(per_cpu(krp_idle_pool, task_cpu(tsk)));
	return NULL;
}

/* The frame of @size bytes at @top of @seg, into which it fits, reserved. */
static __always_inline struct krp_kretprobe_instance *
krp_seg_reserve(struct krp_seg *seg, unsigned int top, unsigned int size)
{
	char *frame = (char *)seg->stack + top;

	WRITE_ONCE(seg->top, top + size);
	barrier();
	*(unsigned long *)(frame + size - sizeof(long)) = size;
	return (struct krp_kretprobe_instance *)frame;
}

/*
 * The pool that a task last found its own with on this CPU, or
 * &krp_pool_none: hits and returns of the task that runs find theirs
 * without the hash walk.  It may be another task's, one that ran here
 * before, but never a freed one: a pool leaves every CPU's entry before
 * the grace period that frees it starts (pool.c).
 */
DECLARE_PER_CPU(struct krp_pool *, krp_pool_last);
extern struct krp_pool krp_pool_none;

/*
 * A filler that found @pool in the hash as it was being unhashed sees
 * it dead and takes it out again, or the freer's scan, ordered after
 * the dead mark as this check is after the store, sees it.
 */
static __always_inline void krp_pool_remember(struct krp_pool *pool)
{
	if (!pool->remembered)
		WRITE_ONCE(pool->remembered, true);
	__this_cpu_write(krp_pool_last, pool);
	/* the store before the read of dead: krp_pool_forget()'s pair */
	smp_mb();
	if (unlikely(READ_ONCE(pool->dead)))
		this_cpu_cmpxchg(krp_pool_last, pool, &krp_pool_none);
}

/* current's pool, on the hit path (preemption disabled) */
static __always_inline struct krp_pool *krp_pool_current(void)
{
	struct krp_pool *pool = __this_cpu_read(krp_pool_last);

	if (likely(pool->task == current))
		return pool;
	pool = krp_pool_of(current);
	/* an idle pool has no task to tell it by */
	if (pool && pool->task == current)
		krp_pool_remember(pool);
	return pool;
}

/*
 * Reserve @size bytes on top of @pool.  @top of the segment moves
 * before any byte of the frame is written: whatever interrupts us after
 * that pushes above the frame, whatever interrupted before has popped
 * back to where it started.  A frame that does not fit the segment on
 * top goes into the one above (krp_seg_above()), and @cur follows only
 * once the frame is reserved there: an interrupt in between sees the
 * old segment on top, and pushes either there or above our frame.  The
 * frame's last word holds its size, for the walk down.
 *
 * Return: 0 and the frame in @rip; -ENOSPC when the task is at its
 * bound (a depth miss); -ENOMEM when no segment was at hand.  An error
 * only the growth can give, so that the common path tests nothing
 * twice.
 */
static __always_inline int krp_frame_push(struct krp_pool *pool,
					  unsigned int size,
					  struct krp_kretprobe_instance **rip)
{
	struct krp_seg *cur = READ_ONCE(pool->cur), *seg = cur;
	unsigned int top = READ_ONCE(seg->top);

	while (unlikely(size > seg->cap - top)) {
		seg = krp_seg_above(seg);
		if (IS_ERR_OR_NULL(seg))
			return seg ? PTR_ERR(seg) : -ENOSPC;
		top = READ_ONCE(seg->top);
	}
	*rip = krp_seg_reserve(seg, top, size);
	if (unlikely(seg != cur))
		WRITE_ONCE(pool->cur, seg);
	return 0;
}

/* Does @seg hold the frame at @p? */
static __always_inline bool krp_seg_holds(struct krp_seg *seg, const void *p)
{
	/* below the base wraps round, above the capacity */
	return (unsigned long)((const char *)p - (const char *)seg->stack) <
	       seg->cap;
}

/*
 * The segment a frame of @pool lies in: @cur or one below.  Another
 * task's pool may change under a reader that raced with it: the walk
 * is bounded by the chain, whose segments are freed only with the pool.
 */
static __always_inline struct krp_seg *
krp_seg_of(struct krp_pool *pool, const void *ri)
{
	struct krp_seg *seg = READ_ONCE(pool->cur);
	unsigned int n = seg->index;

	for (; seg; seg = READ_ONCE(seg->prev)) {
		if (krp_seg_holds(seg, ri))
			return seg;
		if (!n--)
			break;
	}
	return NULL;
}

/* The frame that ends at byte @end (not 0) of @seg; NULL if corrupted. */
static __always_inline struct krp_kretprobe_instance *
krp_seg_frame_at(struct krp_seg *seg, unsigned int end)
{
	char *base = (char *)seg->stack;
	unsigned long size;

	if (unlikely(end > seg->cap))
		return NULL;
	size = *(unsigned long *)(base + end - sizeof(long));
	/* only a corrupted pool gets here */
	if (unlikely(size > end || size < sizeof(struct krp_kretprobe_instance)))
		return NULL;
	return (struct krp_kretprobe_instance *)(base + end - size);
}

/*
 * The frame that ends at byte @end of @seg, or the top frame of the
 * first non-empty segment below; NULL if there is none.
 */
static __always_inline struct krp_kretprobe_instance *
krp_frame_ending_at(struct krp_seg *seg, unsigned int end)
{
	unsigned int n = seg->index;

	while (!end) {
		seg = READ_ONCE(seg->prev);
		if (!seg || !n--)
			return NULL;
		end = READ_ONCE(seg->top);
	}
	return krp_seg_frame_at(seg, end);
}

static __always_inline struct krp_kretprobe_instance *
krp_frame_top(struct krp_pool *pool)
{
	struct krp_seg *seg = READ_ONCE(pool->cur);

	return krp_frame_ending_at(seg, READ_ONCE(seg->top));
}

static __always_inline struct krp_kretprobe_instance *
krp_frame_below(struct krp_pool *pool, struct krp_kretprobe_instance *ri)
{
	struct krp_seg *seg = krp_seg_of(pool, ri);

	if (unlikely(!seg))
		return NULL;
	return krp_frame_ending_at(seg, (char *)ri - (char *)seg->stack);
}

/*
 * Pop @ri, the top frame, from @seg, which holds it; @cur is the
 * segment pool->cur names, passed in so that a caller who knows it
 * loads nothing.  A segment that empties hands pool->cur to the one
 * below; it stays chained above for the next growth.
 */
static __always_inline void krp_seg_pop(struct krp_pool *pool,
					struct krp_seg *cur,
					struct krp_seg *seg,
					struct krp_kretprobe_instance *ri)
{
	unsigned int top = (char *)ri - (char *)seg->stack;

	WRITE_ONCE(seg->top, top);
	if (unlikely(!top) && seg->prev)
		seg = seg->prev;
	if (unlikely(seg != cur))
		WRITE_ONCE(pool->cur, seg);
}

/* Pop @ri, which must be the top frame, wherever it lies. */
static __always_inline void krp_frame_pop(struct krp_pool *pool,
					  struct krp_kretprobe_instance *ri)
{
	struct krp_seg *seg = READ_ONCE(pool->cur);

	if (unlikely(!krp_seg_holds(seg, ri)))
		seg = krp_seg_of(pool, ri);
	krp_seg_pop(pool, READ_ONCE(pool->cur), seg, ri);
}

/*
 * Does @pool hold no frame?  A frame too big for the first segment
 * starts in the one above, which then holds @cur.
 */
static __always_inline bool krp_pool_empty(struct krp_pool *pool)
{
	return READ_ONCE(pool->cur) == &pool->first &&
	       !READ_ONCE(pool->first.top);
}

#endif /* KRP_POOL_H */
