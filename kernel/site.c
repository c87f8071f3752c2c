// SPDX-License-Identifier: GPL-2.0
/*
 * Sites: one per probed address, shared by the probes there, in a hash
 * table that the hit path reads under RCU.  A site knows how its entry
 * is hooked (ftrace, or an int3 the arch prepared), whether the hook is
 * in place (arming follows the enabled probes and krp/enabled), and
 * what becomes of it when its text goes (the module notifier).
 *
 * An int3 that cannot be taken out when its site is given up (another
 * patcher wrote inside the instruction) stays, handled: the site is
 * "stuck", stays hashed, holds a reference on krp.ko, and a delayed
 * work retries until the text can be restored.
 *
 * Everything here but the lookup and the reaper's unregister of the
 * ftrace ops runs under krp_mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "arch.h"
#include "direct.h"
#include "ftrace.h"
#include "optimize.h"
#include "resolve.h"
#include "site.h"
#include "slots.h"

DEFINE_MUTEX(krp_mutex);
bool krp_armed = true;

struct hlist_head krp_site_table[1 << KRP_SITE_BITS];
static unsigned int krp_nsites;

/* Stuck sites, each holding a reference on krp.ko. */
static LIST_HEAD(krp_stuck_sites);

/* An ordinary site again; the module reference goes last. */
static void krp_site_unstick(struct krp_site *site)
{
	if (!site->stuck)
		return;
	list_del(&site->stuck_node);
	site->stuck = false;
	module_put(THIS_MODULE);
}

/* Try again to restore the text of stuck sites. */
static void krp_stuck_retry(void)
{
	struct krp_site *site, *next;

	list_for_each_entry_safe(site, next, &krp_stuck_sites, stuck_node) {
		/* probed again meanwhile: it stays, an ordinary site */
		if (!list_empty(&site->probes)) {
			krp_site_unstick(site);
			continue;
		}
		if (site->armed && krp_arch_int3_disarm(site))
			continue;
		site->armed = false;
		pr_info("%s+0x%x: text restored\n", site->sym, site->offset);
		/* unsticks it, then frees it */
		krp_site_put(site);
	}
}

/*
 * The ftrace ops, and the direct calls of functions that lost their
 * sites, are unregistered only once no site has been left for
 * ops_idle_ms: each unregister waits for RCU-tasks with ftrace's locks
 * held, which a task spinning in the kernel holds up, and an ftrace
 * registration meanwhile waits for it.  A tool that detaches
 * everything and attaches again, or a client that registers in cycles,
 * keeps them.
 */
static unsigned int ops_idle_ms = 10000;
module_param(ops_idle_ms, uint, 0644);
MODULE_PARM_DESC(ops_idle_ms,
		 "ms without any site before the shared ftrace ops and idle direct calls are unregistered (default 10000)");
static unsigned long krp_sites_gone_at;

/* Whether the ops may retire now; else when to look again. */
static bool krp_ops_idle_long(unsigned long *wait)
{
	unsigned long due;

	if (krp_nsites)
		return false;
	due = krp_sites_gone_at + msecs_to_jiffies(READ_ONCE(ops_idle_ms));
	if (time_after_eq(jiffies, due))
		return true;
	*wait = due - jiffies;
	return false;
}

/*
 * What waits after detaching: stuck sites and idle ftrace sites a
 * second, the ftrace ops ops_idle_ms once no site is left.  Its
 * unregister waits for RCU-tasks, which a task spinning in the kernel
 * holds up: not under krp_mutex, or every registration would wait for
 * that task too.
 */
static void krp_sites_reap(struct work_struct *work)
{
	bool retire, again, quiet;
	unsigned long wait = 0;
	LIST_HEAD(directs);

	mutex_lock(&krp_mutex);
	krp_stuck_retry();
	if (!list_empty(&krp_stuck_sites))
		queue_delayed_work(system_wq, to_delayed_work(work), HZ);
	quiet = krp_ops_idle_long(&wait);
	krp_direct_reap(&directs, quiet);
	retire = krp_ftrace_reap(quiet, &again);
	if (!retire && wait)
		queue_delayed_work(system_wq, to_delayed_work(work), wait);
	if (again)
		queue_delayed_work(system_wq, to_delayed_work(work), HZ);
	mutex_unlock(&krp_mutex);
	krp_borrowed_flush();
	krp_direct_release(&directs);
	if (!retire)
		return;
	krp_ftrace_retire_ops();
	mutex_lock(&krp_mutex);
	krp_ftrace_retired();
	mutex_unlock(&krp_mutex);
}
static DECLARE_DELAYED_WORK(krp_sites_reaper, krp_sites_reap);

