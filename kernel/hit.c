// SPDX-License-Identifier: GPL-2.0
/*
 * What the hit path in shares out of line (hit.h): the recursion guard's
 * per-CPU bits, and the misses of a whole site.
 */
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/rculist.h>

#include "hit.h"
#include "site.h"
#include "stats.h"

/* hit.h says why; set around every handler call */
DEFINE_PER_CPU(unsigned int, krp_busy);

/* Every live probe of @site that would have run misses, for @why (hit.h). */
void notrace krp_site_miss(struct krp_site *site, enum krp_miss why)
{
	struct krp_probe *p;

	list_for_each_entry_rcu(p, &site->probes, site_node)
		if (!READ_ONCE(p->disabled) && READ_ONCE(p->state) == KRP_LIVE)
			krp_miss(p, why);
}
NOKPROBE_SYMBOL(krp_site_miss);
