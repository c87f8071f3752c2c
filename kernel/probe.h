/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probe lifetime (see probe.c): making and freeing krp's state for a
 * probe, and the inline accounting of a frame that goes away, which
 * every return runs.
 */
#ifndef KRP_PROBE_H
#define KRP_PROBE_H

#include <linux/atomic.h>
#include <linux/irq_work.h>

#include "internal.h"

struct krp_probe *krp_probe_alloc(void);
void krp_probe_free(struct krp_probe *p);
void krp_probe_kill(struct krp_probe *p);
void krp_probe_drain(struct krp_probe *p);
int krp_probe_init(void);
void krp_probe_exit(void);

/* Does @p read the registers at entry: a plain kprobe, an entry handler? */
static inline bool krp_probe_reads_regs(const struct krp_probe *p)
{
	return !p->is_ret || p->entry_handler;
}

/*
 * A frame of @p went away by any path; preemption is disabled.  The
 * last frame of an unregistered probe frees it.  That may happen in
 * NMI, where queue_work() must not be called: go through an irq_work.
 */
static __always_inline void krp_frame_release(struct krp_probe *p)
{
	if (likely(READ_ONCE(p->state) == KRP_LIVE)) {
		__this_cpu_inc(p->stats->popped);
		return;
	}
	__this_cpu_inc(krp_stats.dead_released);
	if (atomic_long_dec_and_test(&p->drain))
		irq_work_queue(&p->free_irq_work);
}

#endif /* KRP_PROBE_H */
