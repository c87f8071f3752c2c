/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Size of the out-of-line slot area in krp.ko's text; shared by the
 * assembly that reserves it and the C that hands slots and gates out.
 */
#ifndef KRP_SLOTS_H
#define KRP_SLOTS_H

/* the longest instruction, 15 bytes, and a 5-byte jmp back fit */
#define KRP_SLOT_SIZE	32
#define KRP_NR_SLOTS	1024
/* after the slots, call gates to unexported functions (text.c) */
#define KRP_NR_GATES	2

#endif /* KRP_SLOTS_H */
