// SPDX-License-Identifier: GPL-2.0
/*
 * Counters.  The hit path only bumps per-CPU counters; sums are made
 * here, when somebody reads them.  A miss also reaches the client's
 * struct, roughly, because kernel clients read nmissed there.
 */
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "stats.h"

DEFINE_PER_CPU(struct krp_cpu_stats, krp_stats);

/**
 * krp_miss() - count an entry or return that ran no handler
 * @p: the probe that missed, or NULL when none was found yet
 * @why: the cause
 *
 * Hit path: any context, NMI included.
 */
void notrace krp_miss(struct krp_probe *p, enum krp_miss why)
{
	struct krp_kretprobe *rp;

	__this_cpu_inc(krp_stats.miss[why]);
	if (!p || why == KRP_MISS_DECLINED)
		return;
	/*
	 * The per-CPU counts are exact and folded into the client's struct
	 * whenever krp reports them; the racy bump keeps a client that
	 * reads nmissed directly, as kernel clients do, roughly current.
	 * Misses are rare in krp, so the shared write stays off hits.
	 */
	if (why == KRP_MISS_RECURSION || why == KRP_MISS_RCU ||
	    why == KRP_MISS_POST) {
		struct krp_kprobe *kp = READ_ONCE(p->kp);

		__this_cpu_inc(p->stats->kp_missed);
		if (kp)	/* racy on purpose, see above */
			data_race(kp->nmissed++);
	} else {
		rp = READ_ONCE(p->rp);
		__this_cpu_inc(p->stats->missed);
		if (rp)	/* racy on purpose, see above */
			data_race(rp->nmissed++);
	}
}
NOKPROBE_SYMBOL(krp_miss);

/**
 * krp_probe_fold() - copy a probe's miss counts into the client's struct
 * @p: a live probe, whose client struct is valid (krp_mutex held)
 */
void krp_probe_fold(struct krp_probe *p)
{
	unsigned long missed = 0, kp_missed = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct krp_probe_stats *s = per_cpu_ptr(p->stats, cpu);

		missed += READ_ONCE(s->missed);
		kp_missed += READ_ONCE(s->kp_missed);
	}
	if (p->rp)
		p->rp->nmissed = missed;
	p->kp->nmissed = kp_missed;
}

/**
 * krp_probe_hits() - hits of a probe so far
 * @p: the probe
 *
 * Return: frames taken (return probes) or pre-handler runs (kprobes),
 * summed over CPUs.
 */
unsigned long krp_probe_hits(struct krp_probe *p)
{
	unsigned long hits = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct krp_probe_stats *s = per_cpu_ptr(p->stats, cpu);

		hits += READ_ONCE(s->pushed) + READ_ONCE(s->hits);
	}
	return hits;
}

/**
 * krp_stats_sum() - add up the global per-CPU counters
 * @sum: where to put the sums; max_depth is the maximum instead
 */
void krp_stats_sum(struct krp_cpu_stats *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		struct krp_cpu_stats *s = per_cpu_ptr(&krp_stats, cpu);

		sum->pushed += READ_ONCE(s->pushed);
		sum->popped += READ_ONCE(s->popped);
		sum->returns += READ_ONCE(s->returns);
		sum->stale += READ_ONCE(s->stale);
		sum->exited += READ_ONCE(s->exited);
		sum->int3_traps += READ_ONCE(s->int3_traps);
		sum->step_traps += READ_ONCE(s->step_traps);
		for (i = 0; i < KRP_MISS_NR; i++)
			sum->miss[i] += READ_ONCE(s->miss[i]);
		sum->max_depth = max(sum->max_depth, READ_ONCE(s->max_depth));
	}
}
