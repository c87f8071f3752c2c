// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs interface, read-only: krp/list, krp/stats.  The writable
 * controls are in /proc/krp/ (procfs.c): under lockdown=integrity
 * debugfs refuses every file with a write bit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "debugfs.h"
#include "direct.h"
#include "ftrace.h"
#include "pool.h"
#include "site.h"
#include "slots.h"
#include "stats.h"

static struct dentry *krp_dir;

/* How a hit at @site runs; krp_mutex held. */
static const char *krp_site_how(struct krp_site *site)
{
	struct krp_probe *p;

	if (!site->int3)
		return !site->direct ? "[FTRACE]" :
		       krp_direct_by_kprobe() ? "[KPROBE]" : "[DIRECT]";
	if (site->arch.jumped && !site->arch.trapped)
		return "[OPTIMIZED]";
	if (krp_arch_int3_emulates(&site->arch))
		return "[EMULATED]";
	list_for_each_entry(p, &site->probes, site_node)
		if (p->post_handler && !p->disabled)
			return "[SS]";
	return "[BOOSTED]";
}

/*
 * One line per probe, in the format of the kernel's kprobes/list, then
 * krp's own columns:
 *	c1234560  r  vfs_read+0x0    [FTRACE]  hits=12 nmissed=0
 * The address reads as zero without CAP_SYSLOG, as kprobes/list does.
 */
static int krp_list_show(struct seq_file *m, void *v)
{
	bool show = file_ns_capable(m->file, &init_user_ns, CAP_SYSLOG);
	struct krp_probe *p;

	mutex_lock(&krp_mutex);
	list_for_each_entry(p, &krp_probes, all_node) {
		struct krp_site *site = p->site;

		krp_probe_fold(p);
		seq_printf(m, "%0*lx  %s  %s+0x%x  %s ",
			   (int)(2 * sizeof(long)), show ? site->addr : 0,
			   p->is_ret ? "r" : "k", site->sym,
			   site->offset,
			   site->modname[0] ? site->modname : " ");
		seq_printf(m, "%s%s%s  hits=%lu nmissed=%d\n",
			   site->gone ? "[GONE]" : "",
			   p->disabled ? "[DISABLED]" : "",
			   krp_site_how(site),
			   krp_probe_hits(p),
			   (p->rp ? p->rp->nmissed : 0) + (int)p->kp->nmissed);
	}
	mutex_unlock(&krp_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(krp_list);

static int krp_stats_show(struct seq_file *m, void *v)
{
	static const char * const miss_names[KRP_MISS_NR] = {
		[KRP_MISS_RECURSION] = "recursion",
		[KRP_MISS_DEPTH] = "depth",
		[KRP_MISS_NOPOOL] = "nomem",
		[KRP_MISS_DECLINED] = "declined",
		[KRP_MISS_RCU] = "rcu",
		[KRP_MISS_POST] = "post",
		[KRP_MISS_KPROBE] = "kprobe",
	};
	unsigned long in_use, reserved;
	unsigned int slots, dirty, total, stubs;
	struct krp_stats_sum sum;
	int i;

	/* what the kernel's kprobes dropped at krp's kprobe hooks */
	mutex_lock(&krp_mutex);
	krp_direct_collect_all();
	mutex_unlock(&krp_mutex);
	krp_stats_sum(&sum);
	seq_printf(m, "hits %lu\n", sum.hits);
	/* every frame given back came back by a return, but these */
	seq_printf(m, "returns %lu\n",
		   sum.released - sum.cpu.stale - sum.cpu.exited);
	for (i = 0; i < KRP_MISS_NR; i++)
		seq_printf(m, "missed_%s %lu\n", miss_names[i], sum.cpu.miss[i]);
	seq_printf(m, "tasks_with_pool %lu\n", krp_pools_count());
	seq_printf(m, "pools_deferred %lu\n", sum.cpu.pools_deferred);
	seq_printf(m, "frames_in_use %ld\n", (long)(sum.hits - sum.released));
	seq_printf(m, "deepest_segments %u\n", sum.cpu.max_segs);
	seq_printf(m, "reclaimed_exit %lu\n", sum.cpu.exited);
	seq_printf(m, "reclaimed_stale %lu\n", sum.cpu.stale);
	krp_pools_bytes(&in_use, &reserved);
	seq_printf(m, "pool_bytes %lu\n", in_use);
	seq_printf(m, "pool_bytes_reserved %lu\n", reserved);
	seq_printf(m, "int3_traps %lu\n", sum.cpu.int3_traps);
	seq_printf(m, "step_traps %lu\n", sum.cpu.step_traps);
	seq_printf(m, "jump_hits %lu\n", sum.cpu.jump_hits);
	/* a direct-call stub's slot is clean again as soon as it goes */
	stubs = krp_direct_stubs();
	slots = krp_slots_count(&dirty, &total);
	seq_printf(m, "slots_used %u\n", slots - dirty - stubs);
	seq_printf(m, "direct_stubs %u\n", stubs);
	seq_printf(m, "slots_dirty %u\n", dirty);
	seq_printf(m, "slots_total %u\n", total);
	/* 1 while the reaper waits for ftrace to let go of the ops */
	seq_printf(m, "ftrace_retiring %d\n", krp_ftrace_retiring());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(krp_stats);

int krp_debugfs_init(void)
{
	krp_dir = debugfs_create_dir("krp", NULL);
	if (IS_ERR(krp_dir))
		return PTR_ERR(krp_dir);
	debugfs_create_file("list", 0400, krp_dir, NULL, &krp_list_fops);
	debugfs_create_file("stats", 0400, krp_dir, NULL, &krp_stats_fops);
	return 0;
}

void krp_debugfs_exit(void)
{
	debugfs_remove_recursive(krp_dir);
}
