// SPDX-License-Identifier: GPL-2.0
/*
 * Entry-to-return latency histograms of defined return probes: per-CPU
 * log2 slots, summed when read, printed as bcc's funclatency prints
 * its own so that people and tools that read one read the other:
 *
 *	     nsecs               : count     distribution
 *	         0 -> 1          : 0        |                                        |
 *	...
 *	avg = 1234 nsecs, total: 56789 nsecs, count: 46, missed: 0
 *
 * Rows go from the first to the last non-empty slot.  Reading needs no
 * ring buffer and no tracing: the counts are kept on every return.
 */
#include <linux/cpumask.h>
#include <linux/math64.h>
#include <linux/seq_file.h>

#include "hist.h"

#define KRP_HIST_BAR	40

/**
 * krp_hist_init() - allocate an empty histogram
 * @h: the histogram
 *
 * Return: 0 or -ENOMEM.
 */
int krp_hist_init(struct krp_hist *h)
{
	h->cpu = alloc_percpu(struct krp_hist_cpu);
	return h->cpu ? 0 : -ENOMEM;
}

/**
 * krp_hist_free() - free a histogram nothing updates any more
 * @h: the histogram
 */
void krp_hist_free(struct krp_hist *h)
{
	free_percpu(h->cpu);
	h->cpu = NULL;
}

/**
 * krp_hist_show() - print a histogram, funclatency-style
 * @m: where
 * @h: the histogram
 * @missed: the probe's misses, shown beside the counts
 */
void krp_hist_show(struct seq_file *m, struct krp_hist *h,
		   unsigned long missed)
{
	unsigned long sum[KRP_HIST_SLOTS] = { 0 }, max = 0, count = 0;
	int cpu, i, first = -1, last = -1, width;
	u64 total = 0;

	for_each_possible_cpu(cpu) {
		struct krp_hist_cpu *c = per_cpu_ptr(h->cpu, cpu);

		for (i = 0; i < KRP_HIST_SLOTS; i++)
			sum[i] += READ_ONCE(c->slot[i]);
		total += local64_read(&c->total_ns);
	}
	for (i = 0; i < KRP_HIST_SLOTS; i++) {
		if (!sum[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		count += sum[i];
		max = max(max, sum[i]);
	}
	/* funclatency widens its columns past 32 slots */
	width = last > 32 ? 20 : 10;
	seq_printf(m, "%*s%-*s : count     distribution\n", width - 5, "",
		   width + 9, "nsecs");
	for (i = first; first >= 0 && i <= last; i++) {
		u64 low = i ? 1ULL << (i - 1) : 0;
		u64 high = i < 64 ? (1ULL << i) - 1 : U64_MAX;
		unsigned int stars = div64_ul((u64)KRP_HIST_BAR * sum[i], max);

		/* as funclatency: slot 1 (1 ns) reads 0 -> 1; slot 0 is 0 ns */
		if (low == high && low)
			low--;
		seq_printf(m, "%*llu -> %-*llu : %-8lu |%.*s%*s|\n",
			   width, low, width, high, sum[i], stars,
			   "****************************************",
			   KRP_HIST_BAR - stars, "");
	}
	seq_printf(m, "avg = %llu nsecs, total: %llu nsecs, count: %lu, missed: %lu\n",
		   count ? div64_ul(total, count) : 0, total, count, missed);
}
