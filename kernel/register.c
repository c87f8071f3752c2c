// SPDX-License-Identifier: GPL-2.0
/*
 * The exported API: register and unregister (one probe or a batch),
 * enable and disable, nmissed, for return probes and plain kprobes
 * alike, and the checks of what may be probed at all.
 *
 * A probe is on its site's list, visible to the hit path, only once the
 * client's struct is final; unregistering unlinks it, waits one grace
 * period for the whole batch (handlers run with preemption disabled),
 * and leaves its frames to probe.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "direct.h"
#include "optimize.h"
#include "pool.h"
#include "probe.h"
#include "resolve.h"
#include "site.h"
#include "stats.h"

LIST_HEAD(krp_probes);
LIST_HEAD(krp_dying);

static int krp_check_target(unsigned long addr, struct krp_site *site,
			    bool is_ret)
{
	if (within_module(addr, THIS_MODULE)) {
		pr_err("%pS is krp's own code\n", (void *)addr);
		return -EINVAL;
	}
	/*
	 * Static-call trampolines are rewritten by static_call_update(),
	 * which BUG()s on a byte it did not write; i386 has no inline static
	 * calls, so the kernel's static_call_text_reserved() does not see
	 * them.
	 */
	if (str_has_prefix(site->sym, "__SCT__")) {
		pr_err("%s is a static-call trampoline\n", site->sym);
		return -EINVAL;
	}
	if (!is_ret)
		return 0;
	if (!krp_site_at_entry(site)) {
		pr_err("%s+0x%x is not a function entry\n", site->sym,
		       site->offset);
		return -EINVAL;
	}
	/* it switches stacks: the return lands in another task */
	if (!strcmp(site->sym, "__switch_to")) {
		pr_err("%s cannot be return-probed\n", site->sym);
		return -EINVAL;
	}
	return 0;
}

/*
 * Register a plain kprobe (@rp NULL) or a kretprobe (@kp == &@rp->kp);
 * @link is the client's pointer to krp's state.  -EAGAIN: nothing was
 * done, and what the registration needs comes only after a wait that
 * must not hold krp_mutex (see krp_register_common()).
 */
static int krp_register_once(struct krp_kprobe *kp, struct krp_kretprobe *rp,
			     struct krp_probe **link)
{
	unsigned int frame_size = 0, old_flags;
	krp_opcode_t *old_addr;
	struct krp_site *site;
	struct krp_probe *p;
	unsigned long addr;
	bool new_site, shared, ftrace, copy_refused = false;
	int ret;

	if (READ_ONCE(*link))
		return -EBUSY;
	/* as the kernel does: only DISABLED is the caller's to set */
	kp->flags &= KRP_FLAG_DISABLED;
	if (rp) {
		if (rp->data_size > KRP_KRETPROBE_MAX_DATA_SIZE)
			return -E2BIG;
		frame_size = sizeof(struct krp_kretprobe_instance) +
			     ALIGN(rp->data_size, sizeof(long)) + sizeof(long);
		if (frame_size > krp_pool_capacity()) {
			pr_err("data_size %zu does not fit pool_size; load krp with a larger pool_segment\n",
			       rp->data_size);
			return -E2BIG;
		}
	}

	p = krp_probe_alloc();
	if (!p)
		return -ENOMEM;
	p->kp = kp;
	p->rp = rp;
	p->link = link;
	p->is_ret = rp;
	if (rp) {
		p->handler = rp->handler;
		p->entry_handler = rp->entry_handler;
	} else {
		p->pre_handler = kp->pre_handler;
		p->post_handler = kp->post_handler;
	}
	p->frame_size = frame_size;
	p->state = KRP_LIVE;
	p->disabled = kp->flags & KRP_FLAG_DISABLED;

