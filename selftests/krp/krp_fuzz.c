// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest fuzzing krp's inputs with a reproducible seed: every
 * registration field (krp_test_fuzz.c, in the kernel), and every file
 * of krp's a user can write.  A rejection must leave krp/list and
 * krp/stats as they were; each rejection has an errno.
 *
 *   KRP_FUZZ_SEED   the seed (default: from the clock; printed)
 *   KRP_FUZZ_COUNT  registrations and writes (default 2000)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "lib/krp_test.h"

#define RUN		"/sys/kernel/debug/krp_test/run"
#define ENABLED		"/proc/krp/enabled"
#define LIST		KRP_DEBUGFS "/list"
#define STATS		KRP_DEBUGFS "/stats"

static unsigned long long rnd_state;

/* xorshift64*: the same seed, the same writes */
static unsigned int rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (rnd_state * 2685821657736338717ULL) >> 32;
}

static int run(const char *scenario)
{
	int ret = krp_write_file(RUN, scenario);

	if (ret)
		ksft_print_msg("%s: %s\n", scenario, strerror(-ret));
	return ret;
}

/*
 * The stats that a rejected input must not move (tasks_with_pool
 * follows the guest's own tasks coming and going).
 */
static const char * const kept[] = {
	"frames_in_use", "slots_used", "missed_nomem",
};

static int snapshot(char *list, size_t size, long *stats)
{
	int i;

	if (krp_read_file(LIST, list, size) < 0)
		return -1;
	for (i = 0; i < 3; i++)
		stats[i] = krp_stat(kept[i]);
	return 0;
}

static int same_state(const char *what, const char *list0, const long *stats0)
{
	static char list[65536];
	long stats[3];
	int i, bad = 0;

	if (snapshot(list, sizeof(list), stats))
		return 0;
	if (strcmp(list, list0)) {
		ksft_print_msg("%s: krp/list changed:\n%s---\n%s", what, list0,
			       list);
		bad = 1;
	}
	for (i = 0; i < 3; i++) {
		if (stats[i] == stats0[i])
			continue;
		ksft_print_msg("%s: %s %ld, was %ld\n", what, kept[i], stats[i],
			       stats0[i]);
		bad = 1;
	}
	return !bad;
}

/*
 * What krp/enabled makes of a write: kstrtobool()'s words, by their
 * first one or two bytes; -1 for a rejection.  Words of "enable" and
 * "disable" (-2, -3) are taken by some kernels' kstrtobool() only.
 */
static int enabled_model(const char *buf, size_t len)
{
	if (!len)
		return -1;
	switch (buf[0]) {
	case 'y': case 'Y': case 't': case 'T': case '1':
		return 1;
	case 'n': case 'N': case 'f': case 'F': case '0':
		return 0;
	case 'e': case 'E':
		return -2;
	case 'd': case 'D':
		return -3;
	case 'o': case 'O':
		if (len < 2)
			return -1;
		if (buf[1] == 'n' || buf[1] == 'N')
			return 1;
		if (buf[1] == 'f' || buf[1] == 'F')
			return 0;
		return -1;
	}
	return -1;
}

static int write_raw(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY), ret;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	ret = n < 0 ? -errno : n == (ssize_t)len ? 0 : -EIO;
	close(fd);
	return ret;
}

