/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The segments a pool grows by (segments.c): the piece of a task's byte
 * stack, the hit path's taking of one, and the reserves' lifecycle.
 */
#ifndef KRP_SEGMENTS_H
#define KRP_SEGMENTS_H

#include <linux/gfp.h>

/*
 * A piece of a task's byte stack.  The first one is inside the pool;
 * the others come from the per-CPU reserves when a frame does not fit,
 * and stay chained to the task (@next) once they empty, until its pool
 * is freed.  For every segment S above the first, S->prev->next == S.
 */
struct krp_seg {
	struct krp_seg *prev;	/* below; NULL for the first */
	struct krp_seg *next;	/* above, empty, kept for reuse */
	unsigned int top;	/* bytes of @stack in use */
	unsigned short cap;	/* bytes of @stack */
	unsigned short index;	/* 0 for the first */
	unsigned long stack[];
};

/* may fail, never OOM-kills nor warns: a registration gets -ENOMEM */
#define KRP_GFP	(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN)

/* the hit path, any context */
struct krp_seg *krp_seg_above(struct krp_seg *seg);

/* process context */
unsigned int krp_segs_capacity(void);
int krp_segs_init(void);
void krp_segs_exit(void);
int krp_reserves_fill(void);
void krp_reserves_free(void);
void krp_segs_free(struct krp_seg *seg);
void krp_segs_bytes(unsigned long *held, unsigned long *reserved);

#endif /* KRP_SEGMENTS_H */