	mutex_lock(&krp_mutex);
	ret = -EBUSY;
	if (*link)
		goto out_unlock;
	ret = -EINVAL;
	if (!kp->symbol_name == !kp->addr) {
		pr_err("give exactly one of symbol_name and addr\n");
		goto out_unlock;
	}
	/*
	 * An address where krp has a site passed every check when the site
	 * was made, and is not resolved again: the kernel refuses an
	 * address that holds another's int3.  A name is always resolved by
	 * the kernel: matched against krp's sites, a module's static symbol
	 * would capture a name that kallsyms resolves to vmlinux, and
	 * "module:symbol" would match no site.
	 */
	shared = false;
	ftrace = false;
	addr = (unsigned long)kp->addr;
	/* the kernel probes addr + offset: only offset 0 may be a site */
	if (kp->symbol_name || kp->offset || !krp_site_find(addr)) {
		ret = krp_resolve(kp, &addr, &shared, &ftrace, &copy_refused);
		/* inside a jump of krp's, the kernel's decoder sees no boundary */
		if (ret && addr && krp_jump_uncover(addr))
			ret = krp_resolve(kp, &addr, &shared, &ftrace,
					  &copy_refused);
		if (ret && addr && krp_site_find(addr))
			ret = 0;
		if (ret) {
			if (kp->symbol_name)
				pr_err("cannot probe %s+0x%x: %d\n",
				       kp->symbol_name, kp->offset, ret);
			else
				pr_err("cannot probe %pS: %d\n", kp->addr, ret);
			goto out_unlock;
		}
	}
	site = krp_site_get(addr, &ret);
	if (!site)
		goto out_unlock;
	new_site = !krp_site_hashed(site);
	ret = krp_check_target(addr, site, rp);
	if (ret)
		goto out_site;
	if (new_site) {
		ret = krp_site_classify(site, shared, ftrace);
		/*
		 * The kernel could not copy the instruction it decoded: its
		 * refusal stands at a boundary, krp's -EILSEQ inside one.
		 */
		if (copy_refused && ret != -EILSEQ)
			ret = -EINVAL;
		if (ret)
			goto out_site;
	}
	/* nothing is visible yet: the ops must be back before it is */
	ret = -EAGAIN;
	if (krp_site_must_wait(site))
		goto out_site;
	/* a post-handler needs the int3: a jump cannot stop after it */
	if (p->post_handler && site->int3) {
		ret = krp_jump_drop(site);
		if (ret)
			goto out_site;
	}
	if (!site->int3)
		krp_resolve_remember(kp, addr);
	if (rp) {
		ret = krp_pools_get();
		if (ret)
			goto out_site;
	}

	/* handlers may run as soon as @p is on the site: kp is final */
	old_addr = kp->addr;
	old_flags = kp->flags;
	kp->addr = (krp_opcode_t *)addr;
	kp->flags = (kp->flags & KRP_FLAG_DISABLED) |
		    (site->int3 ? 0 : KRP_FLAG_FTRACE);
	kp->nmissed = 0;
	if (rp)
		rp->nmissed = 0;
	p->site = site;
	/* before the probe is on the site: the lean entry must not take it */
	if (krp_probe_reads_regs(p)) {
		WRITE_ONCE(site->nregs, site->nregs + 1);
		krp_direct_regs_changed(site);
	}
	p->ret_all_regs = site->int3;
	/* what the site's hook missed so far was not this probe's */
	krp_direct_collect(site);
	list_add_tail_rcu(&p->site_node, &site->probes);
	krp_site_lean_update(site);
	if (!rp)
		WRITE_ONCE(site->nkprobes, site->nkprobes + 1);
	if (new_site)
		krp_site_hash(site);
	ret = krp_site_sync(site);
	if (ret) {
		pr_err("cannot arm %s: %d\n", site->sym, ret);
		list_del_rcu(&p->site_node);
		krp_site_lean_update(site);
		if (!rp)
			WRITE_ONCE(site->nkprobes, site->nkprobes - 1);
		if (krp_probe_reads_regs(p)) {
			WRITE_ONCE(site->nregs, site->nregs - 1);
			krp_direct_regs_changed(site);
		}
		krp_site_put(site);
		if (rp)
			krp_pools_put();
		mutex_unlock(&krp_mutex);
		krp_borrowed_flush();
		/* an entry may have seen @p before it was unlinked */
		synchronize_rcu();
		kp->addr = old_addr;
		kp->flags = old_flags;
		krp_probe_free(p);
		return ret;
	}
	list_add_tail(&p->all_node, &krp_probes);
	WRITE_ONCE(*link, p);
	mutex_unlock(&krp_mutex);
	return 0;

out_site:
	if (new_site)
		krp_site_discard(site);
out_unlock:
	mutex_unlock(&krp_mutex);
	krp_probe_free(p);
	return ret;
}

/*
 * Two waits for RCU-tasks, which a task spinning in the kernel can hold
 * up for as long as it spins, are taken outside krp_mutex, so that the
 * registrations that need neither go on meanwhile: the ftrace ops the
 * reaper is unregistering, and the collection of dirty out-of-line
 * slots.  A registration that needs one waits for it and starts again.
 */
static int krp_register_common(struct krp_kprobe *kp, struct krp_kretprobe *rp,
			       struct krp_probe **link)
{
	int ret;

