/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The optimizer (see optimize.c): int3 sites that become jumps.
 */
#ifndef KRP_OPTIMIZE_H
#define KRP_OPTIMIZE_H

#include <linux/types.h>

struct krp_site;

void krp_optimize_kick(void);
int krp_jump_drop(struct krp_site *site);
bool krp_jump_uncover(unsigned long addr);
void krp_optimize_exit(void);

#endif /* KRP_OPTIMIZE_H */
