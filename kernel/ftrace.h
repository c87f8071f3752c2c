/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared ftrace entry (see ftrace.c); all of it under krp_mutex.
 */
#ifndef KRP_FTRACE_H
#define KRP_FTRACE_H

#include <linux/types.h>

int krp_ftrace_hookable(unsigned long addr);
int krp_ftrace_add(unsigned long addr);
void krp_ftrace_del(unsigned long addr);
bool krp_ftrace_retire(unsigned long addr, const char *modname);
void krp_ftrace_idle_flush(const char *modname);
void krp_ftrace_reap(bool no_sites);
void krp_ftrace_exit(void);

#endif /* KRP_FTRACE_H */
