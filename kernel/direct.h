/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A function's own entry hook, a direct call or a kernel kprobe (see
 * direct.c); under krp_mutex but krp_direct_release().
 */
#ifndef KRP_DIRECT_H
#define KRP_DIRECT_H

/* where the arch's entry (assembly) finds struct krp_direct_hook's regs */
#define KRP_DIRECT_HOOK_REGS	__SIZEOF_POINTER__

#ifndef __ASSEMBLY__

#include <linux/kprobes.h>
#include <linux/list.h>

struct krp_site;

/*
 * What a function's stub hands the entry (krp_direct_lean()): the site
 * the direct call is for, under RCU, NULL while the hook is idle; and
 * whether the site's probes read registers (site->nregs), which the
 * arch reads first, so that such a hit goes to krp_direct_handler()
 * without a try on the lean path.  Only a hint: the lean path checks
 * the site again.  The hook lives as long as its stub can run, so the
 * arch reads it without RCU.  A kprobe hook (i386) is the kprobe in
 * it, whose pre-handler, krp_kprobe_entry(), finds the hook around it;
 * it uses @site alone.
 */
struct krp_direct_hook {
	struct krp_site *site;
	bool regs;
	struct kprobe kp;
};

bool krp_direct_by_kprobe(void);
int krp_direct_add(struct krp_site *site);
void krp_direct_regs_changed(struct krp_site *site);
void krp_direct_collect(struct krp_site *site);
void krp_direct_collect_all(void);
void krp_direct_retire(unsigned long addr);
void krp_direct_reap(struct list_head *out, bool quiet);
void krp_direct_release(struct list_head *list);
void krp_direct_flush(const char *modname);
unsigned int krp_direct_stubs(void);
void krp_direct_exit(void);

#endif /* !__ASSEMBLY__ */

#endif /* KRP_DIRECT_H */