/* Whether @site's entry hook belongs in place right now. */
static bool krp_site_wants_arming(struct krp_site *site)
{
	struct krp_probe *p;

	if (!krp_armed || site->gone)
		return false;
	list_for_each_entry(p, &site->probes, site_node)
		if (!p->disabled)
			return true;
	return false;
}

/*
 * An ftrace site's hook: a direct call where krp can have one, else the
 * shared ops.  Each entry hook runs only the sites that are its own, so
 * a function still hooked the other way, idle, runs nothing twice.
 */
static int krp_site_hook(struct krp_site *site)
{
	if (!krp_direct_add(site)) {
		WRITE_ONCE(site->direct, true);
		return 0;
	}
	/* unarmed, so that neither hook runs the site meanwhile */
	WRITE_ONCE(site->direct, false);
	return krp_ftrace_add(site->addr, site->modname);
}

/**
 * krp_site_sync() - put @site's entry hook in place, or take it out
 * @site: a site
 *
 * As its enabled probes and krp/enabled want it.
 *
 * Return: 0, or an error of arming or disarming; @site->armed then
 * still says what is in place.
 */
int krp_site_sync(struct krp_site *site)
{
	bool want = krp_site_wants_arming(site);
	int ret;

	if (want == site->armed)
		return 0;
	/* its int3 comes out when krp_stuck_retry() can take it out */
	if (site->stuck && !want)
		return 0;
	if (want) {
		if (site->int3)
			krp_jump_uncover(site->addr);
		ret = site->int3 ? krp_arch_int3_arm(site) : krp_site_hook(site);
		if (ret)
			return ret;
		if (site->int3)
			krp_optimize_kick();
	} else if (site->int3) {
		ret = krp_arch_int3_disarm(site);
		if (ret)
			return ret;
		/*
		 * Its detour goes too: a pass waiting for RCU-tasks must not
		 * put a jump in once the original bytes ran meanwhile.
		 */
		krp_jump_drop(site);
		/* a jump its int3 kept out may go in now */
		krp_optimize_kick();
	} else if (site->direct) {
		/*
		 * The hook stays, idle, until the reaper lets it go.  The
		 * site stays marked direct until it is hooked again: a hit
		 * of the hook that read the site before the retire must not
		 * find the shared ops, which may still have the function in
		 * its filter, taking the site as well.
		 */
		krp_direct_collect(site);
		krp_direct_retire(site->addr);
		mod_delayed_work(system_wq, &krp_sites_reaper, HZ);
	} else if (krp_ftrace_del(site->addr)) {
		/* the hook ignores the site until a retry takes it out */
		mod_delayed_work(system_wq, &krp_sites_reaper, HZ);
	}
	WRITE_ONCE(site->armed, want);
	return 0;
}

/**
 * krp_arm_all() - arm or disarm every probe, keeping per-probe states
 * @arm: true to arm
 *
 * Return: 0, or the first error met while arming (the others are still
 * tried, and the global state follows @arm).
 */
int krp_arm_all(bool arm)
{
	struct krp_site *site;
	int i, ret = 0, err;

	mutex_lock(&krp_mutex);
	WRITE_ONCE(krp_armed, arm);
	if (!arm && krp_ftrace_idle_flush(NULL))
		mod_delayed_work(system_wq, &krp_sites_reaper, HZ);
	for (i = 0; i < ARRAY_SIZE(krp_site_table); i++) {
		hlist_for_each_entry(site, &krp_site_table[i], hash_node) {
			err = krp_site_sync(site);
			if (err && !ret)
				ret = err;
		}
	}
	mutex_unlock(&krp_mutex);
	krp_borrowed_flush();
	if (ret)
		pr_warn("not every probe could be armed: %d\n", ret);
	return ret;
}

/**
 * krp_site_get() - the site at @addr, or a new one, not yet hashed
 * @addr: a resolved probe address
 * @err: the error, when NULL is returned
 *
 * Return: the site, or NULL with -ENOMEM or -ENOENT in @err.
 */
struct krp_site *krp_site_get(unsigned long addr, int *err)
{
	struct krp_site *site = krp_site_find(addr);

	if (site)
		return site;
	site = kzalloc(sizeof(*site), GFP_KERNEL);
	if (!site) {
		*err = -ENOMEM;
		return NULL;
	}
	site->addr = addr;
	INIT_LIST_HEAD(&site->probes);
	INIT_LIST_HEAD(&site->guards);
	*err = krp_describe(addr, site->sym, &site->offset, site->modname);
	if (*err) {
		kfree(site);
		return NULL;
	}
	return site;
}

/**
 * krp_site_at_entry() - whether @site is its function's entry
 * @site: a resolved site
 *
 * Return: true at offset 0, or right after the function's ENDBR where
 * the arch has one (IBT), which is where the kernel's kprobes and
 * ftrace put a function's entry.
 */
