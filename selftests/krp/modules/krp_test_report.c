// SPDX-License-Identifier: GPL-2.0
/*
 * The numbers a scenario reports, "key value" lines, for the user side
 * to compare with what it sees from outside (krp/stats, krp/list).  A
 * file of its own so that scenario files and the table in
 * krp_test_main.c both call down into it.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>

#include "krp_test_common.h"

static DEFINE_MUTEX(report_lock);
static char report[4096];
static size_t report_len;

/**
 * krp_test_report() - report a number of the running scenario
 * @key: its name, one word
 * @val: its value
 *
 * The user side reads the lines of the last scenario that ran from
 * /sys/kernel/debug/krp_test/report.
 */
void krp_test_report(const char *key, long val)
{
	mutex_lock(&report_lock);
	report_len += scnprintf(report + report_len,
				sizeof(report) - report_len, "%s %ld\n", key,
				val);
	mutex_unlock(&report_lock);
}

/* A scenario starts: what the previous one reported goes. */
void krp_test_report_reset(void)
{
	mutex_lock(&report_lock);
	report_len = 0;
	report[0] = '\0';
	mutex_unlock(&report_lock);
}

static ssize_t report_read(struct file *file, char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&report_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, report, report_len);
	mutex_unlock(&report_lock);
	return ret;
}

const struct file_operations krp_test_report_fops = {
	.owner = THIS_MODULE,
	.read = report_read,
	.llseek = default_llseek,
};
