// SPDX-License-Identifier: GPL-2.0
/*
 * krp_reliab.ko: runs the reliability scenarios of krp_test_reliab.c.
 * Writing a scenario's name to /sys/kernel/debug/krp_reliab/run runs
 * it in the writer's context; the write fails with the scenario's
 * errno if it failed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "krp_test_reliab.h"

static DEFINE_MUTEX(run_lock);

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	const struct krp_test_scenario *s;
	char name[32];
	int ret = -ENOENT;

	if (count >= sizeof(name))
		return -EINVAL;
	if (copy_from_user(name, ubuf, count))
		return -EFAULT;
	name[count] = '\0';
	strim(name);
	mutex_lock(&run_lock);
	for (s = krp_reliab_scenarios; s->name; s++) {
		if (strcmp(name, s->name))
			continue;
		ret = s->fn();
		pr_info("%s: %s (%d)\n", name, ret ? "FAIL" : "pass", ret);
		break;
	}
	mutex_unlock(&run_lock);
	return ret ? ret : count;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.write = run_write,
};

static struct dentry *dir;

static int __init krp_reliab_init(void)
{
	dir = debugfs_create_dir("krp_reliab", NULL);
	debugfs_create_file("run", 0200, dir, NULL, &run_fops);
	return 0;
}

static void __exit krp_reliab_exit(void)
{
	debugfs_remove_recursive(dir);
	krp_reliab_cleanup();
}

module_init(krp_reliab_init);
module_exit(krp_reliab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krp reliability scenarios");
