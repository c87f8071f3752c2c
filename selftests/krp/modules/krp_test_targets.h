/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The functions krp_test.ko probes, defined in krp_test_targets.c.  The
 * scenarios find them by name, so the names are part of the tests (the
 * user-space side greps krp/list for some of them).
 *
 * The hand-written ones (krp_test_ool, krp_test_emu, krp_test_refused,
 * krp_rel_opt, krp_test_ptr, krp_test_fixup, krp_test_jump_fn) are in
 * krp_test_targets_32.S and krp_test_targets_64.S,
 * with the same layout on both: each instruction the scenarios look for
 * at the same offset, the same number of instructions of each kind.
 */
#ifndef KRP_TEST_TARGETS_H
#define KRP_TEST_TARGETS_H

#include <linux/completion.h>
#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/types.h>

int krp_test_target(int x);
u64 krp_test_target64(u64 x);
int krp_test_recurse(int n);

/* asleep until krp_test_wake(): many tasks inside one function */
int krp_test_sleep(int id);
void krp_test_sleep_arm(void);
void krp_test_wake(void);

/* never returns: the task exits inside it */
void krp_test_noreturn(struct completion *done);

/* notrace: entered through an int3, not ftrace */
int krp_test_notrace(int x);
int krp_test_notrace_call(int x);
int krp_test_int3_fn(int x);
int krp_test_int3_rec(int n);
int krp_test_jl_fn(int x);
/* a static branch right after its first instruction; its key */
int krp_test_jump_jl(int x);
/* a tail call of krp_test_jump_fn, its one instruction */
int krp_test_jump_tail(int x);
DECLARE_STATIC_KEY_FALSE(krp_test_key);
void krp_test_key_set(bool on);
int krp_test_deref(int *p);

int krp_test_ool(int x);
int krp_test_ool_ref(int x);
int krp_test_emu(int x);
void krp_test_refused(void);

/* loads, stores and rep string instructions without a fixup; and one with */
#define KRP_TEST_PTR_WORDS	16
int krp_test_ptr(int *b);
int krp_test_ptr_ref(int *b);
int krp_test_fixup(int *p);

/* where krp's optimizer may put a jump: KRP_TEST_JUMP_ADD is its add */
int krp_test_jump_fn(int x);
#ifdef CONFIG_X86_64
#define KRP_TEST_JUMP_ADD	4
#define KRP_TEST_JUMP_LEN	7
#else
#define KRP_TEST_JUMP_ADD	3
#define KRP_TEST_JUMP_LEN	6
#endif

/* read by krp_test_ool: a global load and a per-CPU load */
extern int krp_test_ool_bias;
DECLARE_PER_CPU(int, krp_test_pcpu);

#endif /* KRP_TEST_TARGETS_H */
