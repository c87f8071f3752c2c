/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters: the hit path bumps the per-CPU ones directly (krp_stats,
 * p->stats) and reports misses through krp_miss(); the rest reads them.
 */
#ifndef KRP_STATS_H
#define KRP_STATS_H

#include "internal.h"

void krp_miss(struct krp_probe *p, enum krp_miss why);
void krp_miss_add(struct krp_probe *p, enum krp_miss why, unsigned long n);

/*
 * Misses that the kernel's kretprobes count in the kprobe's nmissed, not
 * the kretprobe's: the hit never got as far as a handler's context.
 */
static inline bool krp_miss_is_kp(enum krp_miss why)
{
	return why == KRP_MISS_RECURSION || why == KRP_MISS_RCU ||
	       why == KRP_MISS_POST || why == KRP_MISS_KPROBE;
}
void krp_probe_fold(struct krp_probe *p);
void krp_stats_sum(struct krp_stats_sum *sum);
void krp_stats_retire(struct krp_probe *p);
unsigned long krp_probe_hits(struct krp_probe *p);

#endif /* KRP_STATS_H */
