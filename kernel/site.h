/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The site table (see site.c).  Its lookup is inline: every hit starts
 * with it, in NMI-like context, under RCU.
 */
#ifndef KRP_SITE_H
#define KRP_SITE_H

#include <linux/hash.h>
#include <linux/rculist.h>

#include "internal.h"

#define KRP_SITE_BITS	8
extern struct hlist_head krp_site_table[1 << KRP_SITE_BITS];

/* The site at @addr, hashed; under RCU or krp_mutex. */
static inline struct krp_site *krp_site_find(unsigned long addr)
{
	struct krp_site *site;
	struct hlist_head *head = &krp_site_table[hash_long(addr, KRP_SITE_BITS)];

	hlist_for_each_entry_rcu_notrace(site, head, hash_node)
		if (site->addr == addr)
			return site;
	return NULL;
}

/*
 * The text byte under one of krp's int3s, for the arch's decoder: it
 * must decode the instruction krp displaced, not krp's int3.  Inline,
 * so that the optimizer, which site.c calls, does not call back.
 */
static inline bool krp_site_orig_byte(unsigned long addr, u8 *byte)
{
	struct krp_site *site = krp_site_find(addr);

	/* a jump's bytes are what the decoder must see: one jmp */
	if (!site || !site->int3 || !site->armed || site->arch.jumped)
		return false;
	*byte = site->arch.orig_byte;
	return true;
}

struct krp_site *krp_site_get(unsigned long addr, int *err);
bool krp_site_at_entry(const struct krp_site *site);
int krp_site_classify(struct krp_site *site, bool shared, bool ftrace);
bool krp_site_must_wait(struct krp_site *site);
void krp_sites_wait(void);
bool krp_site_hashed(struct krp_site *site);
void krp_site_hash(struct krp_site *site);
void krp_site_discard(struct krp_site *site);
void krp_site_put(struct krp_site *site);
void krp_site_lean_update(struct krp_site *site);
int krp_site_sync(struct krp_site *site);
int krp_arm_all(bool arm);
int krp_sites_init(void);
void krp_sites_exit(void);

#endif /* KRP_SITE_H */
