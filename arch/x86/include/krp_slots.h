/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Size of the out-of-line slot area in krp.ko's text; shared by the
 * assembly that reserves it and the C that hands slots and gates out.
 */
#ifndef KRP_SLOTS_H
#define KRP_SLOTS_H

/*
 * Two copies of the instruction a slot: at 0, boosted, followed by a
 * 5-byte jmp back; at KRP_SLOT_STEP, single-stepped, followed by an
 * int3.  A power of two, so that no slot straddles a page (text writes
 * are page by page).
 */
#define KRP_SLOT_SIZE	64
#define KRP_SLOT_STEP	32
#define KRP_NR_SLOTS	4096
/* after the slots, call gates to unexported functions (text.c) */
#define KRP_NR_GATES	2

#endif /* KRP_SLOTS_H */
