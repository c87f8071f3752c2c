// SPDX-License-Identifier: GPL-2.0
/*
 * The optimizer: which int3 sites become jumps, and when (the arch's
 * jump.c does the analysis and the writes).  A trap costs a hit several
 * hundred instructions; a jump to a detour costs a call.
 *
 * A site may take a jump when it is an armed int3 site, none of its
 * probes has a post-handler (a jump cannot stop after the instruction,
 * as with the kernel's optimizer), and no other armed site of krp's is
 * in the bytes the jump would cover.  The work runs in a delayed work,
 * never in a registration: first the detour of each such site is
 * published, so that its int3 goes on through the detour's copy and no
 * task enters the covered bytes any more; then, without krp_mutex,
 * RCU-tasks and its rude flavour (the idle task) wait until every task
 * that may have been inside them left; then the jumps are written.
 *
 * A site leaves its jump, and its detour, when a probe with a
 * post-handler joins it or another site of krp's is made or armed
 * inside the covered bytes (krp_jump_uncover()); disarming takes the
 * jump out before the int3.  A detour is freed with its slot's grace
 * periods (slots.c), so a task preempted inside it runs on safely.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate_wait.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "arch.h"
#include "internal.h"
#include "optimize.h"
#include "resolve.h"
#include "site.h"

/*
 * Off by default: without kprobe_mutex, a kernel kprobe that joins one
 * of the guards while a jump goes in may arm inside the live jump later
 * (Documentation/design.md, "Jumps instead of int3s").
 */
static bool optimize;

/* the optimizer's passes, counted under krp_mutex */
static unsigned long krp_jump_gen;

static void krp_optimize(struct work_struct *work);
static DECLARE_DELAYED_WORK(krp_optimizer, krp_optimize);
/* no kick queues the work once unload has cancelled it */
static DEFINE_SPINLOCK(krp_optimize_lock);
static bool krp_optimize_exiting;

/*
 * Switched on, the optimizer looks at the sites already armed; not
 * while krp loads (insmod's parameters), when nothing may be queued
 * that a failed init would leave behind.
 */
static int krp_optimize_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_bool(val, kp);

	if (!ret && THIS_MODULE->state == MODULE_STATE_LIVE)
		krp_optimize_kick();
	return ret;
}

static const struct kernel_param_ops krp_optimize_ops = {
	.set = krp_optimize_set,
	.get = param_get_bool,
};
module_param_cb(optimize, &krp_optimize_ops, &optimize, 0644);
MODULE_PARM_DESC(optimize,
		 "replace int3s by jumps where the analysis allows (default N; N keeps the int3 of each site armed from then on, takes no jump out)");

/* the kernel's optimizer waits 5 jiffies for more to come; so does krp */
#define KRP_OPTIMIZE_DELAY	5

/**
 * krp_optimize_kick() - look for sites to optimize, soon
 */
void krp_optimize_kick(void)
{
	spin_lock(&krp_optimize_lock);
	if (READ_ONCE(optimize) && !krp_optimize_exiting)
		mod_delayed_work(system_wq, &krp_optimizer, KRP_OPTIMIZE_DELAY);
	spin_unlock(&krp_optimize_lock);
}

/* Whether @site may take a jump; krp_mutex held. */
static bool krp_jump_wanted(struct krp_site *site)
{
	struct krp_probe *p;

	if (!READ_ONCE(optimize) || !site->int3 || !site->armed ||
	    site->stuck || site->gone)
		return false;
	list_for_each_entry(p, &site->probes, site_node)
		if (p->post_handler)
			return false;
	return true;
}

/**
 * krp_jump_drop() - back from a jump, or a published detour, to the int3
 * @site: an int3 site
 *
 * krp_mutex held; krp_borrowed_flush() must follow outside it.
 *
 * Return: 0, or -EBUSY (or an error of a write) with the jump in place.
 */
int krp_jump_drop(struct krp_site *site)
{
	int ret;

	if (!site->int3)
		return 0;
	ret = krp_arch_jump_remove(site, true);
	if (ret)
		return ret;
	krp_arch_jump_release(site);
	site->jump_gen = 0;
	return 0;
}

