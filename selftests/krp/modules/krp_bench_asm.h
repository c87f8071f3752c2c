/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Targets of krp_bench.c defined in its top-level asm: the kernel's
 * i386 convention, argument and result in %eax.
 */
#ifndef KRP_BENCH_ASM_H
#define KRP_BENCH_ASM_H

int krp_bench_k_addcall(int x);
int krp_bench_r_addcall(int x);

#endif /* KRP_BENCH_ASM_H */
