/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the rows of krp_bench.ko share: the report they print into, the
 * measurement of one function, and the empty handlers both sides run.
 */
#ifndef KRP_BENCH_H
#define KRP_BENCH_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/kprobes.h>
#include <linux/types.h>

#include <krp/kprobes.h>

#include "krp_bench_asm.h"

/* hits of krp's probes at int3 entries, for the traps-per-hit figure */
extern atomic_t krp_int3_hits;

__printf(1, 2) void out(const char *fmt, ...);
u64 measure_fn(int (*fn)(int));
void print_mi(const char *name, u32 mi, u32 bare, u32 kernel);

int k_handler(struct kretprobe_instance *ri, struct pt_regs *regs);
int krp_handler(struct krp_kretprobe_instance *ri, struct pt_regs *regs);
int k_pre(struct kprobe *p, struct pt_regs *regs);

/* the rows of krp_bench_int3.c */
void bench_int3(void);
void bench_boost(void);
void bench_kprobe_pre(void);
void bench_kprobe_ss(void);

/* krp_bench_sleepers.c */
void bench_sleepers(void);

#endif /* KRP_BENCH_H */
