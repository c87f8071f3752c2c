// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by krp's guest test programs; see krp_test.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "krp_test.h"

const char *krp_module_path(void)
{
	const char *p = getenv("KRP_MODULE");

	return p && *p ? p : KRP_MODULE_DEFAULT;
}

int krp_test_module_path(char *buf, size_t size, const char *name)
{
	const char *dir = getenv("KRP_SELFTESTS");
	int n;

	if (!dir || !*dir)
		dir = KRP_SELFTESTS_DEFAULT;
	n = snprintf(buf, size, "%s/%s.ko", dir, name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Read before any test loads or unloads krp: the state the user left. */
static bool krp_loaded_at_start;

/*
 * krp_cannot_run: why this machine cannot run krp's tests, or NULL.
 * Asked only in a kselftest run ($KRP_USE_LOADED set): the QEMU runner
 * boots only kernels krp supports, as root.
 */
static const char *krp_cannot_run(void)
{
	static char why[128];
	struct utsname u;

	if (geteuid())
		return "not root: the tests load modules";
	if (uname(&u))
		return "uname failed";
	if (strcmp(u.machine, "x86_64") &&
	    !(u.machine[0] == 'i' && !strcmp(u.machine + 2, "86"))) {
		snprintf(why, sizeof(why), "krp supports x86 only, this is %s", u.machine);
		return why;
	}
	if (strncmp(u.release, "6.1.", 4) && strncmp(u.release, "6.12.", 5)) {
		snprintf(why, sizeof(why), "krp supports Linux 6.1 and 6.12, this is %s",
			 u.release);
		return why;
	}
	return NULL;
}

static void __attribute__((constructor)) krp_note_loaded(void)
{
	const char *why;

	if (getenv("KRP_USE_LOADED")) {
		why = krp_cannot_run();
		if (why) {
			/* kselftest's skip: a plan of nothing, exit 4 */
			printf("TAP version 13\n1..0 # SKIP %s\n", why);
			exit(4);
		}
	}
	krp_loaded_at_start = krp_module_loaded("krp");
}

bool krp_use_loaded(void)
{
	const char *e = getenv("KRP_USE_LOADED");

	return krp_loaded_at_start && e && !strcmp(e, "1");
}

int krp_load_module(const char *path, const char *params)
{
	int fd, ret, err;

	if (krp_use_loaded() && !strcmp(path, krp_module_path()))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	err = errno;
	close(fd);
	return ret ? -err : 0;
}

int krp_unload_module_wait(const char *name, unsigned int timeout_ms)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	unsigned int waited = 0;

	if (krp_use_loaded() && !strcmp(name, "krp"))
		return 0;
	for (;;) {
		if (!syscall(SYS_delete_module, name, O_NONBLOCK))
			return 0;
		if ((errno != EAGAIN && errno != EBUSY) || waited >= timeout_ms)
			return -errno;
		nanosleep(&tick, NULL);
		waited += 10;
	}
}

int krp_unload_module(const char *name)
{
	return krp_unload_module_wait(name, 5000);
}

bool krp_module_loaded(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0;
}

ssize_t krp_read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	if (!size)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return len;
}

int krp_write_file(const char *path, const char *str)
{
	size_t len = strlen(str);
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, str, len);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	return (size_t)n == len ? 0 : -EIO;
}

int krp_param_set(const char *name, const char *value)
{
	char path[128], buf[64];
	size_t len = strlen(value);
	ssize_t n;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/krp/parameters/%s", name);
	ret = krp_write_file(path, value);
	if (ret)
		return ret;
	n = krp_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	return strncmp(buf, value, len) || (buf[len] && buf[len] != '\n') ?
	       -EIO : 0;
}

long krp_key_value(const char *text, const char *key)
{
	size_t len = strlen(key);
	const char *line = text;

	while (line && *line) {
		if (!strncmp(line, key, len) && line[len] == ' ')
			return strtol(line + len + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

long krp_stat(const char *name)
{
	static char buf[8192];

	if (krp_read_file(KRP_DEBUGFS "/stats", buf, sizeof(buf)) < 0)
		return -1;
	return krp_key_value(buf, name);
}

long krp_report(const char *key)
{
	static char buf[2048];

	if (krp_read_file("/sys/kernel/debug/krp_test/report", buf,
			  sizeof(buf)) < 0)
		return -1;
	return krp_key_value(buf, key);
}

ssize_t krp_reread(int fd, char *buf, size_t size)
{
	size_t len = 0;
	struct iovec iov;
	ssize_t n;

	if (!size)
		return -EINVAL;
	while (len < size - 1) {
		iov.iov_base = buf + len;
		iov.iov_len = size - 1 - len;
		n = preadv(fd, &iov, 1, len);
		if (n < 0)
			return -errno;
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	return len;
}

long krp_threads(void)
{
	glob_t g;
	long n;

	if (glob("/proc/[0-9]*/task/[0-9]*", GLOB_NOSORT, NULL, &g))
		return -1;
	n = g.gl_pathc;
	globfree(&g);
	return n;
}

bool krp_matches(const char *re, const char *s)
{
	regex_t r;
	bool ok;

	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB))
		return false;
	ok = !regexec(&r, s, 0, NULL, 0);
	regfree(&r);
	return ok;
}

int krp_file_workload(const char *dir, int rounds)
{
	char data[256], back[256], file[128], link[128], got[128];
	int i, fd, bad = 0;
	ssize_t n;

	snprintf(file, sizeof(file), "%s/krp_work", dir);
	snprintf(link, sizeof(link), "%s/krp_work_link", dir);
	for (i = 0; i < rounds; i++) {
		memset(data, 'a' + i % 26, sizeof(data));
		fd = open(file, O_CREAT | O_TRUNC | O_WRONLY, 0600);
		if (fd < 0 || write(fd, data, sizeof(data)) != sizeof(data))
			bad++;
		close(fd);
		fd = open(file, O_RDONLY);
		if (fd < 0 || read(fd, back, sizeof(back)) != sizeof(back) ||
		    memcmp(data, back, sizeof(data)))
			bad++;
		close(fd);
		unlink(link);
		n = symlink(file, link) ? -1 : readlink(link, got, sizeof(got));
		if (n != (ssize_t)strlen(file) || memcmp(got, file, n))
			bad++;
		unlink(link);
		unlink(file);
	}
	return bad;
}
