/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86_64-only targets of krp_test.ko (krp_test_longmode_64.S) and
 * the scenarios that probe them (krp_test_longmode.c).
 */
#ifndef KRP_TEST_LONGMODE_H
#define KRP_TEST_LONGMODE_H

#include <linux/types.h>

long krp_test_lm(long x);
void krp_test_lm_refused(void);
void krp_test_lm_form(void);
void krp_test_lm_add5(void);
void krp_test_lm_add7(void);

/* the offset of each instruction, in order, and the table's end */
extern const u8 krp_test_lm_offs[], krp_test_lm_offs_end[];
extern const u8 krp_test_lm_refused_offs[], krp_test_lm_refused_offs_end[];
extern const u8 krp_test_lm_form_offs[], krp_test_lm_form_offs_end[];
/* their lengths, without the padding kallsyms counts in */
extern const u8 krp_test_lm_len[], krp_test_lm_refused_len[];
extern const u8 krp_test_lm_form_len[];
/* where krp_test_lm's indirect jmp lands: an ENDBR under IBT */
extern const u8 krp_test_lm_endbr[];

/* read and written by krp_test_lm */
extern u64 krp_test_lm_data[2], krp_test_lm_store, krp_test_lm_seen;
extern u64 krp_test_lm_jmpptr;
extern u32 krp_test_lm_mask;

int scenario_lm_arm_boost(void);
int scenario_lm_arm_step(void);
int scenario_lm_call(void);
int scenario_lm_disarm(void);
int scenario_lm_refuse(void);
int scenario_lm_form_taken(void);
int scenario_lm_form_refused(void);
void krp_test_lm_exit(void);

#endif /* KRP_TEST_LONGMODE_H */
