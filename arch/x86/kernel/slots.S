/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The out-of-line slots: a page-aligned run of krp.ko's own text where
 * displaced instructions are copied, each followed by a jump back.  The
 * slots live in krp.ko so that the module reference taken by every
 * client keeps them mapped, and the area starts as int3s: a stray jump
 * into an unused slot traps instead of running garbage.  A slot is
 * entered only by the return from krp's int3 handler, never by an
 * indirect call or jmp, so under IBT (6.12 amd64) it needs no ENDBR.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/page_types.h>
#include <krp_slots.h>

	.pushsection .text, "ax"
	.balign PAGE_SIZE
SYM_CODE_START(krp_slot_area)
	ANNOTATE_NOENDBR
	.fill KRP_NR_SLOTS * KRP_SLOT_SIZE, 1, 0xcc
SYM_CODE_END(krp_slot_area)
	.popsection
