/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latency histograms of defined return probes (see hist.c); the update
 * is inline: it runs on every return.
 */
#ifndef KRP_HIST_H
#define KRP_HIST_H

#include <asm/local64.h>
#include <linux/bitops.h>
#include <linux/percpu.h>
#include <linux/types.h>

/* slot i counts [2^(i-1), 2^i - 1] ns, slot 1 also 0; as bcc's log2l */
#define KRP_HIST_SLOTS	65

struct krp_hist_cpu {
	unsigned long slot[KRP_HIST_SLOTS];
	local64_t total_ns;
};

struct krp_hist {
	struct krp_hist_cpu __percpu *cpu;
};

struct seq_file;

int krp_hist_init(struct krp_hist *h);
void krp_hist_free(struct krp_hist *h);
void krp_hist_show(struct seq_file *m, struct krp_hist *h,
		   unsigned long missed);

/*
 * Count one return that took @ns.  Hit path, preemption off: per-CPU
 * single-instruction increments and a local64 add, safe against an NMI
 * that counts on the same CPU.
 */
static inline void krp_hist_add(struct krp_hist *h, u64 ns)
{
	unsigned int i = ns ? fls64(ns) : 1;

	this_cpu_inc(h->cpu->slot[i]);
	local64_add(ns, this_cpu_ptr(&h->cpu->total_ns));
}

#endif /* KRP_HIST_H */
