// SPDX-License-Identifier: GPL-2.0
/*
 * The ftrace entry: one ftrace_ops shared by every probed address that
 * ftrace can hook, and its filter.  An ops per probe would put every
 * registered probe on ftrace's list walk for every traced call, and
 * make every unregister wait for two RCU-tasks grace periods (ftrace
 * frees dynamic ops that way).  The shared ops keeps a never-called
 * anchor function in its filter so the filter is never empty while
 * registered: an empty filter means "trace everything".
 *
 * Unregistering the ops waits for RCU-tasks with ftrace_lock held: a
 * task that never switches out voluntarily holds that up for as long
 * as it likes.  It therefore happens outside krp_mutex, in the reaper,
 * while the ops is "retiring": registrations that need no ftrace go
 * on meanwhile, and one that needs the ops waits, without krp_mutex,
 * until it is unregistered and can be registered anew.
 *
 * A filter change walks every ftrace record and patches text, tens of
 * milliseconds.  The address of a function that just lost its last
 * probe therefore stays in the filter for a second ("idle"): a tool
 * that detaches and re-attaches pays nothing, and meanwhile the entry
 * hook finds no armed site there and returns.
 *
 * Everything here runs under krp_mutex but the unregister of a retiring
 * ops and the wait for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/ftrace.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "entry.h"
#include "ftrace.h"

/*
 * RECURSION: ftrace guards the callback against recursion and calls it
 * with preemption disabled, which the RCU lookups, the per-CPU state and
 * unregister's synchronize_rcu() rely on.  On i386 a module's ops always
 * goes through ftrace's list function, which does both anyway.
 */
static struct ftrace_ops krp_ftrace_ops = {
	.func = krp_ftrace_handler,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_RECURSION,
};
static bool krp_ops_registered;
/* being unregistered by the reaper; registered still says true */
static bool krp_ops_retiring;
static DECLARE_WAIT_QUEUE_HEAD(krp_ops_wq);

/* Keeps krp_ftrace_ops' filter non-empty; never called. */
static noinline void krp_ftrace_anchor(void)
{
	barrier();
}

/*
 * An address krp put in the filter.  Its record is allocated before the
 * address goes in, so that taking it out never needs memory of krp's:
 * when ftrace cannot take it out (the filter is rebuilt, which
 * allocates), it stays "idle" and the reaper tries again.  The entry
 * hook ignores a site that is not armed, so an idle address costs a
 * lookup per call, not a handler.
 */
struct krp_filter_ip {
	struct list_head node;
	unsigned long addr;
	bool idle;	/* no armed site: due to leave the filter */
	char modname[MODULE_NAME_LEN];
};
static LIST_HEAD(krp_filter_ips);

static struct krp_filter_ip *krp_filter_find(unsigned long addr)
{
	struct krp_filter_ip *fip;

	list_for_each_entry(fip, &krp_filter_ips, node)
		if (fip->addr == addr)
			return fip;
	return NULL;
}

/*
 * Take @fip's address out of the filter and forget it, or leave it idle
 * for a retry if ftrace ran out of memory.  Any other error means that
 * ftrace no longer knows the address (its module's records are gone):
 * nothing is hooked there any more, and the stale hash entry goes when
 * the ops is next registered, with a filter reset to the anchor.
 */
static bool krp_filter_remove(struct krp_filter_ip *fip)
{
	int ret = ftrace_set_filter_ip(&krp_ftrace_ops, fip->addr, 1, 0);

	fip->idle = true;
	if (ret == -ENOMEM)
		return false;
	list_del(&fip->node);
	kfree(fip);
	return true;
}

/**
 * krp_ftrace_del() - take @addr out of the filter
 * @addr: an address krp_ftrace_add() put in
 *
 * Now, or, if ftrace cannot allocate, at a retry of krp_ftrace_reap();
 * the caller's site is unarmed either way.
 *
 * Return: true if the removal waits for krp_ftrace_reap().
 */
bool krp_ftrace_del(unsigned long addr)
{
	struct krp_filter_ip *fip = krp_filter_find(addr);

	return fip && !krp_filter_remove(fip);
}

/**
 * krp_ftrace_idle_flush() - take idle addresses out of the filter
 * @modname: only those of this module, or NULL for all of them
 *
 * Return: true if some of them wait for a retry of krp_ftrace_reap().
 */
bool krp_ftrace_idle_flush(const char *modname)
{
	struct krp_filter_ip *fip, *next;
	bool left = false;

	list_for_each_entry_safe(fip, next, &krp_filter_ips, node) {
		if (!fip->idle || (modname && strcmp(fip->modname, modname)))
			continue;
		if (!krp_filter_remove(fip))
			left = true;
	}
	return left;
}

/**
 * krp_ftrace_add() - send the calls of @addr to the entry hook
 * @addr: an ftrace site
 * @modname: its module, "" for vmlinux
 *
 * The first address registers the shared ops.
 *
 * Return: 0; -EAGAIN while the ops is retiring (krp_ftrace_wait(), then
 * try again); -ENOMEM; or an error of ftrace.  On error the filter is
 * as it was.
 */
