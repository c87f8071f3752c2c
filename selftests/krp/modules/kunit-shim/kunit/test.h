/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of KUnit for the kernel's lib/test_kprobes.c, ported to
 * krp by port.sed, on kernels built without CONFIG_KUNIT (all the stock
 * ones).  It is found as <kunit/test.h> before the kernel's own header
 * (NOSTDINC_FLAGS in the Kbuild), so the port stays a rename.
 *
 * Each suite runs when the module loads, each case after the suite's
 * init in a kthread of its own, as KUnit runs it, and each result goes
 * to the kernel log as a KTAP line ("<suite>: ok 3 test_kretprobe"),
 * which krp_kunit.sh turns into the test's TAP.  A failed expectation
 * is reported with pr_err(), where a person reads it, and fails its
 * case; a failed assertion also ends the case's kthread, as in KUnit.
 */
#ifndef KRP_KUNIT_SHIM_TEST_H
#define KRP_KUNIT_SHIM_TEST_H

#include <linux/completion.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/printk.h>

struct kunit_case;

struct kunit {
	const char *name;
	int failures;
	struct kunit_case *test_case;
	struct completion done;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
};

struct kunit_suite {
	const char *name;
	int (*init)(struct kunit *test);
	struct kunit_case *test_cases;
};

#define KUNIT_CASE(fn)	{ .run_case = fn, .name = #fn }

#define KUNIT_SHIM_FAIL(test, fmt, ...)					\
	do {								\
		pr_err("%s: %s:%d: " fmt "\n", (test)->name, __func__,	\
		       __LINE__, ##__VA_ARGS__);			\
		WRITE_ONCE((test)->failures, (test)->failures + 1);	\
	} while (0)

/* A failed assertion ends the case (only ever called in its kthread). */
static inline void __noreturn kunit_shim_abort(struct kunit *test)
{
	kthread_complete_and_exit(&test->done, 0);
}

/* @left and @right evaluated once each, compared with @op */
#define KUNIT_SHIM_BINARY(test, left, op, right, assert)		\
	do {								\
		typeof(left) __left = (left);				\
		typeof(right) __right = (right);			\
		if (!(__left op __right)) {				\
			KUNIT_SHIM_FAIL(test,				\
				"expected %s %s %s, got %lld and %lld",	\
				#left, #op, #right,			\
				(long long)__left, (long long)__right);	\
			if (assert)					\
				kunit_shim_abort(test);			\
		}							\
	} while (0)

#define KUNIT_SHIM_BOOL(test, cond, want, assert)			\
	do {								\
		if (!!(cond) != (want)) {				\
			KUNIT_SHIM_FAIL(test, "expected %s to be %s",	\
					#cond, (want) ? "true" : "false"); \
			if (assert)					\
				kunit_shim_abort(test);			\
		}							\
	} while (0)

#define KUNIT_EXPECT_TRUE(test, c)	KUNIT_SHIM_BOOL(test, c, true, false)
#define KUNIT_EXPECT_FALSE(test, c)	KUNIT_SHIM_BOOL(test, c, false, false)
#define KUNIT_EXPECT_EQ(test, l, r)	KUNIT_SHIM_BINARY(test, l, ==, r, false)
#define KUNIT_EXPECT_NE(test, l, r)	KUNIT_SHIM_BINARY(test, l, !=, r, false)
#define KUNIT_ASSERT_TRUE(test, c)	KUNIT_SHIM_BOOL(test, c, true, true)
#define KUNIT_ASSERT_FALSE(test, c)	KUNIT_SHIM_BOOL(test, c, false, true)
#define KUNIT_ASSERT_EQ(test, l, r)	KUNIT_SHIM_BINARY(test, l, ==, r, true)
#define KUNIT_ASSERT_NE(test, l, r)	KUNIT_SHIM_BINARY(test, l, !=, r, true)

static inline int kunit_shim_case(void *arg)
{
	struct kunit *test = arg;

	test->test_case->run_case(test);
	kthread_complete_and_exit(&test->done, 0);
}

static inline void kunit_shim_run(struct kunit_suite *suite)
{
	struct task_struct *t;
	struct kunit_case *c;
	struct kunit test;
	int n = 0;

	for (c = suite->test_cases; c->run_case; c++)
		n++;
	pr_info("%s: 1..%d\n", suite->name, n);
	for (c = suite->test_cases, n = 1; c->run_case; c++, n++) {
		test.name = c->name;
		test.failures = 0;
		test.test_case = c;
		init_completion(&test.done);
		if (suite->init && suite->init(&test)) {
			KUNIT_SHIM_FAIL(&test, "suite init failed");
		} else {
			t = kthread_run(kunit_shim_case, &test, "kunit_shim");
			if (IS_ERR(t))
				KUNIT_SHIM_FAIL(&test, "no kthread: %ld",
						PTR_ERR(t));
			else
				wait_for_completion(&test.done);
		}
		pr_info("%s: %sok %d %s\n", suite->name,
			READ_ONCE(test.failures) ? "not " : "", n, c->name);
	}
}

/* kunit_test_suites() defines it: the suites, NULL last */
extern struct kunit_suite *kunit_shim_suites[];

static int __init kunit_shim_init(void)
{
	struct kunit_suite **s;

	for (s = kunit_shim_suites; *s; s++)
		kunit_shim_run(*s);
	return 0;
}
module_init(kunit_shim_init);

static void __exit kunit_shim_exit(void)
{
}
module_exit(kunit_shim_exit);
/* the ported files name none, and 6.12's modpost asks for one */
MODULE_DESCRIPTION("KUnit suite run by krp's KUnit shim");

#define kunit_test_suites(...)						\
	struct kunit_suite *kunit_shim_suites[] = { __VA_ARGS__, NULL }

#endif /* KRP_KUNIT_SHIM_TEST_H */