	while ((ret = krp_register_once(kp, rp, link)) == -EAGAIN)
		krp_sites_wait();
	return ret;
}

/**
 * krp_register_kretprobe() - register a return probe
 * @rp: the probe; @rp->kp names a function entry by symbol or address
 *
 * Entry is through ftrace where ftrace can hook the function, and
 * elsewhere through an int3 whose displaced instruction krp emulates or
 * boosts from an out-of-line slot, as for krp_register_kprobe().  On
 * success @rp->kp.addr holds the probed address.  On failure nothing is
 * left registered.
 *
 * Return: 0; -EINVAL for bad input, not a function entry, krp's own code
 * or a refused function; -ENOENT for an unknown symbol; -E2BIG for a
 * data_size over %KRP_KRETPROBE_MAX_DATA_SIZE or one that cannot fit a
 * task's pool; -EBUSY if @rp is registered already or, at an int3 entry,
 * the kernel's kprobes or another patcher's bytes are there; -EOPNOTSUPP
 * for a function ftrace cannot trace whose first instruction cannot run
 * out of line; -ENOSPC when no out-of-line slot is left; -ENOMEM.
 */
int krp_register_kretprobe(struct krp_kretprobe *rp)
{
	return krp_register_common(&rp->kp, rp, &rp->probe);
}
EXPORT_SYMBOL_GPL(krp_register_kretprobe);

/*
 * Unlink a probe under krp_mutex; the caller waits for RCU and finishes.
 * @caller, the client's call of the API, names the culprit of a bad call.
 */
static struct krp_probe *krp_unregister_top(struct krp_kprobe *kp,
					    struct krp_probe **link,
					    unsigned long caller)
{
	struct krp_probe *p = *link;

	if (!p || p->kp != kp || p->state != KRP_LIVE) {
		pr_warn("unregistering a probe that is not registered (%ps)\n",
			(void *)caller);
		return NULL;
	}
	/* from here on the API calls on the probe see it unregistered */
	WRITE_ONCE(*link, NULL);
	krp_direct_collect(p->site);
	list_del_rcu(&p->site_node);
	krp_site_lean_update(p->site);
	if (!p->is_ret)
		WRITE_ONCE(p->site->nkprobes, p->site->nkprobes - 1);
	if (krp_probe_reads_regs(p)) {
		WRITE_ONCE(p->site->nregs, p->site->nregs - 1);
		krp_direct_regs_changed(p->site);
	}
	/* its counts stay in krp/stats while it may still count */
	list_move_tail(&p->all_node, &krp_dying);
	/* a site without a post-handler now may take a jump */
	if (p->post_handler && p->site->int3)
		krp_optimize_kick();
	krp_site_put(p->site);
	p->site = NULL;
	krp_probe_kill(p);
	/* the last one has the pools given back, after a grace period */
	if (p->is_ret)
		krp_pools_put();
	return p;
}

/* After a grace period: nothing runs @p's handlers any more. */
static void krp_unregister_bottom(struct krp_probe *p)
{
	/* the client's struct gets its final counts while it is still ours */
	krp_probe_fold(p);
	krp_probe_drain(p);
}

/* Entry @i of a batch of kretprobes (@ret) or plain kprobes. */
static void krp_batch_entry(void *batch, int i, bool ret,
			    struct krp_kprobe **kp, struct krp_probe ***link)
{
	if (ret) {
		struct krp_kretprobe *rp = ((struct krp_kretprobe **)batch)[i];

		*kp = &rp->kp;
		*link = &rp->probe;
	} else {
		*kp = ((struct krp_kprobe **)batch)[i];
		*link = &(*kp)->probe;
	}
}

/*
 * One grace period per chunk of the batch (handlers run preempt-
 * disabled).  A chunk's pointers fill at most a page: unregistering
 * cannot fail, and __GFP_NOFAIL is for small allocations only.
 */
#define KRP_UNREGISTER_CHUNK	((int)(PAGE_SIZE / sizeof(struct krp_probe *)))

