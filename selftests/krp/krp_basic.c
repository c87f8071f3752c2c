// SPDX-License-Identifier: GPL-2.0
/*
 * krp_basic: krp.ko loads and unloads by syscall, its debugfs file
 * krp/list and its control /proc/krp/enabled behave.
 *
 * krp.ko is not loaded when this starts and is not loaded when it ends.
 * The harness forks for every test, but module state outlives the fork:
 * every test of the krp fixture loads krp.ko in setup and unloads it in
 * teardown, so each starts from a fresh load.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "krp_test.h"

#define KRP_LIST	KRP_DEBUGFS "/list"
#define KRP_ENABLED	KRP_PROCFS "/enabled"

TEST(load_then_unload)
{
	struct stat st;

	if (geteuid())
		SKIP(return, "loading modules needs root");
	if (krp_use_loaded())
		SKIP(return, "krp.ko was loaded before: its load is not tested");
	ASSERT_FALSE(krp_module_loaded("krp")) {
		TH_LOG("krp.ko is already loaded");
	}

	ASSERT_EQ(0, krp_load_module(krp_module_path(), ""));
	EXPECT_TRUE(krp_module_loaded("krp"));
	ASSERT_EQ(0, stat(KRP_DEBUGFS, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));

	ASSERT_EQ(0, krp_unload_module("krp"));
	EXPECT_FALSE(krp_module_loaded("krp"));
	EXPECT_EQ(-1, stat(KRP_DEBUGFS, &st));
	EXPECT_EQ(ENOENT, errno) {
		TH_LOG("%s still there after unload", KRP_DEBUGFS);
	}
}

FIXTURE(krp) {
	char buf[256];
};

FIXTURE_SETUP(krp)
{
	if (geteuid())
		SKIP(return, "loading modules needs root");
	/* Each test loads its own krp.ko: not on a machine that uses one. */
	if (krp_use_loaded())
		SKIP(return, "krp.ko was loaded before: not unloading it");
	if (krp_module_loaded("krp")) {
		TH_LOG("krp.ko was left loaded by an earlier test; unloading it");
		ASSERT_EQ(0, krp_unload_module("krp"));
	}
	ASSERT_EQ(0, krp_load_module(krp_module_path(), ""));
}

FIXTURE_TEARDOWN(krp)
{
	/* No ASSERT here: a failed one would come back into teardown. */
	EXPECT_EQ(0, krp_unload_module("krp"));
}

static int file_mode(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EISDIR;
	return st.st_mode & 07777;
}

TEST_F(krp, list_is_0400_and_empty)
{
	EXPECT_EQ(0400, file_mode(KRP_LIST));
	ASSERT_EQ(0, krp_read_file(KRP_LIST, self->buf, sizeof(self->buf)));
}

/* Under lockdown=integrity debugfs refuses files with a write bit. */
TEST_F(krp, debugfs_has_no_writable_file)
{
	EXPECT_EQ(-ENOENT, file_mode(KRP_DEBUGFS "/enabled"));
	EXPECT_EQ(0400, file_mode(KRP_DEBUGFS "/stats"));
}

TEST_F(krp, enabled_is_0600_and_reads_1)
{
	char c;
	int fd;

	EXPECT_EQ(0600, file_mode(KRP_ENABLED));
	ASSERT_EQ(2, krp_read_file(KRP_ENABLED, self->buf, sizeof(self->buf)));
	EXPECT_STREQ("1\n", self->buf);

	/* Byte by byte, the same two bytes and then end of file. */
	fd = open(KRP_ENABLED, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, read(fd, &c, 1));
	EXPECT_EQ('1', c);
	EXPECT_EQ(1, read(fd, &c, 1));
	EXPECT_EQ('\n', c);
	EXPECT_EQ(0, read(fd, &c, 1));
	close(fd);
}

/*
 * Each word flips the value, so a write that is ignored cannot pass.
 * The second round writes what echo(1) would, with a newline.
 */
TEST_F(krp, enabled_round_trips_bool_words)
{
	static const struct {
		const char *word;
		const char *reads;
	} words[] = {
		{ "0", "0\n" }, { "1", "1\n" },
		{ "n", "0\n" }, { "y", "1\n" },
		{ "off", "0\n" }, { "on", "1\n" },
		{ "N", "0\n" }, { "Y", "1\n" },
	};
	char line[8];
	int round, i;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < (int)ARRAY_SIZE(words); i++) {
			snprintf(line, sizeof(line), "%s%s", words[i].word,
				 round ? "\n" : "");
			ASSERT_EQ(0, krp_write_file(KRP_ENABLED, line)) {
				TH_LOG("writing \"%s\"", words[i].word);
			}
			ASSERT_EQ(2, krp_read_file(KRP_ENABLED, self->buf,
						   sizeof(self->buf)));
			EXPECT_STREQ(words[i].reads, self->buf) {
				TH_LOG("after writing \"%s\"", words[i].word);
			}
		}
	}
}

/* Words that are not booleans fail with EINVAL, in either state. */
TEST_F(krp, enabled_rejects_other_words)
{
	static const char * const bad[] = { "maybe", "2", "maybe\n", "2\n" };
	static const char * const states[] = { "1", "0" };
	char expect[4];
	int s, i;

	for (s = 0; s < (int)ARRAY_SIZE(states); s++) {
		ASSERT_EQ(0, krp_write_file(KRP_ENABLED, states[s]));
		snprintf(expect, sizeof(expect), "%s\n", states[s]);
		for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
			EXPECT_EQ(-EINVAL, krp_write_file(KRP_ENABLED, bad[i])) {
				TH_LOG("writing \"%s\"", bad[i]);
			}
			ASSERT_EQ(2, krp_read_file(KRP_ENABLED, self->buf,
						   sizeof(self->buf)));
			EXPECT_STREQ(expect, self->buf) {
				TH_LOG("after writing \"%s\"", bad[i]);
			}
		}
	}
}

TEST_F(krp, second_load_fails_with_eexist)
{
	struct stat st;

	EXPECT_EQ(-EEXIST, krp_load_module(krp_module_path(), ""));
	/* The loaded one is untouched. */
	EXPECT_TRUE(krp_module_loaded("krp"));
	EXPECT_EQ(0, stat(KRP_ENABLED, &st));
}

TEST_F(krp, reload_starts_enabled)
{
	ASSERT_EQ(0, krp_write_file(KRP_ENABLED, "0"));
	ASSERT_EQ(0, krp_unload_module("krp"));
	ASSERT_EQ(0, krp_load_module(krp_module_path(), ""));
	ASSERT_EQ(2, krp_read_file(KRP_ENABLED, self->buf, sizeof(self->buf)));
	EXPECT_STREQ("1\n", self->buf);
}

TEST_HARNESS_MAIN
