// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs interface: krp/list, krp/enabled.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "internal.h"

static struct dentry *krp_dir;

static int krp_list_show(struct seq_file *m, void *v)
{
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(krp_list);

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
	WRITE_ONCE(krp_armed, val);
	return count;
}

static const struct file_operations krp_enabled_fops = {
	.owner = THIS_MODULE,
	.read = krp_enabled_read,
	.write = krp_enabled_write,
	.llseek = default_llseek,
};

int krp_debugfs_init(void)
{
	krp_dir = debugfs_create_dir("krp", NULL);
	if (IS_ERR(krp_dir))
		return PTR_ERR(krp_dir);
	debugfs_create_file("list", 0400, krp_dir, NULL, &krp_list_fops);
	debugfs_create_file("enabled", 0600, krp_dir, NULL, &krp_enabled_fops);
	return 0;
}

void krp_debugfs_exit(void)
{
	debugfs_remove_recursive(krp_dir);
}
