/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Targets of krp_bench.ko in assembly (krp_bench_asm_32.S, _64.S), and
 * the C leaf they call.
 */
#ifndef KRP_BENCH_ASM_H
#define KRP_BENCH_ASM_H

int krp_bench_k_addcall(int x);
int krp_bench_r_addcall(int x);
int krp_bench_leaf(int x);

#endif /* KRP_BENCH_ASM_H */
