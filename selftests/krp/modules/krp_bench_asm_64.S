/* SPDX-License-Identifier: GPL-2.0 */
/*
 * krp_bench_*_addcall on x86_64: add $1,%edi; call; ret, in assembly so
 * that the add comes first: a boostable first instruction, and a call in
 * the five bytes the kernel's optimizer would have to copy.  The SysV
 * convention: the argument in %edi, the result in %eax.
 *
 * The call leaves %rsp 8 bytes off the ABI's alignment, which the leaf,
 * a C function without locals, does not care about.  A bare ret, as in
 * krp_test_targets_64.S: both copies keep the same bytes whatever the
 * kernel does to return thunks at load time, and the kernel's probe and
 * krp's are measured on the same code.  C takes the addresses only to
 * probe them: no ENDBR.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/nospec-branch.h>

	.text

	.globl	krp_bench_k_addcall
	.type	krp_bench_k_addcall, @function
krp_bench_k_addcall:
	ANNOTATE_NOENDBR
	add	$1, %edi
	call	krp_bench_leaf
	ANNOTATE_RETPOLINE_SAFE
	ret
	.size	krp_bench_k_addcall, . - krp_bench_k_addcall

	.globl	krp_bench_r_addcall
	.type	krp_bench_r_addcall, @function
krp_bench_r_addcall:
	ANNOTATE_NOENDBR
	add	$1, %edi
	call	krp_bench_leaf
	ANNOTATE_RETPOLINE_SAFE
	ret
	.size	krp_bench_r_addcall, . - krp_bench_r_addcall
