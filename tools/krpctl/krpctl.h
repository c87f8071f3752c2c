/* SPDX-License-Identifier: GPL-2.0 */
/*
 * krpctl: what its files share.  formats.c parses and prints krp's text
 * formats and touches no file, so the host suite tests it alone;
 * files.c finds and reads krp's files; the commands live in commands.c
 * (one-shot) and watch.c (trace and latency, which run until stopped).
 */
#ifndef KRPCTL_H
#define KRPCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes, also in Documentation/krpctl.8. */
enum {
	KRPCTL_OK	= 0,
	KRPCTL_FAILED	= 1,	/* the kernel refused, or a file failed */
	KRPCTL_USAGE	= 2,	/* bad command line or SPEC */
	KRPCTL_NO_KRP	= 3,	/* krp.ko not loaded, or without /proc/krp */
	KRPCTL_NO_PERM	= 4,	/* not root */
};

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

#define KRPCTL_NAME_MAX		64
#define KRPCTL_SPEC_MAX		4096
#define KRPCTL_BUCKETS		65	/* log2 rows of a u64: 0 -> 1 .. 2^63 -> 2^64-1 */

/* One definition, as /proc/krp/probes lists it. */
struct krp_def {
	char kind;			/* 'r' or 'p' */
	char group[KRPCTL_NAME_MAX];
	char event[KRPCTL_NAME_MAX];
	char target[256];		/* [MOD:]SYM[+offs] */
	const char *args;		/* into the parsed line: fetch args, or "" */
};

/* What krpctl needs to know of a SPEC before writing it. */
struct krp_spec {
	char kind;			/* 'r', 'p' or '-' */
	bool named;			/* an EVENT is given */
	char group[KRPCTL_NAME_MAX];	/* "" when not given */
	char event[KRPCTL_NAME_MAX];
	size_t rest;			/* offset of what follows the first word */
};

/* A histogram of /proc/krp/hist/EVENT; bucket i holds 2^(i-1) .. 2^i - 1. */
struct krp_hist {
	unsigned long long count[KRPCTL_BUCKETS];
	unsigned long long total, events, missed;
	char unit[16];
};

int krp_parse_def(char *line, struct krp_def *def);
int krp_parse_spec(const char *spec, struct krp_spec *s);
int krp_name_spec(const char *spec, const char *event, char *out, size_t size);
int krp_parse_hist(const char *text, struct krp_hist *h);
void krp_hist_sub(struct krp_hist *d, const struct krp_hist *a,
		  const struct krp_hist *b);
void krp_print_hist(FILE *f, const struct krp_hist *h);
void krp_print_hist_json(FILE *f, const struct krp_hist *h, const char *func,
			 double seconds);
const char *krp_last_error(const char *log, const char *command, size_t *len);
bool krp_trace_line_is(const char *line, const char *event);
bool krp_valid_name(const char *name);

/* files.c */
extern const char *krp_root;
const char *krp_path(const char *path);
char *krp_read_file(const char *path, size_t *len);
int krp_write_file(const char *path, const char *text, bool append);
int krp_check_loaded(void);
const char *krp_tracefs(void);
void krp_err(const char *fmt, ...);

/* commands.c and watch.c */
int krp_cmd_add(const char *spec);
int krp_cmd_list(void);
int krp_cmd_remove(const char *event);
int krp_cmd_stats(void);
int krp_cmd_trace(const char *spec);
int krp_cmd_latency(const char *func, double seconds, double interval,
		    bool json);
int krp_add_quiet(const char *spec, char *event, size_t size);
int krp_remove_quiet(const char *group, const char *event);

#endif /* KRPCTL_H */
