// SPDX-License-Identifier: GPL-2.0
/*
 * krp_target.ko: a module with a function to probe, for the tests of
 * probes whose module goes away.  Writing anything to
 * /sys/kernel/debug/krp_target/call calls it.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>

static __attribute__((__noipa__)) int krp_target_fn(int x)
{
	return x + 42;
}

/* krp_target_lea, never called, is in krp_target_lea_32.S or _64.S. */

static ssize_t call_write(struct file *file, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	return krp_target_fn((int)count) == (int)count + 42 ? count : -EIO;
}

static const struct file_operations call_fops = {
	.owner = THIS_MODULE,
	.write = call_write,
};

static struct dentry *dir;

static int __init krp_target_init(void)
{
	dir = debugfs_create_dir("krp_target", NULL);
	debugfs_create_file("call", 0200, dir, NULL, &call_fops);
	return 0;
}

static void __exit krp_target_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(krp_target_init);
module_exit(krp_target_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krp self-test target");
