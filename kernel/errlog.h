/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/krp/error_log: why the last refused definitions were refused
 * (see errlog.c).
 */
#ifndef KRP_ERRLOG_H
#define KRP_ERRLOG_H

struct seq_file;

void krp_errlog_add(const char *cmd, unsigned int pos, const char *msg);
void krp_errlog_clear(void);
int krp_errlog_show(struct seq_file *m, void *v);

#endif /* KRP_ERRLOG_H */
