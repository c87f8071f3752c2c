// SPDX-License-Identifier: GPL-2.0
/*
 * Probe lifetime.  A probe that is unregistered while tasks are inside
 * its function becomes DEAD: its frames still restore the right return
 * address, its handler is not called, and the last frame frees it.
 * While any such frame is out, krp.ko holds a reference on itself, so
 * it cannot be unloaded while a return address points into its
 * trampoline.
 *
 * The count of frames out is not known until every CPU's counters are
 * summed, which races with returns that release frames meanwhile: the
 * drain count starts far above any count of frames (biased), returns
 * take it down, and the sum takes the bias off once it is known.
 */
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "pool.h"
#include "probe.h"

/* Far above any count of frames; see krp_probe_drain(). */
#define KRP_DRAIN_BIAS	(LONG_MAX / 2)

static struct workqueue_struct *krp_wq;

static void krp_probe_free_work(struct work_struct *work)
{
	struct krp_probe *p = container_of(work, struct krp_probe, free_work);

	/* the irq_work that queued us may still be finishing */
	irq_work_sync(&p->free_irq_work);
	krp_probe_free(p);
	/* its frames kept pools that may go now */
	krp_pools_recheck();
	/* taken when this probe was unregistered with frames out */
	module_put(THIS_MODULE);
}

static void krp_probe_free_irq_work(struct irq_work *work)
{
	struct krp_probe *p = container_of(work, struct krp_probe,
					   free_irq_work);

	queue_work(krp_wq, &p->free_work);
}

/**
 * krp_probe_alloc() - krp's state for a new probe, not yet on any list
 *
 * Return: the probe, zeroed but for its counters and free work, or NULL.
 */
struct krp_probe *krp_probe_alloc(void)
{
	struct krp_probe *p;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return NULL;
	p->stats = alloc_percpu(struct krp_probe_stats);
	if (!p->stats) {
		kfree(p);
		return NULL;
	}
	INIT_WORK(&p->free_work, krp_probe_free_work);
	init_irq_work(&p->free_irq_work, krp_probe_free_irq_work);
	return p;
}

/**
 * krp_probe_free() - free a probe that no frame and no hit can reach
 * @p: the probe
 */
void krp_probe_free(struct krp_probe *p)
{
	free_percpu(p->stats);
	kfree(p);
}

/**
 * krp_probe_kill() - turn a probe just unlinked from its site DEAD
 * @p: the probe; krp_mutex held
 *
 * From here on a frame of @p that goes away counts down its drain.
 */
void krp_probe_kill(struct krp_probe *p)
{
	atomic_long_set(&p->drain, KRP_DRAIN_BIAS);
	/* order the bias before any release that sees KRP_DEAD */
	smp_wmb();
	WRITE_ONCE(p->state, KRP_DEAD);
}

/**
 * krp_probe_drain() - free a dead probe now, or when its last frame goes
 * @p: a DEAD probe, after a grace period: nothing runs its handlers
 */
void krp_probe_drain(struct krp_probe *p)
{
	long out = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct krp_probe_stats *s = per_cpu_ptr(p->stats, cpu);

		out += s->pushed - s->popped;
	}
	WRITE_ONCE(p->rp, NULL);
	WRITE_ONCE(p->kp, NULL);
	if (!out) {
		krp_probe_free(p);
		return;
	}
	/* frames are out: stay loaded until the last one comes back */
	__module_get(THIS_MODULE);
	if (atomic_long_sub_and_test(KRP_DRAIN_BIAS - out, &p->drain))
		queue_work(krp_wq, &p->free_work);
}

/**
 * krp_probe_init() - the workqueue that frees dead probes
 *
 * Return: 0 or -ENOMEM.
 */
int krp_probe_init(void)
{
	krp_wq = alloc_workqueue("krp", 0, 0);
	return krp_wq ? 0 : -ENOMEM;
}

/* No dead probe is left: each held krp.ko until it was freed. */
void krp_probe_exit(void)
{
	destroy_workqueue(krp_wq);
}
