// SPDX-License-Identifier: GPL-2.0
/*
 * The error log of probe definitions, in the shape of tracefs'
 * error_log, so that people and tools that read one read the other:
 *
 *	[  123.456789] krp: error: Unknown symbol
 *	  Command: r:myret no_such_fn $retval
 *	                   ^
 *
 * A module cannot write tracefs' own log (tracing_log_err() is not
 * exported).  The last KRP_ERRLOG_MAX entries are kept; opening the
 * file for writing with O_TRUNC empties it.
 */
#include <linux/mutex.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "errlog.h"

#define KRP_ERRLOG_MAX		8
#define KRP_ERRLOG_PREFIX	"  Command: "

struct krp_errlog_entry {
	u64 ts;			/* local_clock(), as dmesg's */
	const char *msg;	/* static text */
	char *cmd;
	unsigned int pos;
};

static DEFINE_MUTEX(krp_errlog_mutex);
static struct krp_errlog_entry krp_errlog[KRP_ERRLOG_MAX];
static unsigned int krp_errlog_next;	/* the oldest entry once full */

/**
 * krp_errlog_add() - log why a definition was refused
 * @cmd: the command as written
 * @pos: where in @cmd the fault is; past its end points after it
 * @msg: why, a static string
 *
 * Process context.  Without memory for the copy the entry is dropped:
 * the write still fails with its errno.
 */
void krp_errlog_add(const char *cmd, unsigned int pos, const char *msg)
{
	struct krp_errlog_entry *e;
	char *copy = kstrdup(cmd, GFP_KERNEL);

	if (!copy)
		return;
	mutex_lock(&krp_errlog_mutex);
	e = &krp_errlog[krp_errlog_next];
	kfree(e->cmd);
	e->cmd = copy;
	e->msg = msg;
	e->pos = min_t(unsigned int, pos, strlen(copy));
	e->ts = local_clock();
	krp_errlog_next = (krp_errlog_next + 1) % KRP_ERRLOG_MAX;
	mutex_unlock(&krp_errlog_mutex);
}

/**
 * krp_errlog_clear() - forget every entry
 */
void krp_errlog_clear(void)
{
	unsigned int i;

	mutex_lock(&krp_errlog_mutex);
	for (i = 0; i < KRP_ERRLOG_MAX; i++) {
		kfree(krp_errlog[i].cmd);
		krp_errlog[i].cmd = NULL;
	}
	krp_errlog_next = 0;
	mutex_unlock(&krp_errlog_mutex);
}

/**
 * krp_errlog_show() - print the log, oldest entry first
 * @m: the seq_file of /proc/krp/error_log
 * @v: unused
 *
 * Return: 0.
 */
int krp_errlog_show(struct seq_file *m, void *v)
{
	unsigned int i, j;

	mutex_lock(&krp_errlog_mutex);
	for (i = 0; i < KRP_ERRLOG_MAX; i++) {
		struct krp_errlog_entry *e;
		u64 sec;
		u32 rem;

		e = &krp_errlog[(krp_errlog_next + i) % KRP_ERRLOG_MAX];
		if (!e->cmd)
			continue;
		sec = div_u64_rem(e->ts, NSEC_PER_SEC, &rem);
		seq_printf(m, "[%5llu.%06u] krp: error: %s\n", sec,
			   (u32)(rem / NSEC_PER_USEC), e->msg);
		seq_printf(m, KRP_ERRLOG_PREFIX "%s\n", e->cmd);
		for (j = 0; j < sizeof(KRP_ERRLOG_PREFIX) - 1 + e->pos; j++)
			seq_putc(m, ' ');
		seq_puts(m, "^\n");
	}
	mutex_unlock(&krp_errlog_mutex);
	return 0;
}
