/* SPDX-License-Identifier: GPL-2.0 */
/*
 * krp_target_lea on i386: never called; a 3-byte lea at +3
 * (KRP_TARGET_LEA_OFFSET in krp_test_reliab.c), for a stuck int3 site
 * whose module goes.
 */
#include <linux/linkage.h>

	.text
	.globl	krp_target_lea
	.type	krp_target_lea, @function
krp_target_lea:
	push	%ebp
	mov	%esp, %ebp
	lea	0x40(%eax), %eax
	pop	%ebp
	ret
	.size	krp_target_lea, . - krp_target_lea
