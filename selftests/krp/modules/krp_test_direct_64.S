/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A direct call of krp_test.ko's own (krp_test_direct.c): another user
 * of a function's direct slot, as a BPF trampoline would be.  It counts
 * its calls and goes back into the function.  The arithmetic flags are
 * dead at a function's entry.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

	.text
SYM_FUNC_START(krp_test_direct_tramp)
#if defined(CONFIG_MITIGATION_CALL_DEPTH_TRACKING) || defined(CONFIG_CALL_DEPTH_TRACKING)
	CALL_DEPTH_ACCOUNT
#endif
	lock incl krp_test_direct_hits(%rip)
	RET
SYM_FUNC_END(krp_test_direct_tramp)
