// SPDX-License-Identifier: GPL-2.0
/*
 * krpctl: krp's return probes from the command line, for people without
 * a module of their own.  It drives /proc/krp/probes, reads
 * /proc/krp/hist/ and error_log, and streams krp's trace events
 * (Documentation/krpctl.8, Documentation/user-probes.md).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "krpctl.h"

static const char usage[] =
"usage: krpctl COMMAND [ARGS]\n"
"\n"
"  add SPEC           define a probe: r[:[GRP/]EVENT] [MOD:]SYM[+offs] [ARGS]\n"
"                     or p[:[GRP/]EVENT] ..., in kprobe_events syntax\n"
"  list               the definitions, one per line, as add takes them\n"
"  remove EVENT       remove a definition ([GRP/]EVENT)\n"
"  stats              returns seen and missed per probe, krp's counters\n"
"  trace SPEC         define SPEC, stream its events until Ctrl-C, remove it\n"
"  latency FUNC [-d SECONDS] [-i INTERVAL] [--json]\n"
"                     log2 histogram of FUNC's latency (entry to return),\n"
"                     at the end or every INTERVAL; Ctrl-C ends\n"
"  help, --help       this text\n"
"\n"
"  e.g. krpctl add 'r:myret vfs_read $retval'\n"
"       krpctl latency vfs_read -d 2\n"
"\n"
"Exit status: 0 done, 1 failed (the kernel's reason is shown), 2 bad\n"
"usage, 3 krp not loaded, 4 not root.  See krpctl(8).\n";

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("krpctl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'krpctl --help'.\n", stderr);
	return KRPCTL_USAGE;
}

/* join: argv[0..argc) as one SPEC, so that quoting it is optional. */
static char *join(int argc, char **argv)
{
	size_t len = 1;
	char *spec;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (len > KRPCTL_SPEC_MAX)
		return NULL;
	spec = calloc(1, len);
	if (!spec)
		return NULL;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(spec, " ");
		strcat(spec, argv[i]);
	}
	return spec;
}

/* seconds: a positive number of seconds, or -1. */
static double seconds(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	return *s && !*end && v > 0 && v < 1e7 ? v : -1;
}

static int parse_latency(int argc, char **argv)
{
	double duration = 0, interval = 0;
	const char *func = NULL;
	bool json = false;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "-i")) {
			double v = i + 1 < argc ? seconds(argv[i + 1]) : -1;

			if (v < 0)
				return bad_usage("latency: %s wants a positive number of seconds",
						 argv[i]);
			if (argv[i][1] == 'd')
				duration = v;
			else
				interval = v;
			i++;
		} else if (argv[i][0] == '-') {
			return bad_usage("latency: unknown option %s", argv[i]);
		} else if (func) {
			return bad_usage("latency: one function only, '%s' is a second",
					 argv[i]);
		} else {
			func = argv[i];
		}
	}
	if (!func)
		return bad_usage("latency: which function?%s", "");
	return krp_cmd_latency(func, duration, interval, json);
}

/* Commands that change something need root; reading may not. */
static int need_root(const char *cmd)
{
	if (geteuid() == 0)
		return 0;
	krp_err("%s: krp's controls are root's: run it as root", cmd);
	return KRPCTL_NO_PERM;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	const char *root = getenv("KRPCTL_ROOT");
	char *spec;
	int ret;

	if (root)
		krp_root = root;
	if (!cmd)
		return bad_usage("a command is needed%s", "");
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return fflush(stdout) ? KRPCTL_FAILED : KRPCTL_OK;
	}
	argc -= 2;
	argv += 2;

	if (!strcmp(cmd, "add") || !strcmp(cmd, "trace")) {
		if (argc < 1)
			return bad_usage("%s: which SPEC?", cmd);
		spec = join(argc, argv);
		if (!spec)
			return bad_usage("%s: SPEC too long", cmd);
		ret = need_root(cmd);
		if (!ret)
			ret = krp_check_loaded();
		if (!ret)
			ret = !strcmp(cmd, "add") ? krp_cmd_add(spec) : krp_cmd_trace(spec);
		free(spec);
		return ret;
	}
	if (!strcmp(cmd, "list") || !strcmp(cmd, "stats")) {
		if (argc)
			return bad_usage("%s takes no arguments", cmd);
		ret = krp_check_loaded();
		if (ret)
			return ret;
		return cmd[0] == 'l' ? krp_cmd_list() : krp_cmd_stats();
	}
	if (!strcmp(cmd, "remove")) {
		if (argc != 1)
			return bad_usage("remove: one EVENT%s", "");
		ret = need_root(cmd);
		if (!ret)
			ret = krp_check_loaded();
		return ret ? ret : krp_cmd_remove(argv[0]);
	}
	if (!strcmp(cmd, "latency")) {
		for (ret = 0; ret < argc; ret++)
			if (!strcmp(argv[ret], "--help"))
				return bad_usage("latency FUNC [-d SECONDS] [-i INTERVAL] [--json]%s", "");
		ret = need_root(cmd);
		if (!ret)
			ret = krp_check_loaded();
		return ret ? ret : parse_latency(argc, argv);
	}
	return bad_usage("unknown command '%s'", cmd);
}