static void fuzz_enabled(unsigned int count, const char *list0,
			 const long *stats0)
{
	static const char * const words[] = {
		"1", "0", "y", "n", "Y", "N", "on", "off", "ON", "OfF", "o",
		"1\n", "0\n", " 1", "\n", "2", "-1", "10", "yes", "no", "true",
		"false", "of", "oX", "\0001", "x", "t", "F", "enable", "d",
	};
	unsigned int i, wrong = 0, rejected = 0, bad_errno = 0;
	char buf[300], now[8];
	int state = 1, want, ret;
	size_t len;

	for (i = 0; i < count; i++) {
		if (rnd() % 2) {
			const char *w = words[rnd() % ARRAY_SIZE(words)];

			len = strlen(w) ? strlen(w) : 2;
			memcpy(buf, w, len);
		} else {
			size_t j;

			len = rnd() % sizeof(buf);
			for (j = 0; j < len; j++)
				buf[j] = rnd();
		}
		want = enabled_model(buf, len);
		ret = write_raw(ENABLED, buf, len);
		if (want < -1)
			want = ret ? -1 : want == -2;
		if (want < 0) {
			rejected++;
			if (ret != -EINVAL)
				bad_errno++;
		} else {
			if (ret)
				wrong++;
			state = want;
		}
		if (krp_read_file(ENABLED, now, sizeof(now)) != 2 ||
		    now[0] != '0' + state)
			wrong++;
	}
	if (state != 1 && write_raw(ENABLED, "1", 1))
		wrong++;
	ksft_test_result(!wrong && !bad_errno &&
			 same_state("/proc/krp/enabled", list0, stats0),
			 "/proc/krp/enabled: %u writes, %u rejected, every rejection EINVAL (%u not), state as written (%u wrong)\n",
			 count, rejected, bad_errno, wrong);
}

/* The read-only files: no write gets through, and nothing changes. */
static void fuzz_readonly(const char *list0, const long *stats0)
{
	static const char * const files[] = { LIST, STATS };
	int i, taken = 0;

	for (i = 0; i < 2; i++)
		if (!write_raw(files[i], "1\n", 2))
			taken++;
	ksft_test_result(!taken && same_state("read-only files", list0, stats0),
			 "krp/list and krp/stats refuse writes (%d taken)\n",
			 taken);
}

int main(void)
{
	const char *s = getenv("KRP_FUZZ_SEED"), *c = getenv("KRP_FUZZ_COUNT");
	unsigned long seed = s ? strtoul(s, NULL, 0) : (unsigned long)time(NULL);
	unsigned int count = c ? strtoul(c, NULL, 0) : 2000;
	static char list0[65536];
	char path[256], params[96];
	long stats0[3];
	int ret;

	ksft_print_header();
	ksft_set_plan(6);
	ksft_print_msg("seed %lu, count %u (KRP_FUZZ_SEED=%lu KRP_FUZZ_COUNT=%u to replay)\n",
		       seed, count, seed, count);
	rnd_state = seed * 2 + 1;

	ret = krp_load_module(krp_module_path(), "");
	if (ret)
		ksft_exit_fail_msg("load krp.ko: %s\n", strerror(-ret));
	snprintf(params, sizeof(params), "fuzz_seed=%lu fuzz_count=%u", seed,
		 count);
	ret = krp_test_module_path(path, sizeof(path), "krp_test");
	if (!ret)
		ret = krp_load_module(path, params);
	if (ret)
		ksft_exit_fail_msg("load krp_test.ko: %s\n", strerror(-ret));

	/* a probe that stays registered throughout: it must not change */
	ret = run("fuzz_hold");
	if (ret || snapshot(list0, sizeof(list0), stats0))
		ksft_exit_fail_msg("fuzz_hold: %s\n", strerror(-ret));

	ret = run("fuzz_register");
	ksft_print_msg("registrations: %ld tried, %ld accepted; EINVAL %ld, ENOENT %ld, E2BIG %ld, EBUSY %ld, EOPNOTSUPP %ld, EILSEQ %ld\n",
		       krp_report("tried"), krp_report("accepted"),
		       krp_report("einval"), krp_report("enoent"),
		       krp_report("e2big"), krp_report("ebusy"),
		       krp_report("eopnotsupp"), krp_report("eilseq"));
	ksft_test_result(!ret, "registration fields: every rejection a documented errno, nothing left registered or patched\n");
	ksft_test_result(same_state("registrations", list0, stats0),
			 "registration fields: krp/list and krp/stats as before\n");
	fuzz_enabled(count, list0, stats0);
	fuzz_readonly(list0, stats0);

	ret = run("fuzz_release");
	ret |= krp_unload_module("krp_test");
	ksft_test_result(!ret, "krp_test unloads: %s\n", strerror(-ret));
	ret = krp_unload_module_wait("krp", 5000);
	ksft_test_result(!ret, "krp unloads at the end: %s\n", strerror(-ret));
	ksft_finished();
}
