/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The direct-call entry (see direct.c); under krp_mutex but
 * krp_direct_release().
 */
#ifndef KRP_DIRECT_H
#define KRP_DIRECT_H

#include <linux/list.h>

struct krp_site;

/*
 * What a function's stub hands the entry (krp_direct_handler()): the
 * site the direct call is for, under RCU, NULL while the hook is idle.
 */
struct krp_direct_hook {
	struct krp_site *site;
};

int krp_direct_add(struct krp_site *site);
void krp_direct_retire(unsigned long addr);
void krp_direct_reap(struct list_head *out);
void krp_direct_release(struct list_head *list);
void krp_direct_flush(const char *modname);
unsigned int krp_direct_stubs(void);
void krp_direct_exit(void);

#endif /* KRP_DIRECT_H */
