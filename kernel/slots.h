/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Out-of-line slots (see slots.c), handed to the arch's int3 sites and
 * direct-call stubs.
 */
#ifndef KRP_SLOTS_ALLOC_H
#define KRP_SLOTS_ALLOC_H

int krp_slot_alloc(unsigned long *slot);
void krp_slots_collect(void);
void krp_slot_free(unsigned long slot);
void krp_slot_unused(unsigned long slot);
unsigned int krp_slots_count(unsigned int *dirty, unsigned int *total);

#endif /* KRP_SLOTS_ALLOC_H */
