// SPDX-License-Identifier: GPL-2.0
/*
 * krpctl's commands that run until stopped: trace (stream the events of
 * a probe it defines) and latency (a log2 histogram of a function's
 * latency).  SIGINT and SIGTERM end them; both then undo what they did
 * (the event's enable, the definition) before exiting.  The signals stay
 * blocked but inside ppoll(), so one cannot slip in between the check of
 * the flag and the wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "krpctl.h"

#define PROBES		"/proc/krp/probes"

/*
 * Not volatile: the signals are blocked but inside ppoll(), a call the
 * compiler must assume changes globals, so stop is read fresh after it.
 */
static sig_atomic_t stop;
static sigset_t wait_mask;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* catch_stop: block SIGINT and SIGTERM but while waiting in ppoll(). */
static void catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
}

/*
 * undefine: remove what krpctl added.  A reader of the probe's files may
 * hold it for a moment (EBUSY): retried for about five seconds.
 */
static int undefine(const char *group, const char *event)
{
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	int err, tries = 50;

	while ((err = krp_remove_quiet(group, event)) == -EBUSY && --tries)
		nanosleep(&pause, NULL);
	if (err) {
		krp_err("could not remove probe %s: %s (remove it with: krpctl remove %s)",
			event, strerror(-err), event);
		return KRPCTL_FAILED;
	}
	return KRPCTL_OK;
}

/* define: write spec and say what the kernel said if it refuses. */
static int define(const char *spec, const char *what)
{
	int err = krp_write_file(PROBES, spec, true);
	char *log;
	const char *entry = NULL;
	size_t len = 0;

	if (!err)
		return KRPCTL_OK;
	krp_err("%s: defining '%s': %s", what, spec, strerror(-err));
	log = krp_read_file("/proc/krp/error_log", NULL);
	if (log)
		entry = krp_last_error(log, spec, &len);
	if (entry)
		fprintf(stderr, "%.*s", (int)len, entry);
	free(log);
	return err == -EACCES || err == -EPERM ? KRPCTL_NO_PERM : KRPCTL_FAILED;
}

/* stream: trace_pipe's lines of event to stdout until stopped. */
static int stream(const char *tracefs, const char *event)
{
	char path[128], buf[8192], line[8192];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	const struct timespec tick = { .tv_sec = 0, .tv_nsec = 200 * 1000 * 1000 };
	size_t have = 0;
	struct pollfd pfd;
	int ret = KRPCTL_OK;

	snprintf(path, sizeof(path), "%s/trace_pipe", tracefs);
	pfd.fd = open(krp_path(path), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (pfd.fd < 0) {
		krp_err("cannot open %s: %s", path, strerror(errno));
		return KRPCTL_FAILED;
	}
	pfd.events = POLLIN;
	while (!stop) {
		ssize_t n;
		char *p;

		/*
		 * Bounded: trace_pipe's poll may wait for the ring buffer to
		 * fill to buffer_percent before it says there is data.
		 */
		if (ppoll(&pfd, 1, &tick, &wait_mask) < 0) {
			if (errno == EINTR)
				continue;
			krp_err("poll %s: %s", path, strerror(errno));
			ret = KRPCTL_FAILED;
			break;
		}
		/* readv(), not read(): vfs_read() would feed a probe on it. */
		n = readv(pfd.fd, &iov, 1);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			if (n < 0) {
				krp_err("read %s: %s", path, strerror(errno));
				ret = KRPCTL_FAILED;
			}
			break;
		}
		for (p = buf; p < buf + n; p++) {
			if (have < sizeof(line) - 1)
				line[have++] = *p;
			if (*p != '\n')
				continue;
			line[have] = '\0';
			have = 0;
			if (!krp_trace_line_is(line, event))
				continue;
			if (fputs(line, stdout) == EOF || fflush(stdout) == EOF) {
				stop = 1;
				break;
			}
		}
	}
	close(pfd.fd);
	return ret;
}

/*
 * trace SPEC: define it (named krpctl_PID when SPEC names no event),
 * enable krp's event for its kind, stream its lines; then put enable
 * back as it was and remove the definition.
 */
