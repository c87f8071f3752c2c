// SPDX-License-Identifier: GPL-2.0
/*
 * The direct-call entry: where the arch has one and a function's direct
 * slot is free, ftrace calls krp's own entry trampoline from the
 * function's fentry site, through a stub of the function's own (the arch
 * writes it into an out-of-line slot): no ftrace list walk, no ftrace
 * trampoline.  Each function has an ftrace_ops of its own, since a
 * direct ops has one destination.  Where the slot is taken (BPF fentry
 * and fexit programs, another module's direct call), the arch has none,
 * or direct=0, the function goes on krp's shared ops (ftrace.c) instead.
 * krp/list says which: [DIRECT] or [FTRACE].
 *
 * The slot is exclusive: while krp holds it another direct user of the
 * function gets -EBUSY from ftrace, until krp lets go.  IPMODIFY users
 * (livepatch) share it: the ops says yes when ftrace asks, and the stub
 * still names the function when livepatch has sent it elsewhere.
 *
 * Unregistering a direct ops waits for RCU-tasks with ftrace's locks
 * held, which a task spinning in the kernel holds up, and every
 * registration at an ftrace site meanwhile waits for it.  A function
 * whose site lost its hook therefore stays hooked, idle (its hook names
 * no site), until krp has had no site at all for ops_idle_ms, when the
 * shared ops goes too; then the site reaper lets it go without
 * krp_mutex.  A site armed there again meanwhile takes it back for
 * free.  The price: such a function's direct slot stays krp's, and a
 * BPF fentry program there gets -EBUSY, until krp is quiet.
 * One being let go is off the list: a site armed there then finds the
 * slot busy and uses the shared ops.  Only a module that goes has its
 * functions let go at once, under krp_mutex, before ftrace forgets
 * their records.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/ftrace.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "arch.h"
#include "direct.h"
#include "internal.h"
#include "slots.h"

static bool direct = true;
module_param(direct, bool, 0644);
MODULE_PARM_DESC(direct,
		 "enter through ftrace direct calls where the arch can and the function's direct slot is free (default Y; for sites armed from now on)");

struct krp_direct {
	struct krp_direct_hook hook;	/* what the stub passes */
	struct list_head node;		/* on krp_directs, krp_mutex */
	struct ftrace_ops ops;
	unsigned long addr;		/* the function */
	unsigned long stub;		/* its out-of-line slot */
	bool idle;			/* no site armed here: hook.site NULL */
	char modname[MODULE_NAME_LEN];
};
static LIST_HEAD(krp_directs);
/* stubs in out-of-line slots, on the list or being let go */
static atomic_t krp_direct_nstubs;

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS

/* 6.5 gave the multi-function calls the old single-function names (Kbuild). */
#ifdef KRP_FTRACE_DIRECT_MULTI
static int krp_direct_register(struct ftrace_ops *ops, unsigned long addr)
{
	return register_ftrace_direct_multi(ops, addr);
}

static int krp_direct_unregister(struct ftrace_ops *ops, unsigned long addr)
{
	int ret = unregister_ftrace_direct_multi(ops, addr);

	ftrace_free_filter(ops);
	return ret;
}
#else
static int krp_direct_register(struct ftrace_ops *ops, unsigned long addr)
{
	return register_ftrace_direct(ops, addr);
}

static int krp_direct_unregister(struct ftrace_ops *ops, unsigned long addr)
{
	return unregister_ftrace_direct(ops, addr, true);
}
#endif

/*
 * ftrace asks before an IPMODIFY ops (livepatch) shares a function with
 * ours, either way round.  Sharing is fine: ftrace then runs that ops
 * and jumps to the stub, which still names the function.
 */
static int krp_direct_ops_func(struct ftrace_ops *ops, enum ftrace_ops_cmd cmd)
{
	return 0;
}

static bool krp_direct_possible(void)
{
	return krp_arch_has_direct() && READ_ONCE(direct);
}

#else

static int krp_direct_register(struct ftrace_ops *ops, unsigned long addr)
{
	return -EOPNOTSUPP;
}

static int krp_direct_unregister(struct ftrace_ops *ops, unsigned long addr)
{
	return -EOPNOTSUPP;
}

static bool krp_direct_possible(void)
{
	return false;
}

#endif

static struct krp_direct *krp_direct_find(unsigned long addr)
{
	struct krp_direct *d;

	list_for_each_entry(d, &krp_directs, node)
		if (d->addr == addr)
			return d;
	return NULL;
}

/**
 * krp_direct_add() - hook @site's function with a direct call into krp
 * @site: an ftrace site, the start of a function
 *
 * krp_mutex held.  The hook runs @site from now on, until
 * krp_direct_retire(); the site's kfree_rcu() comes after that.
 *
 * Return: 0; -EOPNOTSUPP where the arch has no direct entry or direct=0;
 * -EBUSY when another direct user has the function; -ENOSPC or -EAGAIN
 * without a clean out-of-line slot; -ENOMEM; or another error of
 * ftrace.  On error nothing is hooked: the caller uses the shared ops.
 */
