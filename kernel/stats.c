// SPDX-License-Identifier: GPL-2.0
/*
 * Counters.  The hit path only bumps per-CPU counters; sums are made
 * here, when somebody reads them.  A miss also reaches the client's
 * struct, roughly, because kernel clients read nmissed there.
 */
#include <linux/kprobes.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "direct.h"
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
	if (krp_miss_is_kp(why)) {
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
 * krp_miss_add() - count @n misses of @p that krp learnt of afterwards
 * @p: a probe, krp_mutex held
 * @why: the cause
 * @n: how many
 *
 * Process context: the misses that the kernel's kprobes counted for
 * krp's kprobe hook (direct.c).
 */
void krp_miss_add(struct krp_probe *p, enum krp_miss why, unsigned long n)
{
	this_cpu_add(krp_stats.miss[why], n);
	if (krp_miss_is_kp(why))
		this_cpu_add(p->stats->kp_missed, n);
	else
		this_cpu_add(p->stats->missed, n);
}

/**
 * krp_probe_fold() - copy a probe's miss counts into the client's struct
 * @p: a live probe, whose client struct is valid (krp_mutex held)
 */
void krp_probe_fold(struct krp_probe *p)
{
	unsigned long missed = 0, kp_missed = 0;
	int cpu;

	if (p->site)
		krp_direct_collect(p->site);
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

/* frames taken and given back by probes whose counters are freed */
static unsigned long krp_retired_pushed, krp_retired_popped;

static void krp_probe_counts(struct krp_probe *p, unsigned long *pushed,
			     unsigned long *popped)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct krp_probe_stats *s = per_cpu_ptr(p->stats, cpu);

		*pushed += READ_ONCE(s->pushed);
		*popped += READ_ONCE(s->popped);
	}
}

/**
 * krp_stats_retire() - keep the counts of a probe that stops counting
 * @p: an unregistered return probe, after a grace period: no entry
 *     pushes a frame for it any more, and its frames come back to
 *     dead_released since it was killed (krp_mutex held)
 */
void krp_stats_retire(struct krp_probe *p)
{
	lockdep_assert_held(&krp_mutex);
	krp_probe_counts(p, &krp_retired_pushed, &krp_retired_popped);
	list_del(&p->all_node);
}

/**
 * krp_stats_sum() - add up what krp/stats shows
 * @sum: where to put the sums
 *
 * The hit path counts a frame once, on its probe: the totals are the
 * probes' counters, live, unregistered and retired, read under
 * krp_mutex, which keeps every probe on one of the lists.
 */
void krp_stats_sum(struct krp_stats_sum *sum)
{
	unsigned long pushed, popped;
	struct krp_probe *p;
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		struct krp_cpu_stats *s = per_cpu_ptr(&krp_stats, cpu);

		sum->cpu.stale += READ_ONCE(s->stale);
		sum->cpu.exited += READ_ONCE(s->exited);
		sum->cpu.dead_released += READ_ONCE(s->dead_released);
		sum->cpu.int3_traps += READ_ONCE(s->int3_traps);
		sum->cpu.step_traps += READ_ONCE(s->step_traps);
		sum->cpu.jump_hits += READ_ONCE(s->jump_hits);
		sum->cpu.pools_deferred += READ_ONCE(s->pools_deferred);
		for (i = 0; i < KRP_MISS_NR; i++)
			sum->cpu.miss[i] += READ_ONCE(s->miss[i]);
		sum->cpu.max_segs = max(sum->cpu.max_segs,
					READ_ONCE(s->max_segs));
	}
	mutex_lock(&krp_mutex);
	pushed = krp_retired_pushed;
	popped = krp_retired_popped;
	list_for_each_entry(p, &krp_probes, all_node)
		krp_probe_counts(p, &pushed, &popped);
	list_for_each_entry(p, &krp_dying, all_node)
		krp_probe_counts(p, &pushed, &popped);
	mutex_unlock(&krp_mutex);
	sum->hits = pushed;
	sum->released = popped + sum->cpu.dead_released;
}
