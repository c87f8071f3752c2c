/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names and addresses (see resolve.c).  This part of krp depends on
 * nothing else of krp: the public types and the kernel.
 */
#ifndef KRP_RESOLVE_H
#define KRP_RESOLVE_H

#include <linux/list.h>
#include <linux/types.h>

#include <krp/kprobes.h>

int krp_resolve(struct krp_kprobe *kp, unsigned long *addr, bool *shared,
		bool *ftrace, bool *copy_refused);
void krp_resolve_remember(struct krp_kprobe *kp, unsigned long addr);
void krp_resolve_forget(const char *modname);
int krp_describe(unsigned long addr, char *sym, unsigned int *offset,
		 char *modname);
int krp_func_size(unsigned long addr, unsigned int *size);
int krp_guards_add(unsigned long addr, unsigned int len,
		   struct list_head *guards);
int krp_guard_boundary(unsigned long addr, struct list_head *guards);
bool krp_guards_shared(struct list_head *guards);
void krp_guards_put(struct list_head *guards);
void krp_borrowed_flush(void);

#endif /* KRP_RESOLVE_H */
