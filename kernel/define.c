// SPDX-License-Identifier: GPL-2.0
/*
 * Probe definitions for people without a module of their own, in the
 * syntax of the kernel's kprobe_events:
 *
 *	r[MAXACTIVE][:[GRP/]EVENT] [MOD:]SYM [FETCHARGS]
 *	p[:[GRP/]EVENT] [MOD:]SYM[+offs] [FETCHARGS]
 *	-:[GRP/]EVENT
 *
 * Each definition is a probe of krp's own whose handlers (events.c)
 * emit krp's trace events and, for return probes, keep a latency
 * histogram, readable at /proc/krp/hist/EVENT.  MAXACTIVE is accepted
 * and ignored: instances live in per-task pools.  A refused command
 * leaves nothing defined, returns a negative errno and logs why and
 * where to the error log.  krp_defs_mutex serializes every change and
 * comes before krp_mutex.
 */
#include <linux/ctype.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "define.h"
#include "errlog.h"
#include "events.h"

#define KRP_DEFS_MAX		128	/* definitions at once */
#define KRP_DEF_NAME_MAX	64	/* EVENT and GRP, with the NUL */
#define KRP_DEF_WORDS		(KRP_FETCH_ARGS_MAX + 2)
#define KRP_DEF_GROUP		"krp"

static DEFINE_MUTEX(krp_defs_mutex);
static LIST_HEAD(krp_defs);
static unsigned int krp_defs_count;
static struct proc_dir_entry *krp_hist_dir;

/* A command split into words, each with its position in the command. */
struct krp_words {
	char *buf;
	unsigned int n;
	char *word[KRP_DEF_WORDS];
	unsigned int pos[KRP_DEF_WORDS];
};

struct krp_cmd_err {
	const char *cmd;
	const char *msg;
	unsigned int pos;
};

static int krp_refuse(struct krp_cmd_err *e, const char *msg,
		      unsigned int pos, int ret)
{
	e->msg = msg;
	e->pos = pos;
	return ret;
}

/* Names are C identifiers, as tracefs wants event and group names. */
static bool krp_name_ok(const char *s, size_t max)
{
	size_t i;

	if (!s[0] || isdigit(s[0]) || strlen(s) >= max)
		return false;
	for (i = 0; s[i]; i++)
		if (!isalnum(s[i]) && s[i] != '_')
			return false;
	return true;
}

static struct krp_def *krp_def_find(const char *group, const char *event)
{
	struct krp_def *def;

	list_for_each_entry(def, &krp_defs, node)
		if (!strcmp(def->event, event) &&
		    (!group || !strcmp(def->group, group)))
			return def;
	return NULL;
}

static int krp_words_split(const char *cmd, struct krp_words *w,
			   struct krp_cmd_err *e)
{
	char *p;

