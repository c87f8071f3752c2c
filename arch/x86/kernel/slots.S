/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The out-of-line slots: a page-aligned run of krp.ko's own text where
 * displaced instructions are copied, each followed by a jump back.  The
 * slots live in krp.ko so that the module reference taken by every
 * client keeps them mapped, and the area starts as int3s: a stray jump
 * into an unused slot traps instead of running garbage.  A slot is
 * entered only by the return from krp's int3 handler, never by an
 * indirect call or jmp, so under IBT (6.12 amd64) it needs no ENDBR.
 *
 * The stack inside a slot is that of the site whose instruction it
 * holds, which no ORC entry of krp.ko can describe (the kernel's own
 * kprobe slots have none at all): the area is marked undefined, so an
 * unwind from an interrupt in a slot stops there and reports an error
 * (a reliable stack trace of a task preempted in a slot fails, and
 * livepatch retries it) instead of walking on with a wrong frame.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/page_types.h>
#include <krp_slots.h>
#ifdef CONFIG_X86_64
#include <asm/unwind_hints.h>

/* 6.4 renamed the hint for a state ORC cannot describe. */
#ifdef UNWIND_HINT_TYPE_UNDEFINED
#define KRP_SLOT_UNWIND_HINT	UNWIND_HINT_UNDEFINED
#else
#define KRP_SLOT_UNWIND_HINT	UNWIND_HINT type=UNWIND_HINT_TYPE_CALL end=0
#endif
#else
#define KRP_SLOT_UNWIND_HINT
#endif

	.pushsection .text, "ax"
	.balign PAGE_SIZE
SYM_CODE_START(krp_slot_area)
	KRP_SLOT_UNWIND_HINT
	ANNOTATE_NOENDBR
	.fill (KRP_NR_SLOTS + KRP_NR_GATES) * KRP_SLOT_SIZE, 1, 0xcc
	/* past the last slot: objtool's walk ends here, not in what follows */
	ud2
SYM_CODE_END(krp_slot_area)
	.popsection