static void krp_unregister_batch(void *batch, int num, bool ret,
				 unsigned long caller)
{
	struct krp_probe **ps, **link;
	struct krp_kprobe *kp;
	int first, n, i;

	if (num <= 0)
		return;
	ps = kcalloc(min(num, KRP_UNREGISTER_CHUNK), sizeof(*ps),
		     GFP_KERNEL | __GFP_NOFAIL);
	for (first = 0; first < num; first += n) {
		n = min(num - first, KRP_UNREGISTER_CHUNK);
		mutex_lock(&krp_mutex);
		for (i = 0; i < n; i++) {
			krp_batch_entry(batch, first + i, ret, &kp, &link);
			ps[i] = krp_unregister_top(kp, link, caller);
		}
		mutex_unlock(&krp_mutex);
		synchronize_rcu();
		mutex_lock(&krp_mutex);
		for (i = 0; i < n; i++)
			if (ps[i])
				krp_stats_retire(ps[i]);
		mutex_unlock(&krp_mutex);
		for (i = 0; i < n; i++)
			if (ps[i])
				krp_unregister_bottom(ps[i]);
	}
	kfree(ps);
	krp_borrowed_flush();
}

/* Each probe is live once registered; a failure undoes the earlier ones. */
static int krp_register_batch(void *batch, int num, bool ret)
{
	struct krp_probe **link;
	struct krp_kprobe *kp;
	int i, err;

	if (num <= 0)
		return -EINVAL;
	for (i = 0; i < num; i++) {
		krp_batch_entry(batch, i, ret, &kp, &link);
		err = ret ? krp_register_kretprobe(container_of(kp,
						   struct krp_kretprobe, kp)) :
			    krp_register_kprobe(kp);
		if (err) {
			if (i)
				krp_unregister_batch(batch, i, ret, _RET_IP_);
			return err;
		}
	}
	return 0;
}

/**
 * krp_unregister_kretprobes() - unregister several return probes
 * @rps: the probes
 * @num: how many
 *
 * When this returns no handler of these probes runs any more and the
 * caller may free them.  Tasks still inside a probed function return
 * normally; krp keeps what it needs until they do.  Unregistering a
 * probe that is not registered warns and does nothing else.
 */
void krp_unregister_kretprobes(struct krp_kretprobe **rps, int num)
{
	krp_unregister_batch(rps, num, true, _RET_IP_);
}
EXPORT_SYMBOL_GPL(krp_unregister_kretprobes);

/**
 * krp_unregister_kretprobe() - unregister a return probe
 * @rp: the probe
 *
 * See krp_unregister_kretprobes().
 */
void krp_unregister_kretprobe(struct krp_kretprobe *rp)
{
	krp_unregister_batch(&rp, 1, true, _RET_IP_);
}
EXPORT_SYMBOL_GPL(krp_unregister_kretprobe);

/**
 * krp_register_kretprobes() - register several return probes
 * @rps: the probes
 * @num: how many
 *
 * Each probe is live as soon as it is registered.  If one fails, the
 * ones before it are unregistered again.
 *
 * Return: 0, -EINVAL if @num is not positive, or the first error.
 */
int krp_register_kretprobes(struct krp_kretprobe **rps, int num)
{
	return krp_register_batch(rps, num, true);
}
EXPORT_SYMBOL_GPL(krp_register_kretprobes);

static int krp_set_disabled(struct krp_kprobe *kp, struct krp_probe **link,
			    bool disabled)
{
	struct krp_probe *p;
	int ret = 0;

	mutex_lock(&krp_mutex);
	p = *link;
	if (!p || p->kp != kp || p->state != KRP_LIVE) {
		ret = -EINVAL;
		goto out;
	}
	if (p->disabled == disabled)
		goto out;
	if (p->site->gone) {
		ret = -ENOENT;
		goto out;
	}
	/* the kprobe hook's misses so far are the enabled probes' */
	krp_direct_collect(p->site);
	WRITE_ONCE(p->disabled, disabled);
	krp_site_lean_update(p->site);
	ret = krp_site_sync(p->site);
	if (ret) {
		WRITE_ONCE(p->disabled, !disabled);
		krp_site_lean_update(p->site);
		goto out;
	}
	if (disabled)
		kp->flags |= KRP_FLAG_DISABLED;
	else
		kp->flags &= ~KRP_FLAG_DISABLED;
out:
	mutex_unlock(&krp_mutex);
	krp_borrowed_flush();
	return ret;
}

/**
 * krp_disable_kretprobe() - stop probing new calls
 * @rp: a registered probe
 *
 * Calls already inside the function keep their instances: their return
 * handlers still run, so every entry_handler call is matched by a
 * handler call.  The entry hook is removed when no enabled probe is
 * left on the function.
 *
 * Return: 0, -EINVAL if @rp is not registered, -ENOENT if its module
 * is gone.
 */
int krp_disable_kretprobe(struct krp_kretprobe *rp)
{
	return krp_set_disabled(&rp->kp, &rp->probe, true);
}
EXPORT_SYMBOL_GPL(krp_disable_kretprobe);