	w->buf = kstrdup(cmd, GFP_KERNEL);
	if (!w->buf)
		return krp_refuse(e, "Out of memory", 0, -ENOMEM);
	w->n = 0;
	p = w->buf;
	for (;;) {
		while (isspace(*p))
			p++;
		if (!*p)
			return 0;
		if (w->n == KRP_DEF_WORDS)
			return krp_refuse(e, "Too many arguments", p - w->buf,
					  -E2BIG);
		w->word[w->n] = p;
		w->pos[w->n++] = p - w->buf;
		while (*p && !isspace(*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
}

/* "[GRP/]EVENT" at @s, @pos into the command. */
static int krp_parse_name(char *s, unsigned int pos, char **group,
			  char **event, struct krp_cmd_err *e)
{
	char *slash = strchr(s, '/');

	*group = NULL;
	*event = s;
	if (slash) {
		*slash = '\0';
		*group = s;
		*event = slash + 1;
		if (!krp_name_ok(s, KRP_DEF_NAME_MAX))
			return krp_refuse(e, "Invalid group name", pos,
					  -EINVAL);
	}
	if (!krp_name_ok(*event, KRP_DEF_NAME_MAX))
		return krp_refuse(e, "Invalid event name",
				  pos + (*event - s), -EINVAL);
	return 0;
}

static void krp_def_free(struct krp_def *def)
{
	unsigned int i;

	for (i = 0; i < def->nargs; i++)
		krp_fetch_release(&def->args[i]);
	krp_hist_free(&def->hist);
	kfree(def->group);
	kfree(def->event);
	kfree(def->sym);
	kfree(def->where);
	kfree(def);
}

/* NAME=FETCHARG or FETCHARG, the @i-th of @def. */
static int krp_def_arg(struct krp_def *def, unsigned int i, char *s,
		       unsigned int pos, struct krp_cmd_err *e)
{
	struct krp_fetch *f = &def->args[i];
	struct krp_fetch_err ferr;
	char *eq = strchr(s, '=');
	unsigned int j, name_pos = pos;
	int ret;

	if (eq) {
		*eq = '\0';
		if (!krp_name_ok(s, KRP_FETCH_NAME_MAX))
			return krp_refuse(e, "Invalid argument name", pos,
					  -EINVAL);
		strscpy(f->name, s, sizeof(f->name));
		pos += eq + 1 - s;
		s = eq + 1;
	} else {
		/* as kprobe_events names them */
		snprintf(f->name, sizeof(f->name), "arg%u", i + 1);
	}
	for (j = 0; j < i; j++)
		if (!strcmp(def->args[j].name, f->name))
			return krp_refuse(e, "Duplicated argument name",
					  name_pos, -EINVAL);
	ret = krp_fetch_parse(f, s, def->is_ret, &ferr);
	if (ret)
		return krp_refuse(e, ferr.msg, pos + ferr.pos, ret);
	def->nargs = i + 1;
	if (def->is_ret && f->base == KRP_FETCH_ARG)
		def->nsaved = max(def->nsaved, f->param + 1);
	return 0;
}

/* "[MOD:]SYM[+offs]" */
static int krp_def_target(struct krp_def *def, char *s, unsigned int pos,
			  struct krp_cmd_err *e)
{
	char *plus = strchr(s, '+');
	size_t i;

	if (plus) {
		*plus = '\0';
		if (kstrtouint(plus + 1, 0, &def->offset))
			return krp_refuse(e, "Invalid offset",
					  pos + (plus + 1 - s), -EINVAL);
		if (def->is_ret && def->offset)
			return krp_refuse(e,
				"Return probe must be used without offset",
				pos + (plus - s), -EINVAL);
	}
	for (i = 0; s[i]; i++)
		if (!isalnum(s[i]) && !strchr("_.:", s[i]))
			return krp_refuse(e, "Invalid symbol", pos, -EINVAL);
	if (!s[0] || strlen(s) >= KSYM_NAME_LEN + MODULE_NAME_LEN)
		return krp_refuse(e, "Invalid symbol", pos, -EINVAL);
	def->sym = kstrdup(s, GFP_KERNEL);
	if (def->offset)
		def->where = kasprintf(GFP_KERNEL, "%s+%u", s, def->offset);
	else
		def->where = kstrdup(s, GFP_KERNEL);
	if (!def->sym || !def->where)
		return krp_refuse(e, "Out of memory", pos, -ENOMEM);
	return 0;
}

/* The name kprobe_events gives: r_SYM_0, p_SYM_OFFS, '.' and ':' as '_'. */
static char *krp_def_default_name(struct krp_def *def)
{
	char *name = kasprintf(GFP_KERNEL, "%c_%s_%u", def->is_ret ? 'r' : 'p',
			       def->sym, def->offset);
	char *p;

	if (name && strlen(name) >= KRP_DEF_NAME_MAX)
		name[KRP_DEF_NAME_MAX - 1] = '\0';
	for (p = name; p && *p; p++)
		if (!isalnum(*p))
			*p = '_';
	return name;
}

static int krp_hist_file_show(struct seq_file *m, void *v)
{
	struct krp_def *def = m->private;

	krp_hist_show(m, &def->hist, krp_kretprobe_nmissed(&def->rp));
	return 0;
}

static int krp_def_register(struct krp_def *def, unsigned int pos,
			    struct krp_cmd_err *e)
{
	int ret;

	if (def->is_ret) {
		ret = krp_hist_init(&def->hist);
		if (ret)
			return krp_refuse(e, "Out of memory", pos, ret);
		def->rp.kp.symbol_name = def->sym;
		def->rp.entry_handler = krp_def_entry;
		def->rp.handler = krp_def_return;
		def->rp.data_size = struct_size((struct krp_def_frame *)NULL,
						args, def->nsaved);
		ret = krp_register_kretprobe(&def->rp);
	} else {
		def->kp.symbol_name = def->sym;
		def->kp.offset = def->offset;
		def->kp.pre_handler = krp_def_pre;
		ret = krp_register_kprobe(&def->kp);
	}
	if (ret)
		return krp_refuse(e, ret == -ENOENT ? "Unknown symbol" :
				  "This function cannot be probed", pos, ret);
	if (!def->is_ret)
		return 0;
	def->hist_pde = proc_create_single_data(def->event, 0444, krp_hist_dir,
						krp_hist_file_show, def);
	if (def->hist_pde)
		return 0;
	krp_unregister_kretprobe(&def->rp);
	return krp_refuse(e, "Out of memory", pos, -ENOMEM);
}

static int krp_def_add(struct krp_words *w, struct krp_cmd_err *e)
{
	char *head = w->word[0], *group = NULL, *event = NULL, *p;
	struct krp_def *def;
	unsigned int i;
	int ret;

	if (w->n < 2)
		return krp_refuse(e, "Missing symbol", strlen(e->cmd), -EINVAL);
	if (w->n - 2 > KRP_FETCH_ARGS_MAX)
		return krp_refuse(e, "Too many arguments",
				  w->pos[2 + KRP_FETCH_ARGS_MAX], -E2BIG);
	p = head + 1;
	if (head[0] == 'r')
		while (isdigit(*p))
			p++;	/* MAXACTIVE: per-task pools need none */
	if (*p == ':') {
		ret = krp_parse_name(p + 1, w->pos[0] + (p + 1 - head), &group,
				     &event, e);
		if (ret)
			return ret;
	} else if (*p) {
		return krp_refuse(e, head[0] == 'p' && isdigit(*p) ?
				  "MAXACTIVE is only for return probes" :
				  "Invalid probe type", w->pos[0] + (p - head),
				  -EINVAL);
	}
	if (krp_defs_count >= KRP_DEFS_MAX)
		return krp_refuse(e, "Too many probes defined", 0, -ENOSPC);

	def = kzalloc(struct_size(def, args, w->n - 2), GFP_KERNEL);
	if (!def)
		return krp_refuse(e, "Out of memory", 0, -ENOMEM);
	def->is_ret = head[0] == 'r';
	ret = krp_def_target(def, w->word[1], w->pos[1], e);
	if (ret)
		goto out;
	def->group = kstrdup(group ? group : KRP_DEF_GROUP, GFP_KERNEL);
	def->event = event ? kstrdup(event, GFP_KERNEL) :
			     krp_def_default_name(def);
	ret = -ENOMEM;
	if (!def->group || !def->event) {
		krp_refuse(e, "Out of memory", 0, ret);
		goto out;
	}
	/* one histogram file per name: event names are unique across groups */
	if (krp_def_find(NULL, def->event)) {
		ret = krp_refuse(e, "The event name is already used",
				 event ? w->pos[0] + (event - head) : 0,
				 -EEXIST);
		goto out;
	}
	for (i = 0; i + 2 < w->n; i++) {
		ret = krp_def_arg(def, i, w->word[i + 2], w->pos[i + 2], e);
		if (ret)
			goto out;
	}
	ret = krp_def_register(def, w->pos[1], e);
	if (ret)
		goto out;
	list_add_tail(&def->node, &krp_defs);
	krp_defs_count++;
	return 0;
out:
	krp_def_free(def);
	return ret;
}

/* Take @defs out of sight, then unregister them in one grace period. */
static void krp_defs_remove(struct list_head *defs)
{
	struct krp_kretprobe **rps;
	struct krp_kprobe **kps;
	struct krp_def *def, *next;
	unsigned int nr = 0, np = 0;

	list_for_each_entry(def, defs, node) {
		/* waits for readers of the file, which read the probe */
		proc_remove(def->hist_pde);
		if (def->is_ret)
			nr++;
		else
			np++;
	}
	rps = kcalloc(nr, sizeof(*rps), GFP_KERNEL);
	kps = kcalloc(np, sizeof(*kps), GFP_KERNEL);
	nr = 0;
	np = 0;
	list_for_each_entry(def, defs, node) {
		if (def->is_ret && rps)
			rps[nr++] = &def->rp;
		else if (def->is_ret)
			krp_unregister_kretprobe(&def->rp);
		else if (kps)
			kps[np++] = &def->kp;
		else
			krp_unregister_kprobe(&def->kp);
	}
	if (nr)
		krp_unregister_kretprobes(rps, nr);
	if (np)
		krp_unregister_kprobes(kps, np);
	kfree(rps);
	kfree(kps);
	/* no handler runs any more: they are done with @def */
	list_for_each_entry_safe(def, next, defs, node)
		krp_def_free(def);
}

static int krp_def_del(struct krp_words *w, struct krp_cmd_err *e)
{
	char *group, *event;
	struct krp_def *def;
	LIST_HEAD(one);
	int ret;

	if (w->word[0][1] != ':')
		return krp_refuse(e, "Invalid probe type", w->pos[0] + 1,
				  -EINVAL);
	if (w->n > 1)
		return krp_refuse(e, "Extra arguments to removal", w->pos[1],
				  -EINVAL);
	ret = krp_parse_name(w->word[0] + 2, w->pos[0] + 2, &group, &event, e);
	if (ret)
		return ret;
	def = krp_def_find(group, event);
	if (!def)
		return krp_refuse(e, "No such event", w->pos[0] + 2, -ENOENT);
	list_move(&def->node, &one);
	krp_defs_count--;
	krp_defs_remove(&one);
	return 0;
}

/**
 * krp_def_command() - carry out one command written to /proc/krp/probes
 * @cmd: the command, NUL-terminated; blank or a '#' comment does nothing
 *
 * Process context.  On failure nothing is defined and the error log
 * says why.
 *
 * Return: 0; -EINVAL for bad syntax or an unknown fetch argument;
 * -ENOENT for an unknown symbol or, removing, event; -EEXIST for an
 * event name already used; -E2BIG over the limits of one definition;
 * -ENOSPC when KRP_DEFS_MAX are defined; -ENOMEM; another error of
 * krp_register_kretprobe() or krp_register_kprobe().
 */
int krp_def_command(const char *cmd)
{
	struct krp_cmd_err e = { .cmd = cmd };
	struct krp_words w;
	int ret;

	ret = krp_words_split(cmd, &w, &e);
	if (ret || !w.n || w.word[0][0] == '#')
		goto out;
	mutex_lock(&krp_defs_mutex);
	switch (w.word[0][0]) {
	case 'r':
	case 'p':
		ret = krp_def_add(&w, &e);
		break;
	case '-':
		ret = krp_def_del(&w, &e);
		break;
	default:
		ret = krp_refuse(&e, "Invalid probe type", w.pos[0], -EINVAL);
		break;
	}
	mutex_unlock(&krp_defs_mutex);
out:
	kfree(w.buf);
	if (ret)
		krp_errlog_add(cmd, e.pos, e.msg);
	return ret;
}

/**
 * krp_defs_clear() - remove every definition
 *
 * What opening /proc/krp/probes with O_TRUNC does, as for kprobe_events.
 */
void krp_defs_clear(void)
{
	LIST_HEAD(all);

	mutex_lock(&krp_defs_mutex);
	list_splice_init(&krp_defs, &all);
	krp_defs_count = 0;
	krp_defs_remove(&all);
	mutex_unlock(&krp_defs_mutex);
}

/**
 * krp_defs_show() - list the definitions, one a line, canonical form
 * @m: the seq_file of /proc/krp/probes
 * @v: unused
 *
 * "r:GRP/EVENT SYM[+offs] NAME=FETCHARG[:TYPE] ..." as kprobe_events
 * lists them.
 *
 * Return: 0.
 */
int krp_defs_show(struct seq_file *m, void *v)
{
	struct krp_def *def;
	unsigned int i;

	mutex_lock(&krp_defs_mutex);
	list_for_each_entry(def, &krp_defs, node) {
		seq_printf(m, "%c:%s/%s %s", def->is_ret ? 'r' : 'p',
			   def->group, def->event, def->where);
		for (i = 0; i < def->nargs; i++)
			seq_printf(m, " %s=%s", def->args[i].name,
				   def->args[i].text);
		seq_putc(m, '\n');
	}
	mutex_unlock(&krp_defs_mutex);
	return 0;
}

/**
 * krp_defs_init() - get ready for definitions
 * @hist_dir: the directory their histogram files go in
 *
 * Return: 0.
 */
int krp_defs_init(struct proc_dir_entry *hist_dir)
{
	krp_hist_dir = hist_dir;
	return 0;
}

/**
 * krp_defs_exit() - remove every definition, at unload
 */
void krp_defs_exit(void)
{
	krp_defs_clear();
}