int krp_cmd_trace(const char *spec)
{
	char event[KRPCTL_NAME_MAX], named[KRPCTL_SPEC_MAX], enable[128];
	const char *tracefs;
	struct krp_spec s;
	char *was = NULL;
	int ret, st;

	snprintf(event, sizeof(event), "krpctl_%d", (int)getpid());
	if (krp_parse_spec(spec, &s) || s.kind == '-' ||
	    krp_name_spec(spec, event, named, sizeof(named))) {
		krp_err("trace: '%s' is not a definition: want r[:EVENT] SYM [ARGS] or p[:EVENT] SYM [ARGS]",
			spec);
		return KRPCTL_USAGE;
	}
	if (s.named)
		snprintf(event, sizeof(event), "%s", s.event);
	tracefs = krp_tracefs();
	if (!tracefs) {
		krp_err("trace: no tracefs (mount -t tracefs nodev /sys/kernel/tracing)");
		return KRPCTL_FAILED;
	}
	snprintf(enable, sizeof(enable), "%s/events/krp/%s/enable", tracefs,
		 s.kind == 'r' ? "krp_ret" : "krp_entry");
	catch_stop();
	ret = define(named, "trace");
	if (ret)
		return ret;
	was = krp_read_file(enable, NULL);
	if (!was) {
		krp_err("trace: cannot read %s: %s", enable, strerror(errno));
		ret = KRPCTL_FAILED;
		goto out;
	}
	if (was[0] != '1') {
		st = krp_write_file(enable, "1", false);
		if (st) {
			krp_err("trace: cannot enable %s: %s", enable, strerror(-st));
			ret = KRPCTL_FAILED;
			goto out;
		}
	}
	fprintf(stderr, "krpctl: tracing %s (%s); Ctrl-C ends\n", event, named);
	ret = stream(tracefs, event);
	if (was[0] != '1')
		krp_write_file(enable, "0", false);
out:
	free(was);
	st = undefine(s.group, event);
	return ret ? ret : st;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * pause_until: sleep until the monotonic time t or a stop signal.  A
 * ppoll() that fails other than by a signal (ENOSYS where the kernel
 * lacks the call the C library chose) fails the command: looping on it
 * would spin with SIGINT and SIGTERM blocked, which nothing could end.
 */
static int pause_until(double t)
{
	struct timespec ts;
	double left;

	while (!stop && (left = t - now()) > 0) {
		/* "Until stopped" is a very large t: wait an hour at a time. */
		if (left > 3600)
			left = 3600;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		if (ppoll(NULL, 0, &ts, &wait_mask) < 0 && errno != EINTR) {
			krp_err("latency: cannot wait (ppoll): %s", strerror(errno));
			return KRPCTL_FAILED;
		}
	}
	return KRPCTL_OK;
}

static int read_hist(const char *path, struct krp_hist *h)
{
	char *text = krp_read_file(path, NULL);
	int err;

	if (!text) {
		krp_err("latency: cannot read %s: %s", path, strerror(errno));
		return KRPCTL_FAILED;
	}
	err = krp_parse_hist(text, h);
	free(text);
	if (err) {
		krp_err("latency: %s is not a histogram krpctl can read", path);
		return KRPCTL_FAILED;
	}
	return KRPCTL_OK;
}

static void show(const struct krp_hist *h, const char *func, double seconds,
		 bool json)
{
	if (json) {
		krp_print_hist_json(stdout, h, func, seconds);
	} else {
		printf("\n%s, %.1f s:\n", func, seconds);
		krp_print_hist(stdout, h);
	}
	fflush(stdout);
}

/*
 * latency FUNC: an r probe on FUNC, its histogram printed at the end
 * (seconds, 0 for until stopped) or every interval (that interval's
 * rows only: the difference of two readings), then removed.
 */
int krp_cmd_latency(const char *func, double seconds, double interval,
		    bool json)
{
	char event[KRPCTL_NAME_MAX], spec[KRPCTL_SPEC_MAX], path[128];
	struct krp_hist first, prev, cur, d;
	double start, end, tick, last;
	int ret, st;

	if (!*func || strpbrk(func, " \t\n") ||
	    strlen(func) >= sizeof(spec) - 2 * KRPCTL_NAME_MAX) {
		krp_err("latency: '%s' is not a function name ([MOD:]SYM[+offs])", func);
		return KRPCTL_USAGE;
	}
	snprintf(event, sizeof(event), "krpctl_lat_%d", (int)getpid());
	snprintf(spec, sizeof(spec), "r:%s %s", event, func);
	snprintf(path, sizeof(path), "/proc/krp/hist/%s", event);
	catch_stop();
	ret = define(spec, "latency");
	if (ret)
		return ret;
	ret = read_hist(path, &first);
	if (ret)
		goto out;
	prev = first;
	fprintf(stderr, "krpctl: tracing %s with krp; %s\n", func,
		seconds > 0 ? "it ends after the duration or on Ctrl-C" : "Ctrl-C ends");
	start = now();
	last = start;
	end = seconds > 0 ? start + seconds : 1e300;
	for (tick = start; !stop && now() < end;) {
		tick = interval > 0 ? tick + interval : end;
		ret = pause_until(tick < end ? tick : end);
		if (ret)
			goto out;
		if (!interval)
			break;
		ret = read_hist(path, &cur);
		if (ret)
			goto out;
		krp_hist_sub(&d, &cur, &prev);
		show(&d, func, now() - last, json);
		prev = cur;
		last = now();
	}
	if (!interval) {
		ret = read_hist(path, &cur);
		if (ret)
			goto out;
		krp_hist_sub(&d, &cur, &first);
		show(&d, func, now() - start, json);
	}
out:
	st = undefine(NULL, event);
	return ret ? ret : st;
}
