// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/krp/: probes (definitions in the kprobe_events syntax),
 * error_log, enabled, and hist/EVENT for each defined return probe.
 *
 * The controls a person writes live in procfs, not debugfs: under
 * lockdown=integrity (Secure Boot) every debugfs file with a write bit
 * is refused, and procfs keeps working.  As with kprobe_events and
 * tracefs' error_log, opening probes or error_log for writing with
 * O_TRUNC empties it: `>` replaces, `>>` appends.
 */
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "define.h"
#include "errlog.h"
#include "internal.h"
#include "procfs.h"
#include "site.h"

/* a command longer than this is refused with -E2BIG */
#define KRP_CMD_MAX	1024

static struct proc_dir_entry *krp_proc_dir;

static int krp_probes_open(struct inode *inode, struct file *file)
{
	if ((file->f_mode & FMODE_WRITE) && (file->f_flags & O_TRUNC))
		krp_defs_clear();
	return single_open(file, krp_defs_show, NULL);
}

/* One command a write; a trailing newline is not part of it. */
static ssize_t krp_probes_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char *cmd, *nl;
	int ret;

	if (count >= KRP_CMD_MAX)
		return -E2BIG;
	cmd = memdup_user_nul(ubuf, count);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	nl = strchr(cmd, '\n');
	if (nl && nl[strspn(nl, " \t\n")]) {
		krp_errlog_add(cmd, nl - cmd, "One definition per write");
		ret = -EINVAL;
		goto out;
	}
	if (nl)
		*nl = '\0';
	ret = krp_def_command(cmd);
out:
	kfree(cmd);
	return ret ? ret : count;
}

static const struct proc_ops krp_probes_ops = {
	.proc_open = krp_probes_open,
	.proc_read = seq_read,
	.proc_write = krp_probes_write,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

static int krp_errlog_open(struct inode *inode, struct file *file)
{
	if ((file->f_mode & FMODE_WRITE) && (file->f_flags & O_TRUNC))
		krp_errlog_clear();
	return single_open(file, krp_errlog_show, NULL);
}

/* What is written is ignored, as by tracefs: opening did the work. */
static ssize_t krp_errlog_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	return count;
}

static const struct proc_ops krp_errlog_ops = {
	.proc_open = krp_errlog_open,
	.proc_read = seq_read,
	.proc_write = krp_errlog_write,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

static ssize_t krp_enabled_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char buf[2] = { READ_ONCE(krp_armed) ? '1' : '0', '\n' };

	return simple_read_from_buffer(ubuf, count, ppos, buf, sizeof(buf));
}

static ssize_t krp_enabled_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	bool val;
	int ret;

	ret = kstrtobool_from_user(ubuf, count, &val);
	if (ret)
		return ret;
	ret = krp_arm_all(val);
	return ret ? ret : count;
}

static const struct proc_ops krp_enabled_ops = {
	.proc_read = krp_enabled_read,
	.proc_write = krp_enabled_write,
	.proc_lseek = default_llseek,
};

/**
 * krp_procfs_init() - make /proc/krp/
 *
 * Return: 0 or -ENOMEM.
 */
int krp_procfs_init(void)
{
	struct proc_dir_entry *hist;

	krp_proc_dir = proc_mkdir("krp", NULL);
	if (!krp_proc_dir)
		return -ENOMEM;
	hist = proc_mkdir("hist", krp_proc_dir);
	if (!hist ||
	    !proc_create("probes", 0600, krp_proc_dir, &krp_probes_ops) ||
	    !proc_create("error_log", 0600, krp_proc_dir, &krp_errlog_ops) ||
	    !proc_create("enabled", 0600, krp_proc_dir, &krp_enabled_ops)) {
		proc_remove(krp_proc_dir);
		return -ENOMEM;
	}
	return krp_defs_init(hist);
}

/**
 * krp_procfs_exit() - remove every definition, then /proc/krp/
 */
void krp_procfs_exit(void)
{
	/* waits for writes in progress, and keeps new ones out */
	remove_proc_entry("probes", krp_proc_dir);
	remove_proc_entry("error_log", krp_proc_dir);
	remove_proc_entry("enabled", krp_proc_dir);
	krp_defs_exit();
	proc_remove(krp_proc_dir);
	krp_errlog_clear();
}