/**
 * krp_jump_uncover() - take out the jumps and detours that cover @addr
 * @addr: where a site of krp's is about to be made or armed
 *
 * A jump would hide the instruction at @addr from its own int3; a
 * published detour would run a copy of it.  The sites covering it stay
 * on their int3s while a site is inside, and the optimizer looks at them
 * again soon.  krp_mutex held; krp_borrowed_flush() must follow outside
 * it.
 *
 * Return: true if one was taken out.
 */
bool krp_jump_uncover(unsigned long addr)
{
	struct krp_site *site;
	bool found = false;
	int i;

	for (i = 0; i < ARRAY_SIZE(krp_site_table); i++) {
		hlist_for_each_entry(site, &krp_site_table[i], hash_node) {
			if (!site->int3 || !site->arch.detour ||
			    addr <= site->addr ||
			    addr >= site->addr + site->arch.jlen)
				continue;
			if (!krp_jump_drop(site))
				found = true;
		}
	}
	if (found)
		krp_optimize_kick();
	return found;
}

/* Publish the detours of the sites that may take a jump. */
static unsigned int krp_optimize_publish(unsigned long gen)
{
	struct krp_site *site;
	unsigned int n = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(krp_site_table); i++) {
		hlist_for_each_entry(site, &krp_site_table[i], hash_node) {
			if (site->arch.jumped || !krp_jump_wanted(site))
				continue;
			if (krp_arch_jump_prepare(site, krp_site_orig_byte)) {
				krp_jump_drop(site);
				continue;
			}
			site->jump_gen = gen;
			n++;
		}
	}
	return n;
}

/* The jumps of the sites published at @gen or before. */
static void krp_optimize_write(unsigned long gen)
{
	struct krp_site *site;
	int i;

	for (i = 0; i < ARRAY_SIZE(krp_site_table); i++) {
		hlist_for_each_entry(site, &krp_site_table[i], hash_node) {
			if (!site->jump_gen || site->jump_gen > gen ||
			    site->arch.jumped)
				continue;
			if (!krp_jump_wanted(site) || krp_arch_jump_write(site))
				krp_jump_drop(site);
		}
	}
}

/*
 * A kernel kprobe that joined a guard before the guards were given back
 * may have put its int3 inside a jump: the site's int3 goes back over
 * the jump's first byte, and the site stays on it, stuck if it must be
 * given up, until the kernel's kprobe is gone.
 */
static void krp_optimize_check(void)
{
	struct krp_site *site;
	int i;

	for (i = 0; i < ARRAY_SIZE(krp_site_table); i++) {
		hlist_for_each_entry(site, &krp_site_table[i], hash_node) {
			if (!site->arch.jumped || krp_arch_jump_intact(site))
				continue;
			if (krp_arch_jump_trap(site))
				pr_err("%s+0x%x: another patcher wrote inside krp's jump; back to the int3\n",
				       site->sym, site->offset);
		}
	}
}

static void krp_optimize(struct work_struct *work)
{
	unsigned long gen;
	unsigned int n;

	mutex_lock(&krp_mutex);
	/* every pass looks at the jumps already in, too */
	krp_optimize_check();
	gen = ++krp_jump_gen;
	n = krp_optimize_publish(gen);
	mutex_unlock(&krp_mutex);
	krp_borrowed_flush();
	if (!n)
		return;
	synchronize_rcu_tasks();
	synchronize_rcu_tasks_rude();
	mutex_lock(&krp_mutex);
	krp_optimize_write(gen);
	mutex_unlock(&krp_mutex);
	krp_borrowed_flush();
	mutex_lock(&krp_mutex);
	krp_optimize_check();
	mutex_unlock(&krp_mutex);
}

/**
 * krp_optimize_exit() - at unload, once every probe is gone
 */
void krp_optimize_exit(void)
{
	spin_lock(&krp_optimize_lock);
	krp_optimize_exiting = true;
	spin_unlock(&krp_optimize_lock);
	cancel_delayed_work_sync(&krp_optimizer);
}
