/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared ftrace entry (see ftrace.c); all of it under krp_mutex but
 * krp_ftrace_retire_ops() and krp_ftrace_wait().
 */
#ifndef KRP_FTRACE_H
#define KRP_FTRACE_H

#include <linux/types.h>

int krp_ftrace_add(unsigned long addr, const char *modname);
bool krp_ftrace_del(unsigned long addr);
void krp_ftrace_retire(unsigned long addr);
bool krp_ftrace_idle_flush(const char *modname);
bool krp_ftrace_reap(bool no_sites, bool *again);
void krp_ftrace_retire_ops(void);
void krp_ftrace_retired(void);
bool krp_ftrace_retiring(void);
void krp_ftrace_wait(void);
void krp_ftrace_exit(void);

#endif /* KRP_FTRACE_H */
