// SPDX-License-Identifier: GPL-2.0
/*
 * krpctl's one-shot commands: add, list, remove, stats.  Each writes one
 * command to /proc/krp/probes or reads krp's files, and says what the
 * kernel said when it refuses.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "krpctl.h"

#define PROBES		"/proc/krp/probes"
#define ERROR_LOG	"/proc/krp/error_log"
#define HIST_DIR	"/proc/krp/hist"
#define STATS		"/sys/kernel/debug/krp/stats"

/* refused: the errno of a write, and error_log's entry for command. */
static int refused(const char *what, const char *command, int err)
{
	char *log = krp_read_file(ERROR_LOG, NULL);
	const char *entry = NULL;
	size_t len = 0;

	krp_err("%s '%s': %s", what, command, strerror(-err));
	if (log)
		entry = krp_last_error(log, command, &len);
	if (entry)
		fprintf(stderr, "%.*s", (int)len, entry);
	free(log);
	if (err == -EACCES || err == -EPERM)
		return KRPCTL_NO_PERM;
	return KRPCTL_FAILED;
}

/*
 * krp_add_quiet: write spec; its event name into event.  A negative
 * errno when the kernel refuses; nothing said.
 */
int krp_add_quiet(const char *spec, char *event, size_t size)
{
	struct krp_spec s;

	if (krp_parse_spec(spec, &s) || s.kind == '-')
		return -EINVAL;
	if (event)
		snprintf(event, size, "%s", s.event);
	return krp_write_file(PROBES, spec, true);
}

int krp_cmd_add(const char *spec)
{
	struct krp_spec s;
	int err;

	if (krp_parse_spec(spec, &s) || s.kind == '-') {
		krp_err("add: '%s' is not a definition: want r[:[GRP/]EVENT] SYM [ARGS] or p[:[GRP/]EVENT] SYM [ARGS]",
			spec);
		return KRPCTL_USAGE;
	}
	err = krp_write_file(PROBES, spec, true);
	if (err)
		return refused("add", spec, err);
	return KRPCTL_OK;
}

/* each_def: call fn for every definition listed; -errno on a read error. */
static int each_def(int (*fn)(struct krp_def *def, void *arg), void *arg)
{
	char *text = krp_read_file(PROBES, NULL), *line, *save = NULL;
	struct krp_def def;
	int ret = 0;

	if (!text)
		return -errno;
	for (line = strtok_r(text, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		if (krp_parse_def(line, &def)) {
			krp_err("%s: cannot parse the line '%s'", PROBES, line);
			continue;
		}
		ret = fn(&def, arg);
	}
	free(text);
	return ret;
}

static int print_def(struct krp_def *def, void *arg)
{
	(void)arg;
	printf("%c:%s/%s %s%s%s\n", def->kind, def->group, def->event,
	       def->target, *def->args ? " " : "", def->args);
	return 0;
}

/* list: the definitions in the form add takes them back. */
int krp_cmd_list(void)
{
	int err = each_def(print_def, NULL);

	if (err) {
		krp_err("cannot read %s: %s", PROBES, strerror(-err));
		return err == -EACCES ? KRPCTL_NO_PERM : KRPCTL_FAILED;
	}
	return KRPCTL_OK;
}

struct lookup {
	const char *group;		/* NULL: any */
	const char *event;
	struct krp_def found;
	int matches;
};

static int match_def(struct krp_def *def, void *arg)
{
	struct lookup *l = arg;

	if (strcmp(def->event, l->event) ||
	    (l->group && strcmp(def->group, l->group)))
		return 0;
	l->found = *def;
	l->found.args = "";
	l->matches++;
	return 0;
}

int krp_remove_quiet(const char *group, const char *event)
{
	char cmd[2 * KRPCTL_NAME_MAX + 4];

	if (group && *group)
		snprintf(cmd, sizeof(cmd), "-:%s/%s", group, event);
	else
		snprintf(cmd, sizeof(cmd), "-:%s", event);
	return krp_write_file(PROBES, cmd, true);
}

/* remove EVENT or GRP/EVENT: looked up first, for a message people read. */
int krp_cmd_remove(const char *name)
{
	char group[KRPCTL_NAME_MAX] = "", cmd[2 * KRPCTL_NAME_MAX + 4];
	const char *slash = strchr(name, '/');
	struct lookup l = { .event = name };
	int err;

	if (slash) {
		if ((size_t)(slash - name) >= sizeof(group)) {
			krp_err("remove: '%s' is not [GRP/]EVENT", name);
			return KRPCTL_USAGE;
		}
		memcpy(group, name, slash - name);
		group[slash - name] = '\0';
		l.group = group;
		l.event = slash + 1;
	}
	if ((slash && !krp_valid_name(group)) || !krp_valid_name(l.event)) {
		krp_err("remove: '%s' is not [GRP/]EVENT", name);
		return KRPCTL_USAGE;
	}
	err = each_def(match_def, &l);
	if (err) {
		krp_err("cannot read %s: %s", PROBES, strerror(-err));
		return err == -EACCES ? KRPCTL_NO_PERM : KRPCTL_FAILED;
	}
	if (!l.matches) {
		krp_err("remove: no probe %s is defined (krpctl list shows them)", name);
		return KRPCTL_FAILED;
	}
	if (l.matches > 1) {
		krp_err("remove: %s is defined in more than one group: say GRP/%s",
			name, l.event);
		return KRPCTL_USAGE;
	}
	snprintf(cmd, sizeof(cmd), "-:%s/%s", l.found.group, l.found.event);
	err = krp_write_file(PROBES, cmd, true);
	if (err)
		return refused("remove", cmd, err);
	return KRPCTL_OK;
}

static int print_probe_stats(struct krp_def *def, void *arg)
{
	char path[sizeof(HIST_DIR) + KRPCTL_NAME_MAX + 1];
	struct krp_hist h;
	char *text;

	(void)arg;
	if (def->kind != 'r') {
		printf("%-24s %-24s %12s %12s %14s\n", def->event, def->target,
		       "-", "-", "-");
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", HIST_DIR, def->event);
	text = krp_read_file(path, NULL);
	if (!text || krp_parse_hist(text, &h)) {
		krp_err("%s: %s", path, text ? "cannot parse it" : strerror(errno));
		free(text);
		return 0;
	}
	free(text);
	printf("%-24s %-24s %12llu %12llu %14llu\n", def->event, def->target,
	       h.events, h.missed, h.events ? h.total / h.events : 0);
	return 0;
}

/*
 * stats: one row per defined probe (returns seen, returns missed,
 * average latency), then krp's own counters from debugfs when it is
 * mounted and readable.
 */
int krp_cmd_stats(void)
{
	char *text;
	int err;

	printf("%-24s %-24s %12s %12s %14s\n", "EVENT", "TARGET", "RETURNS",
	       "MISSED", "AVG_NSECS");
	err = each_def(print_probe_stats, NULL);
	if (err) {
		krp_err("cannot read %s: %s", PROBES, strerror(-err));
		return err == -EACCES ? KRPCTL_NO_PERM : KRPCTL_FAILED;
	}
	text = krp_read_file(STATS, NULL);
	if (!text) {
		printf("\n(krp's counters: %s: %s; mount debugfs to see them)\n",
		       STATS, strerror(errno));
		return KRPCTL_OK;
	}
	printf("\nkrp (%s):\n%s", STATS, text);
	free(text);
	return KRPCTL_OK;
}