int krp_direct_add(struct krp_site *site)
{
	struct krp_direct *d;
	int ret;

	/* direct=N also leaves an idle hook alone: the reaper takes it */
	if (!krp_direct_possible())
		return -EOPNOTSUPP;
	d = krp_direct_find(site->addr);
	if (d) {
		d->idle = false;
		WRITE_ONCE(d->hook.regs, !!site->nregs);
		WRITE_ONCE(d->hook.site, site);
		return 0;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->addr = site->addr;
	strscpy(d->modname, site->modname, MODULE_NAME_LEN);
#ifdef CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS
	d->ops.ops_func = krp_direct_ops_func;
#endif
	ret = krp_slot_alloc(&d->stub);
	if (ret)
		goto out_free;
	atomic_inc(&krp_direct_nstubs);
	/* the site before any call can reach the stub */
	d->hook.site = site;
	d->hook.regs = !!site->nregs;
	ret = krp_arch_direct_stub(d->stub, (unsigned long)&d->hook);
	if (ret)
		goto out_slot;
	ret = ftrace_set_filter_ip(&d->ops, d->addr, 0, 0);
	if (ret)
		goto out_slot;
	ret = krp_direct_register(&d->ops, d->stub);
	if (ret) {
		ftrace_free_filter(&d->ops);
		goto out_slot;
	}
	list_add(&d->node, &krp_directs);
	return 0;

out_slot:
	krp_slot_unused(d->stub);
	atomic_dec(&krp_direct_nstubs);
out_free:
	kfree(d);
	return ret;
}

/**
 * krp_direct_regs_changed() - @site's probes now read registers, or no more
 * @site: a site; krp_mutex held
 *
 * Tells the arch's entry of a hooked function which path to take first.
 */
void krp_direct_regs_changed(struct krp_site *site)
{
	struct krp_direct *d;

	BUILD_BUG_ON(offsetof(struct krp_direct_hook, regs) !=
		     KRP_DIRECT_HOOK_REGS);
	d = krp_direct_find(site->addr);
	if (d && d->hook.site == site)
		WRITE_ONCE(d->hook.regs, !!site->nregs);
}

/**
 * krp_direct_retire() - @addr's site lost its hook; it stays, idle
 * @addr: an address krp_direct_add() hooked
 *
 * krp_mutex held; krp_direct_reap() lets it go later.  An entry that
 * read the site before still runs it: the site is freed after a grace
 * period.
 */
void krp_direct_retire(unsigned long addr)
{
	struct krp_direct *d = krp_direct_find(addr);

	if (d) {
		d->idle = true;
		WRITE_ONCE(d->hook.site, NULL);
	}
}

/* Unhook @d and free it; without krp_mutex but for a going module. */
static void krp_direct_free(struct krp_direct *d)
{
	int ret = krp_direct_unregister(&d->ops, d->stub);

	/* not registered any more, or ftrace never let go: keep the slot */
	if (WARN_ONCE(ret, "krp: cannot unregister the direct call of %ps: %d\n",
		      (void *)d->addr, ret))
		return;
	/*
	 * The unregister of a dynamic ops (ours is not core kernel data)
	 * waited for RCU-tasks and RCU-tasks-rude: no task, idle ones
	 * included, is left in the stub.
	 */
	krp_slot_unused(d->stub);
	atomic_dec(&krp_direct_nstubs);
	kfree(d);
}

/**
 * krp_direct_reap() - take the idle functions off the list
 * @out: where they go, for krp_direct_release()
 *
 * krp_mutex held; called once no site has been left for ops_idle_ms,
 * as for the shared ops, never earlier: every unregister waits for
 * RCU-tasks holding ftrace's locks, which every registration at an
 * ftrace site and every kernel kprobe there needs, and a task that
 * spins in the kernel through a probed function holds RCU-tasks up for
 * as long as it spins.
 */
void krp_direct_reap(struct list_head *out)
{
	struct krp_direct *d, *next;

	list_for_each_entry_safe(d, next, &krp_directs, node)
		if (d->idle)
			list_move(&d->node, out);
}

/**
 * krp_direct_release() - unhook what krp_direct_reap() took
 * @list: its list
 *
 * Without krp_mutex: every unregister waits for RCU-tasks.
 */
void krp_direct_release(struct list_head *list)
{
	struct krp_direct *d, *next;

	list_for_each_entry_safe(d, next, list, node) {
		list_del(&d->node);
		krp_direct_free(d);
	}
}

/**
 * krp_direct_flush() - unhook the idle functions of a module's text that goes
 * @modname: the module
 *
 * krp_mutex held: ftrace drops the records of that text next, and a
 * direct ops must not keep addresses that new text may reuse.  The
 * sites there are unarmed by now, their functions idle.
 */
void krp_direct_flush(const char *modname)
{
	struct krp_direct *d, *next;

	list_for_each_entry_safe(d, next, &krp_directs, node) {
		if (!d->idle || strcmp(d->modname, modname))
			continue;
		list_del(&d->node);
		krp_direct_free(d);
	}
}

/**
 * krp_direct_stubs() - out-of-line slots that hold direct-call stubs
 *
 * Return: how many; also read without krp_mutex, by krp/stats.
 */
unsigned int krp_direct_stubs(void)
{
	return atomic_read(&krp_direct_nstubs);
}

/**
 * krp_direct_exit() - unhook every function, at unload
 *
 * No site is left.
 */
void krp_direct_exit(void)
{
	LIST_HEAD(all);

	list_splice_init(&krp_directs, &all);
	krp_direct_release(&all);
}
