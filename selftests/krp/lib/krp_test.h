/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by krp's guest test programs: loading and unloading
 * modules by syscall (so errno reaches the test), and whole-file reads and
 * writes for debugfs.  Functions return 0 or a byte count on success and
 * a negative errno on failure, as the kernel does.
 */
#ifndef KRP_TEST_H
#define KRP_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where the guest runner puts things; both can be overridden by env. */
#define KRP_MODULE_DEFAULT	"/krp/krp.ko"	/* $KRP_MODULE */
#define KRP_SELFTESTS_DEFAULT	"/krp/selftests"	/* $KRP_SELFTESTS */
#define KRP_DEBUGFS		"/sys/kernel/debug/krp"
#define KRP_PROCFS		"/proc/krp"

/*
 * krp_int3_result(ERR, COND, FMT, ...): the result of a test that needs
 * an int3 site, ERR being the scenario's errno.  krp refuses int3 sites
 * with -EOPNOTSUPP on kernels where it cannot run them yet (x86_64
 * today): the test then says SKIP with that reason first, and its group
 * file declares the kernels where that is expected (a SKIP anywhere else
 * fails).  Otherwise it passes if COND.  A macro, so that it counts in
 * the calling program's kselftest counters.
 */
#define KRP_INT3_REFUSED	"int3 sites refused on this kernel (EOPNOTSUPP): "
#define krp_int3_result(err, cond, fmt, ...)				\
	do {								\
		if ((err) == -EOPNOTSUPP)				\
			ksft_test_result_skip(KRP_INT3_REFUSED fmt,	\
					      ##__VA_ARGS__);		\
		else							\
			ksft_test_result(cond, fmt, ##__VA_ARGS__);	\
	} while (0)

/* Path of krp.ko, and of a test module NAME.ko in the selftests dir. */
const char *krp_module_path(void);
int krp_test_module_path(char *buf, size_t size, const char *name);

/*
 * Whether the tests use a krp.ko that was loaded before the program
 * started ($KRP_USE_LOADED=1, which `make -C selftests/krp run_tests`
 * sets, and krp loaded then): loading krp.ko is then a no-op, unloading
 * krp too, and the tests of load and unload themselves skip.
 */
bool krp_use_loaded(void);

/* finit_module(2) of PATH with PARAMS ("" for none). */
int krp_load_module(const char *path, const char *params);

/*
 * delete_module(2) of NAME, non-blocking, retried while the module is
 * busy for up to TIMEOUT_MS.
 */
int krp_unload_module_wait(const char *name, unsigned int timeout_ms);
int krp_unload_module(const char *name);

/* Whether /sys/module/NAME exists. */
bool krp_module_loaded(const char *name);

/* Read all of PATH into BUF (NUL-terminated); returns the length. */
ssize_t krp_read_file(const char *path, char *buf, size_t size);

/* One write(2) of STR to PATH; 0 only if all of it was taken. */
int krp_write_file(const char *path, const char *str);

/*
 * Set krp.ko's parameter NAME to VALUE, and check that it reads back
 * so; 0 or a negative errno.
 */
int krp_param_set(const char *name, const char *value);

/* The value of line "KEY N" of TEXT, or -1. */
long krp_key_value(const char *text, const char *key);

/* The value of line NAME of krp/stats, or -1. */
long krp_stat(const char *name);

/* The value of line KEY of krp_test/report (the last scenario's), or -1. */
long krp_report(const char *key);

/*
 * All of the open file FD from its start, by preadv(2), which passes
 * through none of the functions the every-instruction tests probe
 * (vfs_read, do_sys_openat2, ...); returns the length.
 */
ssize_t krp_reread(int fd, char *buf, size_t size);

/* How many threads /proc lists, or -1. */
long krp_threads(void);

/* Whether S matches the extended regular expression RE. */
bool krp_matches(const char *re, const char *s);

/*
 * Create, write, read back, symlink, readlink and unlink a file in DIR,
 * ROUNDS times; returns how many steps gave a wrong result.
 */
int krp_file_workload(const char *dir, int rounds);

#endif /* KRP_TEST_H */