/**
 * krp_enable_kretprobe() - probe new calls again
 * @rp: a registered probe
 *
 * Return: 0, -EINVAL if @rp is not registered, -ENOENT if its module
 * is gone, or an error from ftrace.
 */
int krp_enable_kretprobe(struct krp_kretprobe *rp)
{
	return krp_set_disabled(&rp->kp, &rp->probe, false);
}
EXPORT_SYMBOL_GPL(krp_enable_kretprobe);

/**
 * krp_register_kprobe() - register a probe on one instruction
 * @kp: the probe: @kp->symbol_name plus @kp->offset, or @kp->addr
 *
 * At a traceable function's entry the hit comes through ftrace; anywhere
 * else through an int3, whose instruction krp then carries out:
 * emulated in the trap (stack, flags and control-flow instructions), or
 * copied to an out-of-line slot, boosted from there (one trap) or, when
 * a probe there has a post-handler, single-stepped.  Instructions that
 * cannot run at another address, such as those that may fault into an
 * exception fixup, are refused.
 *
 * Return: 0; -EINVAL for bad input, krp's own code or an address the
 * kernel's kprobes refuse; -ENOENT for an unknown symbol; -EILSEQ if the
 * address is not an instruction boundary; -EBUSY if @kp is registered,
 * or the kernel's kprobes or another patcher's bytes are there;
 * -EOPNOTSUPP for an instruction krp cannot carry out; -ENOSPC when no
 * out-of-line slot is left; -ENOMEM.
 */
int krp_register_kprobe(struct krp_kprobe *kp)
{
	return krp_register_common(kp, NULL, &kp->probe);
}
EXPORT_SYMBOL_GPL(krp_register_kprobe);

/**
 * krp_unregister_kprobes() - unregister several kprobes
 * @kps: the probes
 * @num: how many
 *
 * When this returns no handler of these probes runs any more.
 */
void krp_unregister_kprobes(struct krp_kprobe **kps, int num)
{
	krp_unregister_batch(kps, num, false, _RET_IP_);
}
EXPORT_SYMBOL_GPL(krp_unregister_kprobes);

/**
 * krp_unregister_kprobe() - unregister a kprobe
 * @kp: the probe
 */
void krp_unregister_kprobe(struct krp_kprobe *kp)
{
	krp_unregister_batch(&kp, 1, false, _RET_IP_);
}
EXPORT_SYMBOL_GPL(krp_unregister_kprobe);

/**
 * krp_register_kprobes() - register several kprobes
 * @kps: the probes
 * @num: how many
 *
 * If one fails, the ones before it are unregistered again.
 *
 * Return: 0, -EINVAL if @num is not positive, or the first error.
 */
int krp_register_kprobes(struct krp_kprobe **kps, int num)
{
	return krp_register_batch(kps, num, false);
}
EXPORT_SYMBOL_GPL(krp_register_kprobes);

/**
 * krp_disable_kprobe() - stop a kprobe without unregistering it
 * @kp: a registered kprobe
 *
 * Return: 0, -EINVAL if @kp is not registered, -ENOENT if its module
 * is gone.
 */
int krp_disable_kprobe(struct krp_kprobe *kp)
{
	return krp_set_disabled(kp, &kp->probe, true);
}
EXPORT_SYMBOL_GPL(krp_disable_kprobe);

/**
 * krp_enable_kprobe() - start a disabled kprobe again
 * @kp: a registered kprobe
 *
 * Return: 0, -EINVAL if @kp is not registered, -ENOENT if its module
 * is gone, or an error arming it.
 */
int krp_enable_kprobe(struct krp_kprobe *kp)
{
	return krp_set_disabled(kp, &kp->probe, false);
}
EXPORT_SYMBOL_GPL(krp_enable_kprobe);

/**
 * krp_kretprobe_nmissed() - misses of @rp so far, folded into the struct
 * @rp: a registered probe
 *
 * Updates @rp->nmissed and @rp->kp.nmissed from krp's per-CPU counters.
 *
 * Return: @rp->nmissed + @rp->kp.nmissed.
 */
int krp_kretprobe_nmissed(struct krp_kretprobe *rp)
{
	mutex_lock(&krp_mutex);
	if (rp->probe && rp->probe->rp == rp && rp->probe->state == KRP_LIVE)
		krp_probe_fold(rp->probe);
	mutex_unlock(&krp_mutex);
	return rp->nmissed + rp->kp.nmissed;
}
EXPORT_SYMBOL_GPL(krp_kretprobe_nmissed);
