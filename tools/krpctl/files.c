// SPDX-License-Identifier: GPL-2.0
/*
 * krp's files as krpctl finds them.  KRPCTL_ROOT, when set, is put in
 * front of every absolute path: the host suite points it at a tree of
 * plain files standing in for /proc and /sys.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "krpctl.h"

const char *krp_root = "";

void krp_err(const char *fmt, ...)
{
	va_list ap;

	fputs("krpctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* krp_path: path under krp_root, in one of four rotating buffers. */
const char *krp_path(const char *path)
{
	static char buf[4][4096];
	static int next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s%s", krp_root, path);
	return b;
}

/*
 * krp_read_file: all of a file, NUL-terminated, or NULL with errno set.
 * procfs and tracefs files report no size: read until end of file.
 */
char *krp_read_file(const char *path, size_t *len)
{
	size_t size = 4096, used = 0;
	char *buf = malloc(size), *bigger;
	int fd = open(krp_path(path), O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || !buf) {
		int e = fd < 0 ? errno : ENOMEM;

		free(buf);
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
	for (;;) {
		if (used + 1 >= size) {
			bigger = realloc(buf, size * 2);
			if (!bigger) {
				n = -1;
				errno = ENOMEM;
				break;
			}
			buf = bigger;
			size *= 2;
		}
		n = read(fd, buf + used, size - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += n;
	}
	if (n < 0) {
		int e = errno;

		free(buf);
		close(fd);
		errno = e;
		return NULL;
	}
	close(fd);
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
}

/*
 * krp_write_file: text and a newline in one write(), as echo writes it:
 * the kernel takes one command per write.  append keeps what is there
 * (O_TRUNC would remove every definition of /proc/krp/probes).
 * Returns 0 or -errno.
 */
int krp_write_file(const char *path, const char *text, bool append)
{
	size_t len = strlen(text);
	char *line = malloc(len + 2);
	ssize_t n;
	int fd, e;

	if (!line)
		return -ENOMEM;
	memcpy(line, text, len);
	line[len++] = '\n';
	line[len] = '\0';
	fd = open(krp_path(path),
		  O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd < 0) {
		e = errno;
		free(line);
		return -e;
	}
	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	e = n < 0 ? errno : ((size_t)n == len ? 0 : EIO);
	if (close(fd) && !e)
		e = errno;
	free(line);
	return -e;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(krp_path(path), &st) == 0;
}

/* 0 when /proc/krp/probes is there, else KRPCTL_NO_KRP, said why. */
int krp_check_loaded(void)
{
	if (exists("/proc/krp/probes"))
		return 0;
	if (exists("/sys/module/krp"))
		krp_err("this krp.ko has no /proc/krp/probes: it predates probe definitions");
	else
		krp_err("krp is not loaded: load it first (modprobe krp, or insmod krp.ko)");
	return KRPCTL_NO_KRP;
}

/*
 * The tracefs directory: /sys/kernel/tracing, or debugfs' tracing/.
 * Mounted at /sys/kernel/tracing when neither is (a minimal system).
 */
const char *krp_tracefs(void)
{
	static const char * const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	static char found[64];
	char probe[96];
	size_t i;

	if (found[0])
		return found;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(probe, sizeof(probe), "%s/trace_pipe", dirs[i]);
		if (exists(probe)) {
			snprintf(found, sizeof(found), "%s", dirs[i]);
			return found;
		}
	}
	if (!*krp_root && !mount("tracefs", dirs[0], "tracefs", 0, NULL) &&
	    exists("/sys/kernel/tracing/trace_pipe")) {
		snprintf(found, sizeof(found), "%s", dirs[0]);
		return found;
	}
	return NULL;
}
