/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fetch arguments of probe definitions (see fetch.c): parsed once in
 * process context, evaluated and formatted on the hit path.
 */
#ifndef KRP_FETCH_H
#define KRP_FETCH_H

#include <linux/ptrace.h>
#include <linux/types.h>

/* Limits of one definition; over them a definition is refused. */
#define KRP_FETCH_NAME_MAX	32	/* NAME of NAME=FETCHARG, with the NUL */
#define KRP_FETCH_DEPTH		4	/* nested +|-offs(...) */
#define KRP_FETCH_ARGS_MAX	16	/* fetch args of a definition */
#define KRP_FETCH_SAVED_MAX	8	/* $argN of return probes: N at most */
/* the formatted args of one hit; longer output is cut */
#define KRP_FETCH_OUT_LEN	128

enum krp_fetch_base {
	KRP_FETCH_RETVAL,	/* $retval */
	KRP_FETCH_ARG,		/* $argN, param = N - 1 */
	KRP_FETCH_COMM,		/* $comm */
	KRP_FETCH_REG,		/* %reg, param = offset in pt_regs */
	KRP_FETCH_IMM,		/* @SYM: its address, then one deref */
};

enum krp_fetch_type {
	KRP_TYPE_U,
	KRP_TYPE_S,
	KRP_TYPE_X,
	KRP_TYPE_STRING,
	KRP_TYPE_SYMBOL,
};

/* One NAME=FETCHARG[:TYPE]. */
struct krp_fetch {
	char name[KRP_FETCH_NAME_MAX];
	char *text;			/* FETCHARG[:TYPE] as written */
	u8 base;			/* enum krp_fetch_base */
	u8 type;			/* enum krp_fetch_type */
	u8 size;			/* bytes read or kept, numeric types */
	u8 nderef;
	unsigned int param;
	unsigned long imm;
	long offs[KRP_FETCH_DEPTH];	/* innermost first */
};

/* Why a fetch arg was refused, and where in its text. */
struct krp_fetch_err {
	const char *msg;
	unsigned int pos;
};

int krp_fetch_parse(struct krp_fetch *f, const char *text, bool is_ret,
		    struct krp_fetch_err *err);
void krp_fetch_release(struct krp_fetch *f);
unsigned int krp_fetch_format(const struct krp_fetch *args, unsigned int n,
			      struct pt_regs *regs, const unsigned long *saved,
			      char *buf, unsigned int len);

#endif /* KRP_FETCH_H */
