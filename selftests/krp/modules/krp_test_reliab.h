/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reliability scenarios (krp_test_reliab.c) and the hand-written
 * target they probe: the kernel's i386 convention, argument and result
 * in %eax.
 */
#ifndef KRP_TEST_RELIAB_H
#define KRP_TEST_RELIAB_H

struct krp_test_scenario {
	const char *name;
	int (*fn)(void);
};

/* ends with an entry whose name is NULL */
extern const struct krp_test_scenario krp_reliab_scenarios[];
void krp_reliab_cleanup(void);

/* krp_rel_opt(x) is x + 67, with a 3-byte lea at +3 */
int krp_rel_opt(int x);
#define KRP_REL_OPT_LEA	3
static inline int krp_rel_opt_ref(int x)
{
	return x + 67;
}

/* where krp_target.ko's krp_target_lea has its 3-byte lea */
#define KRP_TARGET_LEA_OFFSET	3

#endif /* KRP_TEST_RELIAB_H */