bool krp_site_at_entry(const struct krp_site *site)
{
	return site->offset == krp_arch_entry_offset(site->addr - site->offset);
}

/**
 * krp_site_classify() - choose how a new site's entry is hooked
 * @site: from krp_site_get(), not hashed
 * @shared: a kprobe of the kernel's is at the address
 * @ftrace: the address is an ftrace site, as krp_resolve() found
 *
 * Where ftrace can hook, it does: an int3 never goes on an ftrace site.
 * Elsewhere the entry is an int3 whose instruction krp must carry out.
 * Only a function's first instruction (after its ENDBR under IBT) is an
 * ftrace site; an address inside ftrace's call fails the boundary check
 * below.  What ftrace can hook is not asked of ftrace itself: every
 * filter change takes ftrace_lock, which an unregister of ftrace ops
 * holds across an RCU-tasks grace period.
 *
 * Return: 0; -EBUSY if the kernel's kprobes are on an int3 site;
 * -EILSEQ if it is not an instruction boundary; or an error of
 * preparing the int3, -EAGAIN among them when only out-of-line slots
 * that wait for a collection are left (krp_slots_collect()).
 */
int krp_site_classify(struct krp_site *site, bool shared, bool ftrace)
{
	int ret;

	if (ftrace)
		return krp_site_at_entry(site) ? 0 : -EINVAL;
	site->int3 = true;
	/* a jump of krp's over the address would hide it from the decoder */
	krp_jump_uncover(site->addr);
	/* first: the kernel's kprobes join krp's guards inside instructions */
	ret = krp_arch_check_boundary(site->addr, site->offset,
				      krp_site_orig_byte);
	if (ret) {
		pr_err("%s+0x%x is not an instruction boundary\n", site->sym,
		       site->offset);
		return ret;
	}
	/*
	 * A kernel kprobe there owns the byte; an optimized one has put a
	 * jump there that goes away with it.
	 */
	if (shared) {
		pr_err("%s+0x%x: the kernel's kprobes are on it\n", site->sym,
		       site->offset);
		return -EBUSY;
	}
	return krp_arch_int3_prepare(site, krp_site_orig_byte);
}

/**
 * krp_site_must_wait() - whether a classified site must wait for ftrace
 * @site: a classified site, nothing made visible yet
 *
 * An ftrace site needs the ftrace ops, which may be retiring.
 *
 * Return: true if the registration must drop krp_mutex, call
 * krp_sites_wait() and start again.
 */
bool krp_site_must_wait(struct krp_site *site)
{
	return !site->int3 && krp_ftrace_retiring();
}

/**
 * krp_sites_wait() - wait for what a registration turned away needs
 *
 * Without krp_mutex: the ftrace ops the reaper is unregistering, and
 * clean out-of-line slots when only dirty ones are left.
 */
void krp_sites_wait(void)
{
	krp_ftrace_wait();
	krp_slots_collect();
}

/**
 * krp_site_hashed() - whether @site is in the table
 * @site: a site
 *
 * Return: true once krp_site_hash() put it there, until it is given up.
 */
bool krp_site_hashed(struct krp_site *site)
{
	return !hlist_unhashed(&site->hash_node);
}

/**
 * krp_site_hash() - make a classified site visible to the hit path
 * @site: a new site with its first probe on it
 */
void krp_site_hash(struct krp_site *site)
{
	hlist_add_head_rcu(&site->hash_node,
			   &krp_site_table[hash_long(site->addr, KRP_SITE_BITS)]);
	krp_nsites++;
}

/**
 * krp_site_discard() - free a new site that never was hashed
 * @site: from krp_site_get(), maybe classified
 */
void krp_site_discard(struct krp_site *site)
{
	if (site->int3)
		krp_arch_int3_release(site);
	kfree(site);
}

/**
 * krp_site_lean_update() - @site's probes changed: is one alone, and lean?
 * @site: a site; krp_mutex held
 *
 * Called after every change of @site's probes or of one's disabled flag.
 * A hit that read the old value is one that raced with the change, as a
 * walk of @probes that saw the old list is; unregister's grace period
 * waits for both.
 */
void krp_site_lean_update(struct krp_site *site)
{
	struct krp_probe *p;

	p = list_first_entry_or_null(&site->probes, struct krp_probe,
				     site_node);
	if (p && (!list_is_singular(&site->probes) || !p->is_ret ||
		  p->entry_handler || p->disabled))
		p = NULL;
	WRITE_ONCE(site->lean, p);
}

/**
 * krp_site_put() - give up @site if no probe is left on it
 * @site: a hashed site, or a gone one
 */