int krp_ftrace_add(unsigned long addr, const char *modname)
{
	struct krp_filter_ip *fip = krp_filter_find(addr);
	int ret;

	if (krp_ops_retiring)
		return -EAGAIN;

	if (fip) {
		/* still in the filter: a site there again */
		fip->idle = false;
		strscpy(fip->modname, modname, MODULE_NAME_LEN);
		return 0;
	}
	fip = kzalloc(sizeof(*fip), GFP_KERNEL);
	if (!fip)
		return -ENOMEM;
	fip->addr = addr;
	strscpy(fip->modname, modname, MODULE_NAME_LEN);

	if (krp_ops_registered) {
		ret = ftrace_set_filter_ip(&krp_ftrace_ops, addr, 0, 0);
		goto out;
	}
	/*
	 * The ops is not registered: its filter may hold what a failed
	 * removal left, and starts again from the anchor alone.
	 */
	ret = ftrace_set_filter_ip(&krp_ftrace_ops,
				   (unsigned long)krp_ftrace_anchor, 0, 1);
	if (ret) {
		pr_err("cannot filter on the ftrace anchor: %d\n", ret);
		goto out;
	}
	ret = ftrace_set_filter_ip(&krp_ftrace_ops, addr, 0, 0);
	if (!ret) {
		ret = register_ftrace_function(&krp_ftrace_ops);
		if (!ret)
			krp_ops_registered = true;
		/*
		 * else @addr stays in the filter of an unregistered ops,
		 * which hooks nothing; the next first address resets it.
		 */
	}
out:
	if (ret) {
		kfree(fip);
		return ret;
	}
	list_add(&fip->node, &krp_filter_ips);
	return 0;
}

/**
 * krp_ftrace_retire() - @addr lost its last probe
 * @addr: an address in the filter
 *
 * It stays in the filter, idle, until krp_ftrace_reap().
 */
void krp_ftrace_retire(unsigned long addr)
{
	struct krp_filter_ip *fip = krp_filter_find(addr);

	if (fip)
		fip->idle = true;
}

/**
 * krp_ftrace_reap() - the delayed part of detaching
 * @no_sites: no site is left, ftrace or int3
 * @again: set if an address could not leave the filter yet
 *
 * Idle addresses leave the filter.  Once no site is left the ops is
 * due to be unregistered: it is marked retiring, and the caller, the
 * reaper, unregisters it with krp_ftrace_retire_ops() after dropping
 * krp_mutex.  Whatever its filter still holds then stops mattering.
 *
 * Return: true if the caller must call krp_ftrace_retire_ops().
 */
bool krp_ftrace_reap(bool no_sites, bool *again)
{
	*again = krp_ftrace_idle_flush(NULL);
	if (!krp_ops_registered || krp_ops_retiring || !no_sites)
		return false;
	WRITE_ONCE(krp_ops_retiring, true);
	/* unregistered, the ops hooks nothing: no retry needed */
	*again = false;
	return true;
}

/**
 * krp_ftrace_retire_ops() - unregister the ops krp_ftrace_reap() retired
 *
 * Without krp_mutex: unregister_ftrace_function() waits for RCU-tasks,
 * which a task spinning in the kernel holds up.  krp_ftrace_add()
 * turns registrations away meanwhile; krp_ftrace_retired() follows,
 * under krp_mutex.
 */
void krp_ftrace_retire_ops(void)
{
	unregister_ftrace_function(&krp_ftrace_ops);
}

/**
 * krp_ftrace_retired() - the ops is unregistered: it may be used again
 *
 * Wakes the registrations that krp_ftrace_wait() holds.
 */
void krp_ftrace_retired(void)
{
	struct krp_filter_ip *fip, *next;

	/* the next registration resets the filter: forget what is left */
	list_for_each_entry_safe(fip, next, &krp_filter_ips, node) {
		list_del(&fip->node);
		kfree(fip);
	}
	krp_ops_registered = false;
	WRITE_ONCE(krp_ops_retiring, false);
	wake_up_all(&krp_ops_wq);
}

/**
 * krp_ftrace_retiring() - whether the reaper is unregistering the ops
 *
 * Also read without krp_mutex, by krp/stats.
 *
 * Return: true until krp_ftrace_retired().
 */
bool krp_ftrace_retiring(void)
{
	return READ_ONCE(krp_ops_retiring);
}

/**
 * krp_ftrace_wait() - wait until no ops is retiring
 *
 * For a registration krp_ftrace_add() turned away with -EAGAIN; without
 * krp_mutex.
 */
void krp_ftrace_wait(void)
{
	wait_event(krp_ops_wq, !READ_ONCE(krp_ops_retiring));
}

/**
 * krp_ftrace_exit() - unregister the ops and free both filters
 *
 * At unload, when no probe is left and the reaper is done.
 */
void krp_ftrace_exit(void)
{
	if (krp_ops_registered)
		unregister_ftrace_function(&krp_ftrace_ops);
	krp_ftrace_retired();
	ftrace_free_filter(&krp_ftrace_ops);
}
