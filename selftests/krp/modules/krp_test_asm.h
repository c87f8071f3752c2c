/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hand-written targets of krp_test.c, defined in its top-level asm:
 * the kernel's i386 convention, argument and result in %eax.
 */
#ifndef KRP_TEST_ASM_H
#define KRP_TEST_ASM_H

int krp_test_ool(int x);
int krp_test_emu(int x);
void krp_test_refused(void);

#endif /* KRP_TEST_ASM_H */