void krp_site_put(struct krp_site *site)
{
	bool idle = false;

	if (!list_empty(&site->probes))
		return;
	if (site->armed && site->int3) {
		/* the old byte is back on every CPU before the site goes */
		if (krp_arch_int3_disarm(site)) {
			/*
			 * An int3 needs its site: keep it hashed, carried
			 * out, and krp loaded to handle it, until a retry
			 * of krp_sites_reap() can restore the text.
			 */
			if (!site->stuck) {
				pr_err("%s+0x%x: cannot restore the text yet; the int3 stays, handled, and krp stays loaded\n",
				       site->sym, site->offset);
				site->stuck = true;
				list_add_tail(&site->stuck_node, &krp_stuck_sites);
				__module_get(THIS_MODULE);
			}
			queue_delayed_work(system_wq, &krp_sites_reaper, HZ);
			return;
		}
		site->armed = false;
	}
	krp_site_unstick(site);
	if (site->armed) {
		/* no probe is left: the site just stops, marked as it was */
		if (site->direct)
			krp_direct_retire(site->addr);
		else
			krp_ftrace_retire(site->addr);
		idle = true;
		WRITE_ONCE(site->armed, false);
	}
	if (krp_site_hashed(site)) {
		hlist_del_rcu(&site->hash_node);
		krp_nsites--;
		if (!krp_nsites)
			krp_sites_gone_at = jiffies;
		if (idle || !krp_nsites)
			mod_delayed_work(system_wq, &krp_sites_reaper, HZ);
	}
	/* a gone site left the hash earlier; readers may still hold either */
	if (site->int3)
		krp_arch_int3_release(site);
	kfree_rcu(site, rcu);
}

/*
 * A site whose text goes away: its probes stay registered, unarmed, and
 * the site leaves the hash so that new text at the same address gets a
 * site of its own.
 */
static void krp_site_kill(struct krp_site *site)
{
	struct krp_probe *p;

	site->gone = true;
	/*
	 * The text goes and nobody runs it any more, which is what the
	 * kernel's kprobes assume of their int3s there too: one that
	 * cannot be taken out is left to go with it.
	 */
	if (krp_site_sync(site) || site->stuck)
		site->armed = false;
	krp_site_unstick(site);
	hlist_del_init_rcu(&site->hash_node);
	if (!--krp_nsites)
		mod_delayed_work(system_wq, &krp_sites_reaper, HZ);
	/* a stuck site has no probes to put it: it goes now, with its slot */
	if (list_empty(&site->probes)) {
		pr_info("%s+0x%x [%s] is gone\n", site->sym, site->offset,
			site->modname);
		krp_site_put(site);
		return;
	}
	list_for_each_entry(p, &site->probes, site_node)
		p->kp->flags |= KRP_FLAG_GONE;
	pr_info("%s [%s] is gone; its probes stay registered, unarmed\n",
		site->sym, site->modname);
}

static int krp_module_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct module *mod = data;
	struct krp_site *site;
	struct hlist_node *tmp;
	int i;

	if (action != MODULE_STATE_GOING && action != MODULE_STATE_LIVE)
		return NOTIFY_DONE;
	mutex_lock(&krp_mutex);
	/* ftrace drops the module's (or its init text's) records next */
	if (krp_ftrace_idle_flush(mod->name))
		mod_delayed_work(system_wq, &krp_sites_reaper, HZ);
	krp_resolve_forget(mod->name);
	for (i = 0; i < ARRAY_SIZE(krp_site_table); i++) {
		hlist_for_each_entry_safe(site, tmp, &krp_site_table[i],
					  hash_node) {
			if (strcmp(site->modname, mod->name))
				continue;
			/* once live, a module's init text is freed */
			if (action == MODULE_STATE_LIVE &&
			    !within_module_init(site->addr, mod))
				continue;
			krp_site_kill(site);
		}
	}
	/* its killed sites left their direct calls idle */
	krp_direct_flush(mod->name);
	mutex_unlock(&krp_mutex);
	krp_borrowed_flush();
	return NOTIFY_DONE;
}

static struct notifier_block krp_module_nb = {
	.notifier_call = krp_module_notify,
};

/**
 * krp_sites_init() - follow modules that go, for their sites
 *
 * Return: 0 or an error of register_module_notifier().
 */
int krp_sites_init(void)
{
	return register_module_notifier(&krp_module_nb);
}

/* At unload: every probe, so every site, is gone. */
void krp_sites_exit(void)
{
	unregister_module_notifier(&krp_module_nb);
	krp_optimize_exit();
	cancel_delayed_work_sync(&krp_sites_reaper);
	mutex_lock(&krp_mutex);
	krp_direct_exit();
	krp_ftrace_exit();
	mutex_unlock(&krp_mutex);
	krp_borrowed_flush();
}
