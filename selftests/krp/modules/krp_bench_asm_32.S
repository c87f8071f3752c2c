/* SPDX-License-Identifier: GPL-2.0 */
/*
 * krp_bench_*_addcall on i386: add $1,%eax; call; ret, in assembly so
 * that the add comes first: a boostable first instruction, and a call in
 * the five bytes the kernel's optimizer would have to copy.  The
 * kernel's i386 convention: argument and result in %eax.
 */
#include <linux/linkage.h>

	.text

	.globl	krp_bench_k_addcall
	.type	krp_bench_k_addcall, @function
krp_bench_k_addcall:
	add	$1, %eax
	call	krp_bench_leaf
	ret
	.size	krp_bench_k_addcall, . - krp_bench_k_addcall

	.globl	krp_bench_r_addcall
	.type	krp_bench_r_addcall, @function
krp_bench_r_addcall:
	add	$1, %eax
	call	krp_bench_leaf
	ret
	.size	krp_bench_r_addcall, . - krp_bench_r_addcall
