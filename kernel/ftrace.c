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
 * A filter change walks every ftrace record and patches text, tens of
 * milliseconds.  The address of a function that just lost its last
 * probe therefore stays in the filter for a second ("idle"): a tool
 * that detaches and re-attaches pays nothing, and meanwhile the entry
 * hook finds no site there and returns.
 *
 * Everything here runs under krp_mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

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

/* Never registered: only asked whether an address is an ftrace site. */
static struct ftrace_ops krp_classify_ops;

/* Keeps krp_ftrace_ops' filter non-empty; never called. */
static noinline void krp_ftrace_anchor(void)
{
	barrier();
}

struct krp_idle_ip {
	struct list_head node;
	unsigned long addr;
	char modname[MODULE_NAME_LEN];
};
static LIST_HEAD(krp_idle_ips);

static struct krp_idle_ip *krp_idle_find(unsigned long addr)
{
	struct krp_idle_ip *idle;

	list_for_each_entry(idle, &krp_idle_ips, node)
		if (idle->addr == addr)
			return idle;
	return NULL;
}

/**
 * krp_ftrace_hookable() - whether ftrace can hook @addr
 * @addr: a text address
 *
 * Return: 0 if @addr is an ftrace site; -EINVAL or -ENOENT if it is
 * not; another error if ftrace could not tell.
 */
int krp_ftrace_hookable(unsigned long addr)
{
	return ftrace_set_filter_ip(&krp_classify_ops, addr, 0, 1);
}

/**
 * krp_ftrace_del() - take @addr out of the filter now
 * @addr: an address krp_ftrace_add() put in
 */
void krp_ftrace_del(unsigned long addr)
{
	int ret = ftrace_set_filter_ip(&krp_ftrace_ops, addr, 1, 0);

	WARN_ON_ONCE(ret);
}

/**
 * krp_ftrace_idle_flush() - take idle addresses out of the filter
 * @modname: only those of this module, or NULL for all of them
 */
void krp_ftrace_idle_flush(const char *modname)
{
	struct krp_idle_ip *idle, *next;

	list_for_each_entry_safe(idle, next, &krp_idle_ips, node) {
		if (modname && strcmp(idle->modname, modname))
			continue;
		krp_ftrace_del(idle->addr);
		list_del(&idle->node);
		kfree(idle);
	}
}

/**
 * krp_ftrace_add() - send the calls of @addr to the entry hook
 * @addr: an ftrace site
 *
 * The first address registers the shared ops.
 *
 * Return: 0 or an error of ftrace; on error the filter is as it was.
 */
int krp_ftrace_add(unsigned long addr)
{
	struct krp_idle_ip *idle = krp_idle_find(addr);
	int ret;

	if (idle) {
		list_del(&idle->node);
		kfree(idle);
		return 0;
	}
	if (krp_ops_registered)
		return ftrace_set_filter_ip(&krp_ftrace_ops, addr, 0, 0);

	ret = ftrace_set_filter_ip(&krp_ftrace_ops,
				   (unsigned long)krp_ftrace_anchor, 0, 0);
	if (ret) {
		pr_err("cannot filter on the ftrace anchor: %d\n", ret);
		return ret;
	}
	ret = ftrace_set_filter_ip(&krp_ftrace_ops, addr, 0, 0);
	if (!ret) {
		ret = register_ftrace_function(&krp_ftrace_ops);
		if (!ret) {
			krp_ops_registered = true;
			return 0;
		}
		ftrace_set_filter_ip(&krp_ftrace_ops, addr, 1, 0);
	}
	ftrace_set_filter_ip(&krp_ftrace_ops,
			     (unsigned long)krp_ftrace_anchor, 1, 0);
	return ret;
}

/**
 * krp_ftrace_retire() - @addr lost its last probe
 * @addr: an address in the filter
 * @modname: its module, "" for vmlinux
 *
 * Return: true if @addr stays in the filter, idle, until
 * krp_ftrace_reap(); false if it is out already.
 */
bool krp_ftrace_retire(unsigned long addr, const char *modname)
{
	struct krp_idle_ip *idle = kzalloc(sizeof(*idle), GFP_KERNEL);

	if (!idle) {
		krp_ftrace_del(addr);
		return false;
	}
	idle->addr = addr;
	strscpy(idle->modname, modname, MODULE_NAME_LEN);
	list_add(&idle->node, &krp_idle_ips);
	return true;
}

/**
 * krp_ftrace_reap() - the delayed part of detaching
 * @no_sites: no site is left, ftrace or int3
 *
 * Idle addresses leave the filter, and the ops is unregistered once no
 * site is left.
 */
void krp_ftrace_reap(bool no_sites)
{
	krp_ftrace_idle_flush(NULL);
	if (krp_ops_registered && no_sites) {
		unregister_ftrace_function(&krp_ftrace_ops);
		ftrace_set_filter_ip(&krp_ftrace_ops,
				     (unsigned long)krp_ftrace_anchor, 1, 0);
		krp_ops_registered = false;
	}
}

/**
 * krp_ftrace_exit() - unregister the ops and free both filters
 *
 * At unload, when no probe is left.
 */
void krp_ftrace_exit(void)
{
	krp_ftrace_idle_flush(NULL);
	if (krp_ops_registered) {
		unregister_ftrace_function(&krp_ftrace_ops);
		krp_ops_registered = false;
	}
	ftrace_free_filter(&krp_ftrace_ops);
	ftrace_free_filter(&krp_classify_ops);
}
