/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-task pools (see pool.c for the design): the lifecycle calls, and
 * the hit-path half, inline because every probe hit and every return
 * goes through it.
 */
#ifndef KRP_POOL_H
#define KRP_POOL_H

#include <linux/hash.h>
#include <linux/rculist.h>
#include <linux/sched.h>

#include "internal.h"

struct krp_pool {
	union {
		struct hlist_node node;	/* in krp_pool_table */
		struct list_head spare;	/* before it is installed */
	};
	struct task_struct *task;
	unsigned int top;	/* bytes of @stack in use */
	unsigned int depth;	/* frames in use */
	unsigned int cap;	/* bytes of @stack */
	struct rcu_head rcu;
	unsigned long stack[];
};

/* pool.c: the lifecycle, in process context */
int krp_pools_init(void);
void krp_pools_exit(void);
int krp_pools_enable(void);
unsigned long krp_pools_count(void);
unsigned int krp_pool_capacity(void);

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
		return per_cpu(krp_idle_pool, task_cpu(tsk));
	return NULL;
}

/*
 * Reserve @size bytes on top of @pool.  @top moves before any byte of
 * the frame is written: whatever interrupts us after that pushes above
 * the frame, whatever interrupted before has popped back to where it
 * started.  The frame's last word holds its size, for the walk down.
 */
static __always_inline struct krp_kretprobe_instance *
krp_frame_push(struct krp_pool *pool, unsigned int size)
{
	unsigned int top = READ_ONCE(pool->top);
	unsigned int depth;
	char *frame;

	if (unlikely(size > pool->cap - top))
		return NULL;
	WRITE_ONCE(pool->top, top + size);
	barrier();
	frame = (char *)pool->stack + top;
	*(unsigned long *)(frame + size - sizeof(long)) = size;
	depth = pool->depth + 1;
	WRITE_ONCE(pool->depth, depth);
	if (unlikely(depth > __this_cpu_read(krp_stats.max_depth)))
		__this_cpu_write(krp_stats.max_depth, depth);
	__this_cpu_inc(krp_stats.pushed);
	return (struct krp_kretprobe_instance *)frame;
}

/* The frame that ends at byte @end of the stack, or NULL. */
static __always_inline struct krp_kretprobe_instance *
krp_frame_ending_at(struct krp_pool *pool, unsigned int end)
{
	char *base = (char *)pool->stack;
	unsigned long size;

	if (!end)
		return NULL;
	size = *(unsigned long *)(base + end - sizeof(long));
	/* only a corrupted pool gets here */
	if (unlikely(size > end || size < sizeof(struct krp_kretprobe_instance)))
		return NULL;
	return (struct krp_kretprobe_instance *)(base + end - size);
}

static __always_inline struct krp_kretprobe_instance *
krp_frame_top(struct krp_pool *pool)
{
	return krp_frame_ending_at(pool, READ_ONCE(pool->top));
}

static __always_inline struct krp_kretprobe_instance *
krp_frame_below(struct krp_pool *pool, struct krp_kretprobe_instance *ri)
{
	return krp_frame_ending_at(pool, (char *)ri - (char *)pool->stack);
}

/* Pop @ri, which must be the top frame. */
static __always_inline void krp_frame_pop(struct krp_pool *pool,
					  struct krp_kretprobe_instance *ri)
{
	WRITE_ONCE(pool->top, (char *)ri - (char *)pool->stack);
	WRITE_ONCE(pool->depth, pool->depth - 1);
	__this_cpu_inc(krp_stats.popped);
}

#endif /* KRP_POOL_H */
