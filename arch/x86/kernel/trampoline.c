// SPDX-License-Identifier: GPL-2.0
/*
 * The layout of the frame regs_frame.inc builds for the return trampoline
 * (trampoline_32.S, trampoline_64.S) and the jump entry (jump_32.S,
 * jump_64.S), checked against struct pt_regs at build time, for each
 * width: a whole struct pt_regs below the flags and return slots.
 */
#include <linux/build_bug.h>
#include <linux/ptrace.h>

#ifdef CONFIG_X86_64
/* KRP_REGS_SAVE pushes 21 words: flags at 18, the two slots at 21, 22 */
static_assert(sizeof(struct pt_regs) == 21 * sizeof(long));
static_assert(offsetof(struct pt_regs, r15) == 0);
static_assert(offsetof(struct pt_regs, bx) == 5 * sizeof(long));
static_assert(offsetof(struct pt_regs, ax) == 10 * sizeof(long));
static_assert(offsetof(struct pt_regs, dx) == 12 * sizeof(long));
static_assert(offsetof(struct pt_regs, di) == 14 * sizeof(long));
static_assert(offsetof(struct pt_regs, orig_ax) == 15 * sizeof(long));
static_assert(offsetof(struct pt_regs, flags) == 18 * sizeof(long));
static_assert(offsetof(struct pt_regs, ss) == 20 * sizeof(long));
#else
/* KRP_REGS_SAVE pushes 17 words: flags at 14, the two slots at 17, 18 */
static_assert(sizeof(struct pt_regs) == 17 * sizeof(long));
static_assert(offsetof(struct pt_regs, dx) == 2 * sizeof(long));
static_assert(offsetof(struct pt_regs, bp) == 5 * sizeof(long));
static_assert(offsetof(struct pt_regs, ax) == 6 * sizeof(long));
static_assert(offsetof(struct pt_regs, gs) == 10 * sizeof(long));
static_assert(offsetof(struct pt_regs, flags) == 14 * sizeof(long));
static_assert(offsetof(struct pt_regs, ss) == 16 * sizeof(long));
#endif
