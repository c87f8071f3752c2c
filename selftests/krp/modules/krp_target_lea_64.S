/* SPDX-License-Identifier: GPL-2.0 */
/*
 * krp_target_lea on x86_64: never called; a 3-byte lea at +3, as on
 * i386 (KRP_TARGET_LEA_OFFSET in krp_test_reliab.c), for a stuck int3
 * site whose module goes.  A 2-byte push of %r12 makes up for the longer
 * frame set-up; a bare ret keeps the layout fixed (see
 * krp_test_targets_64.S).
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/nospec-branch.h>

	.text
	.globl	krp_target_lea
	.type	krp_target_lea, @function
krp_target_lea:
	push	%rbp
	push	%r12
	lea	0x40(%rdi), %eax		/* +3 */
	pop	%r12
	pop	%rbp
	ANNOTATE_RETPOLINE_SAFE
	ret
	.size	krp_target_lea, . - krp_target_lea
