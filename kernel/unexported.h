/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What krp asks of unexported kernel functions (see unexported.c).
 */
#ifndef KRP_UNEXPORTED_H
#define KRP_UNEXPORTED_H

int krp_lookup_name(const char *name, unsigned long *addr);
int krp_fixup_at(unsigned long addr);

#endif /* KRP_UNEXPORTED_H */
