// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest of probe definitions in a booted kernel, as a user types
 * them: /proc/krp/probes in the kprobe_events syntax, /proc/krp/error_log,
 * the trace events krp:krp_ret and krp:krp_entry with the kernel's
 * enable and hist trigger files, and /proc/krp/hist/EVENT.
 *
 * Every fetch argument form and type is checked against
 * krp_fetch_target.ko, whose arguments and memory are known.  krp.ko is
 * loaded here and unloaded at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kselftest.h"
#include "lib/krp_test.h"

#define PROBES		KRP_PROCFS "/probes"
#define ERRLOG		KRP_PROCFS "/error_log"
#define HIST		KRP_PROCFS "/hist"
#define CALL		"/sys/kernel/debug/krp_fetch_target/call"

static char buf[262144];
static char tracing[64];
static int ptr_size;
static bool x86_64;
static bool kallsyms_all;	/* data symbols are in /proc/kallsyms */

/* write(2) of @s to @path opened with @flags: 0 or -errno. */
static int write_flags(const char *path, const char *s, int flags)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = errno;
	close(fd);
	return n < 0 ? -err : 0;
}

/* As the shell's `echo S > PATH` and `echo S >> PATH`. */
static int put(const char *path, const char *s)
{
	return write_flags(path, s, O_TRUNC);
}

static int append(const char *path, const char *s)
{
	return write_flags(path, s, O_APPEND);
}

static int tr_write(const char *file, const char *s)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tracing, file);
	return put(path, s);
}

static int tr_append(const char *file, const char *s)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tracing, file);
	return append(path, s);
}

static ssize_t tr_read(const char *file)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tracing, file);
	return krp_read_file(path, buf, sizeof(buf));
}

static bool find_tracing(void)
{
	struct stat st;

	if (!stat("/sys/kernel/tracing/trace", &st) ||
	    !mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL))
		strcpy(tracing, "/sys/kernel/tracing");
	else if (!stat("/sys/kernel/debug/tracing/trace", &st))
		strcpy(tracing, "/sys/kernel/debug/tracing");
	else
		return false;
	return true;
}

/* Whether /proc/kallsyms lists @sym (of vmlinux). */
static bool kallsyms_has(const char *sym)
{
	char line[512], name[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %255s", name) == 1 &&
			!strcmp(name, sym);
	if (f)
		fclose(f);
	return found;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static int mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (int)(st.st_mode & 07777);
}

static bool listing_is(const char *want)
{
	if (krp_read_file(PROBES, buf, sizeof(buf)) < 0)
		return false;
	if (strcmp(buf, want)) {
		ksft_print_msg("probes lists:\n%s", buf);
		ksft_print_msg("instead of:\n%s", want);
		return false;
	}
	return true;
}

/* Lines of @text with all of @a, @b (NULL: any). */
static int count_lines(const char *text, const char *a, const char *b)
{
	const char *l = text, *end;
	char line[1024];
	int n = 0;

	while (*l) {
		end = strchrnul(l, '\n');
		snprintf(line, sizeof(line), "%.*s", (int)(end - l), l);
		if (strstr(line, a) && (!b || strstr(line, b)))
			n++;
		l = *end ? end + 1 : end;
	}
	return n;
}

/* The args=... of the trace line of event @probe, or NULL. */
static const char *args_of(const char *text, const char *probe,
			   char *out, size_t size)
{
	char key[64];
	const char *l, *a;

	snprintf(key, sizeof(key), "probe=%s ", probe);
	l = strstr(text, key);
	if (!l)
		return NULL;
	a = strstr(l, " args=");
	if (!a || a > strchrnul(l, '\n'))
		return NULL;
	a += 6;
	snprintf(out, size, "%.*s", (int)(strchrnul(a, '\n') - a), a);
	return out;
}

/* Check the error_log holds one entry: @msg, @cmd, '^' at @pos. */
static bool errlog_is(const char *msg, const char *cmd, int pos)
{
	char want[1024];
	int n;

	if (krp_read_file(ERRLOG, buf, sizeof(buf)) < 0)
		return false;
	n = snprintf(want, sizeof(want),
		     "^\\[ *[0-9]+\\.[0-9]{6}\\] krp: error: %s\n  Command: ", msg);
	/* the command quoted for a regex */
	for (const char *c = cmd; *c; c++) {
		if (strchr(".[]()*+?{}|^$\\", *c))
			want[n++] = '\\';
		want[n++] = *c;
	}
	n += snprintf(want + n, sizeof(want) - n, "\n {%d}\\^\n$", 11 + pos);
	if (!krp_matches(want, buf)) {
		ksft_print_msg("error_log:\n%s", buf);
		ksft_print_msg("does not match %s\n", want);
		return false;
	}
	return true;
}

/* A refused command: its errno, its error_log entry, nothing defined. */
static void refused(const char *cmd, int err, const char *msg, int pos)
{
	char before[4096];
	int ret;

	krp_read_file(PROBES, before, sizeof(before));
	put(ERRLOG, "");
	ret = append(PROBES, cmd);
	ksft_test_result(ret == -err && errlog_is(msg, cmd, pos) &&
			 listing_is(before),
			 "'%s' fails with %s, error_log says where (%s)\n",
			 cmd, strerror(err), ret ? strerror(-ret) : "success");
}

static void test_files(void)
{
	ksft_test_result(mode_of(PROBES) == 0600 && mode_of(ERRLOG) == 0600 &&
			 mode_of(KRP_PROCFS "/enabled") == 0600 &&
			 exists(HIST) && listing_is("") &&
			 krp_read_file(ERRLOG, buf, sizeof(buf)) == 0,
			 "/proc/krp has probes, error_log, enabled (0600), hist/, all empty\n");
}

/* The Bar, sentence by sentence. */
static void test_bar(void)
{
	int fd, i, ret, mine5, mine0, all, hits = -1;
	char pid[32], *h;

	ret = put(PROBES, "r:myret vfs_read $retval\n");
	ksft_test_result(!ret && listing_is("r:krp/myret vfs_read arg1=$retval\n") &&
			 exists(HIST "/myret"),
			 "echo 'r:myret vfs_read $retval' > probes defines it\n");

	fd = open("/tmp/krp_probes_data", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "hello", 5) != 5)
		ksft_exit_fail_msg("/tmp/krp_probes_data: %s\n", strerror(errno));
	ret = tr_write("trace", "");
	ret |= tr_write("events/krp/krp_ret/trigger", "hist:keys=probe:vals=hitcount");
	ret |= tr_write("events/krp/krp_ret/enable", "1");
	/* read(2) goes through vfs_read: ten reads of 5, one at the end */
	lseek(fd, 5, SEEK_SET);
	if (read(fd, pid, 5) != 0)
		ret = -EIO;
	for (i = 0; i < 10; i++)
		if (lseek(fd, 0, SEEK_SET) || read(fd, pid, 5) != 5)
			ret = -EIO;
	ret |= tr_write("events/krp/krp_ret/enable", "0");
	/* a trigger fires with its event disabled: pause it for the reads */
	ret |= tr_append("events/krp/krp_ret/trigger",
			 "hist:keys=probe:vals=hitcount:pause");
	close(fd);
	if (tr_read("trace") < 0)
		ret = -EIO;
	snprintf(pid, sizeof(pid), "-%d ", getpid());
	mine5 = count_lines(buf, pid, "probe=myret func=vfs_read ");
	mine0 = count_lines(buf, pid, "retval=0 delta_ns=");
	all = count_lines(buf, "probe=myret ", NULL);
	ksft_print_msg("this task's krp_ret lines: %d, with retval=0: %d; all: %d\n",
		       mine5, mine0, all);
	i = count_lines(buf, pid, " retval=5 delta_ns=");
	ksft_test_result(!ret && mine5 == 11 && mine0 == 1 && i == 10 &&
			 count_lines(buf, pid, " args=arg1=5") == 10,
			 "with krp_ret enabled the reads appear with probe=myret and their retval\n");

	if (tr_read("events/krp/krp_ret/hist") > 0) {
		h = strstr(buf, "probe: myret");
		h = h ? strstr(h, "hitcount:") : NULL;
		hits = h ? atoi(h + 9) : -1;
	}
	ksft_print_msg("hist trigger hitcount %d\n", hits);
	ksft_test_result(hits == all && hits >= 11,
			 "hist:keys=probe:vals=hitcount counts them\n");
	tr_write("events/krp/krp_ret/trigger", "!hist:keys=probe:vals=hitcount");
}

/* /proc/krp/hist/myret: funclatency's rows, consistent with its summary. */
static void test_hist_file(void)
{
	unsigned long long lo, hi, cnt, avg, total, count, missed, sum = 0;
	unsigned long long first = 0, last = 0, max = 0, prev_hi = 0;
	int rows = 0, bad = 0, stars_max = -1, len;
	char *l, *save, *bar;

	len = krp_read_file(HIST "/myret", buf, sizeof(buf));
	if (len > 0)
		ksft_print_msg("hist/myret:\n%s", buf);
	l = strtok_r(buf, "\n", &save);
	if (!l || strcmp(l, "     nsecs               : count     distribution"))
		bad++;
	while ((l = strtok_r(NULL, "\n", &save))) {
		if (sscanf(l, "avg = %llu nsecs, total: %llu nsecs, count: %llu, missed: %llu",
			   &avg, &total, &count, &missed) == 4)
			break;
		if (sscanf(l, "%llu -> %llu : %llu", &lo, &hi, &cnt) != 3 ||
		    !krp_matches("^ *[0-9]+ -> [0-9]+ +: [0-9]+ +\\|\\** *\\|$", l) ||
		    strlen(strchr(l, '|')) != 42 ||
		    (rows && lo != prev_hi + 1) || (!rows && lo && lo != (hi + 1) / 2)) {
			ksft_print_msg("bad row: %s\n", l);
			bad++;
			continue;
		}
		bar = strchr(l, '|') + 1;
		if (cnt > max) {
			max = cnt;
			stars_max = strspn(bar, "*");
		}
		if (!rows)
			first = cnt;
		last = cnt;
		prev_hi = hi;
		sum += cnt;
		rows++;
	}
	ksft_test_result(!bad && rows && first && last && stars_max == 40 &&
			 l && sum == count && count >= 11 && missed == 0 &&
			 avg == total / count,
			 "hist/myret: funclatency rows from the first to the last non-empty, sums agree\n");
}

static void test_errors(void)
{
	char cmd[1024];
	int i, n;

	refused("r:bad no_such_fn $retval", ENOENT, "Unknown symbol", 6);
	refused("r:bad vfs_read $nosuch", EINVAL, "Unknown fetch argument", 15);
	ksft_test_result(!exists(HIST "/bad"), "no hist file for refused probes\n");
	refused("r:myret vfs_read", EEXIST, "The event name is already used", 2);
	refused("p:bad vfs_read $retval", EINVAL,
		"\\$retval is only for return probes", 15);
	refused("r:bad vfs_read+4", EINVAL,
		"Return probe must be used without offset", 14);
	refused("r:bad vfs_read x=$arg1:u7", EINVAL, "Unknown type", 23);
	refused("r:bad vfs_read x=+8 y=1", EINVAL, "Invalid dereference", 17);
	refused("r:bad vfs_read x=+0($comm)", EINVAL,
		"\\$comm cannot be dereferenced", 17);
	refused("r:bad vfs_read $comm:u32", EINVAL, "\\$comm can only be a string", 21);
	refused("r:bad vfs_read $arg0", EINVAL, "Invalid \\$argN", 15);
	refused("r:bad vfs_read %nosuch", EINVAL, "Unknown register", 15);
	refused("r:bad vfs_read @no_such_symbol_krp", ENOENT, "Unknown symbol", 16);
	refused("r:bad vfs_read x=$retval x=$arg1", EINVAL, "Duplicated argument name", 25);
	refused("r:9bad vfs_read", EINVAL, "Invalid event name", 2);
	refused("p4:bad vfs_read", EINVAL, "MAXACTIVE is only for return probes", 1);
	refused("q:bad vfs_read", EINVAL, "Invalid probe type", 0);
	refused("-:no_such_event", ENOENT, "No such event", 2);
	refused("r:bad", EINVAL, "Missing symbol", 5);
	refused("r:bad vfs_read x=+0(+0(+0(+0(+0($arg1)))))", E2BIG,
		"Dereference nested too deep", 17);
	n = snprintf(cmd, sizeof(cmd), "r:bad vfs_read");
	for (i = 0; i < 17; i++)
		n += snprintf(cmd + n, sizeof(cmd) - n, " a%d=$retval", i);
	refused(cmd, E2BIG, "Too many arguments",
		(int)(strstr(cmd, " a16=") + 1 - cmd));

	/* the log keeps the last eight, oldest first */
	put(ERRLOG, "");
	for (i = 0; i < 10; i++) {
		snprintf(cmd, sizeof(cmd), "r:bad%d no_such_fn", i);
		append(PROBES, cmd);
	}
	krp_read_file(ERRLOG, buf, sizeof(buf));
	ksft_test_result(count_lines(buf, "krp: error: Unknown symbol", NULL) == 8 &&
			 !strstr(buf, "r:bad1 ") && strstr(buf, "r:bad2 ") &&
			 strstr(buf, "r:bad2 ") < strstr(buf, "r:bad9 "),
			 "error_log keeps the last 8 entries, oldest first\n");
	put(ERRLOG, "");
	ksft_test_result(krp_read_file(ERRLOG, buf, sizeof(buf)) == 0,
			 "opening error_log with O_TRUNC empties it\n");
}

static void test_limits(void)
{
	char cmd[2048];
	int i, ret;

	ret = append(PROBES, "r:one vfs_read\nr:two vfs_read");
	ksft_test_result(ret == -EINVAL && listing_is(""),
			 "two definitions in one write are refused\n");
	memset(cmd, 'x', sizeof(cmd) - 1);
	cmd[sizeof(cmd) - 1] = '\0';
	memcpy(cmd, "r:long vfs_read ", 16);
	ksft_test_result(append(PROBES, cmd) == -E2BIG && listing_is(""),
			 "a write of 1024 bytes or more fails with E2BIG\n");
	ret = 0;
	for (i = 0; i < 128 && !ret; i++) {
		snprintf(cmd, sizeof(cmd), "r:n%d vfs_read", i);
		ret = append(PROBES, cmd);
	}
	if (ret)
		ksft_print_msg("definition %d: %s\n", i - 1, strerror(-ret));
	put(ERRLOG, "");
	i = append(PROBES, "r:n128 vfs_read");
	ksft_print_msg("the 129th: %s; hist/n127 %s\n", strerror(-i),
		       exists(HIST "/n127") ? "exists" : "missing");
	ksft_test_result(!ret && i == -ENOSPC &&
			 errlog_is("Too many probes defined", "r:n128 vfs_read", 0) &&
			 exists(HIST "/n127") && !exists(HIST "/n128"),
			 "128 definitions, the 129th fails with ENOSPC\n");
	ksft_test_result(!put(PROBES, "") && listing_is("") &&
			 !exists(HIST "/n0") && !exists(HIST "/n127"),
			 "> removes 128 definitions at once\n");
}

static void test_forms(void)
{
	int ret;

	ret = append(PROBES, "r16:m vfs_read");
	ret |= append(PROBES, "r vfs_read");
	ret |= append(PROBES, "r:grp/ev vfs_read $retval:x32");
	ret |= append(PROBES, "p:krp_fetch_target:pe vfs_read");
	ksft_test_result(ret == -EINVAL, "a group name is an identifier\n");
	ret = append(PROBES, "p vfs_read $comm\n");
	ksft_test_result(!ret && listing_is("r:krp/myret vfs_read arg1=$retval\n"
					    "r:krp/m vfs_read\n"
					    "r:krp/r_vfs_read_0 vfs_read\n"
					    "r:grp/ev vfs_read arg1=$retval:x32\n"
					    "p:krp/p_vfs_read_0 vfs_read arg1=$comm\n"),
			 "MAXACTIVE ignored, default names and groups as kprobe_events gives them\n");
	ret = append(PROBES, "-:grp/ev");
	ret |= append(PROBES, "-:m");
	ksft_test_result(!ret && listing_is("r:krp/myret vfs_read arg1=$retval\n"
					    "r:krp/r_vfs_read_0 vfs_read\n"
					    "p:krp/p_vfs_read_0 vfs_read arg1=$comm\n") &&
			 !exists(HIST "/m") && !exists(HIST "/ev") &&
			 !exists(HIST "/p_vfs_read_0"),
			 "removing by -:GRP/EVENT and -:EVENT takes its hist file too\n");
	ksft_test_result(append(PROBES, "-:other/myret") == -ENOENT,
			 "removing by the event of another group removes nothing\n");
	ret = append(PROBES, "-:myret");
	ksft_test_result(!ret && !exists(HIST "/myret") &&
			 listing_is("r:krp/r_vfs_read_0 vfs_read\n"
				    "p:krp/p_vfs_read_0 vfs_read arg1=$comm\n"),
			 "removing by -:myret works\n");
	ret = put(PROBES, "r:only vfs_read");
	ksft_test_result(!ret && listing_is("r:krp/only vfs_read\n") &&
			 !exists(HIST "/r_vfs_read_0"),
			 "> replaces every definition, >> appends\n");
	ret = put(PROBES, "");
	ksft_test_result(!ret && listing_is("") && !exists(HIST "/only"),
			 "an empty > removes them all\n");
}

/* krp_fetch_fn(3, -5, "krp-string", &rec) returns -997. */
static void test_fetch(void)
{
	static const struct {
		const char *def;
		const char *args;	/* a regex */
	} t[] = {
		{ "p:fe1 krp_fetch_fn a=$arg1 m=$arg2:s32 s=$arg3:string c=$comm",
		  "^a=3 m=-5 s=\"krp-string\" c=\"krp_probes\"$" },
		{ "p:fe2 krp_fetch_fn u8=+0($arg4):u8 s8=+0($arg4):s8 x8=+0($arg4):x8 u16=+2($arg4):u16 s16=+2($arg4):s16 x16=+2($arg4):x16",
		  "^u8=171 s8=-85 x8=0xab u16=4660 s16=4660 x16=0x1234$" },
		{ "p:fe3 krp_fetch_fn u32=+4($arg4):u32 s32=+4($arg4):s32 x32=+4($arg4):x32 u64=+8($arg4):u64",
		  "^u32=3735928559 s32=-559038737 x32=0xdeadbeef u64=81985529216486895$" },
		{ "p:fe4 krp_fetch_fn s64=+16($arg4):s64 u64=+16($arg4):u64 x64=+16($arg4):x64 q=+8($arg4):x64 name=+0(+24($arg4)):string",
		  "^s64=-2 u64=18446744073709551614 x64=0xfffffffffffffffe q=0x123456789abcdef name=\"first\"$" },
		{ "p:fe5 krp_fetch_fn next=+0(+24(+@P1@($arg4))):string fn=+@P2@($arg4):symbol g=@krp_fetch_target:krp_fetch_word:x32 g2=@krp_fetch_target:krp_fetch_word+2:x16",
		  "^next=\"second\" fn=krp_fetch_fn\\+0x0/0x[0-9a-f]+ \\[krp_fetch_target\\] g=0x12345678 g2=0x1234$" },
		{ "p:fe6 krp_fetch_fn bad=+0(+@P3@($arg4)):u32 bads=+0(+@P3@($arg4)):string user=+0($arg1):u8 users=$arg1:string",
		  "^bad=\\(fault\\) bads=\\(fault\\) user=\\(fault\\) users=\\(fault\\)$" },
		{ "p:fe8 krp_fetch_fn $arg1 +0($arg4):u8 @REG@",
		  "^arg1=3 arg2=171 arg3=3$" },
		{ "r:fr krp_fetch_fn ret=$retval:s32 rx=$retval:x32 a=$arg1 s=$arg3:string b=+0($arg4):x8 n=+0(+24($arg4)):string",
		  "^ret=-997 rx=0xfffffc1b a=3 s=\"krp-string\" b=0xab n=\"first\"$" },
	};
	char def[512], out[512], num[16], want[128], listed[128];
	bool ok;
	const char *a, *p;
	int i, n, ret, off;

	ret = krp_test_module_path(def, sizeof(def), "krp_fetch_target");
	if (!ret)
		ret = krp_load_module(def, "");
	if (ret)
		ksft_exit_fail_msg("load krp_fetch_target.ko: %s\n", strerror(-ret));
	for (i = 0; i < (int)ARRAY_SIZE(t); i++) {
		/* pointer offsets and the register of the first argument */
		for (p = t[i].def, n = 0; *p; p++) {
			if (!strncmp(p, "@P", 2) && p[3] == '@') {
				snprintf(num, sizeof(num), "%d", 24 + (p[2] - '0') * ptr_size);
				n += snprintf(def + n, sizeof(def) - n, "%s", num);
				p += 3;
			} else if (!strncmp(p, "@REG@", 5)) {
				n += snprintf(def + n, sizeof(def) - n, "%s",
					      x86_64 ? "%di" : "%ax");
				p += 4;
			} else {
				def[n++] = *p;
			}
		}
		def[n] = '\0';
		ret = append(PROBES, def);
		if (ret)
			ksft_print_msg("%s: %s\n", def, strerror(-ret));
	}
	/* a data symbol, where kallsyms has them */
	ret = append(PROBES, "p:fe7 krp_fetch_fn banner=@linux_banner:string");
	if (kallsyms_all) {
		ksft_test_result(!ret, "@SYM of a data symbol defined\n");
	} else {
		ksft_print_msg("CONFIG_KALLSYMS_ALL is off: kallsyms has no data symbols\n");
		ksft_test_result(ret == -ENOENT,
				 "@SYM of a data symbol: ENOENT without CONFIG_KALLSYMS_ALL\n");
	}
	ret = tr_write("trace", "");
	ret |= tr_write("events/krp/enable", "1");
	ret |= krp_write_file(CALL, "abc");
	ret |= tr_write("events/krp/enable", "0");
	if (tr_read("trace") < 0)
		ret = -EIO;
	for (i = 0; i < (int)ARRAY_SIZE(t); i++) {
		char name[8];

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(t[i].def + 2, " "),
			 t[i].def + 2);
		a = args_of(buf, name, out, sizeof(out));
		if (a && !krp_matches(t[i].args, a))
			ksft_print_msg("%s: args=%s\n", name, a);
		ksft_test_result(!ret && a && krp_matches(t[i].args, a),
				 "fetch args of %s\n", name);
	}
	if (kallsyms_all) {
		a = args_of(buf, "fe7", out, sizeof(out));
		ksft_test_result(a && krp_matches("^banner=\"Linux version ", a),
				 "fetch args of fe7: @linux_banner:string\n");
	} else {
		ksft_test_result(!args_of(buf, "fe7", out, sizeof(out)),
				 "no event of a refused definition\n");
	}
	/* delta_ns spans the target's 5 us busy wait (udelay() may be a little short) */
	n = count_lines(buf, "krp_entry: probe=fe1 func=krp_fetch_fn args=", NULL);
	a = strstr(buf, "krp_ret: probe=fr ");
	ok = n == 1 && a &&
	     krp_matches("^krp_ret: probe=fr func=krp_fetch_fn ret_ip=call_write\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[krp_fetch_target\\] retval=-997 delta_ns=([4-9][0-9]{3}|[1-9][0-9]{4,}) args=", a);
	if (!ok)
		ksft_print_msg("%d krp_entry events of fe1; %.*s\n", n,
			       a ? (int)strcspn(a, "\n") : 4, a ? a : "no krp_ret of fr");
	ksft_test_result(ok, "krp_entry and krp_ret fields: probe, func, ret_ip, retval, delta_ns\n");
	ksft_test_result(!put(PROBES, "") && listing_is(""),
			 "> empties the definitions of the fetch tests\n");

	/*
	 * The instruction after the ftrace site, an int3 site: +5, or +9
	 * past 6.12's ENDBR, where +5 is inside the fentry call.
	 */
	off = 5;
	ret = put(PROBES, "p:off krp_fetch_fn+5 a=$arg1");
	if (ret == -EILSEQ) {
		off = 9;
		ret = put(PROBES, "p:off krp_fetch_fn+9 a=$arg1");
	}
	ret |= tr_write("trace", "");
	ret |= tr_write("events/krp/krp_entry/enable", "1");
	ret |= krp_write_file(CALL, "abc");
	ret |= tr_write("events/krp/krp_entry/enable", "0");
	if (tr_read("trace") < 0)
		ret = -EIO;
	snprintf(want, sizeof(want), "probe=off func=krp_fetch_fn+%d args=a=3\n", off);
	snprintf(listed, sizeof(listed), "p:krp/off krp_fetch_fn+%d a=$arg1\n", off);
	ksft_test_result(!ret && strstr(buf, want) && listing_is(listed),
			 "p at an offset: SYM+offs listed and traced\n");

	/* the kernel's hist trigger on krp's field delta_ns */
	ret = put(PROBES, "r:lat krp_fetch_fn");
	ret |= tr_write("events/krp/krp_ret/trigger", "hist:keys=delta_ns.log2");
	for (i = 0; i < 5; i++)
		ret |= krp_write_file(CALL, "abc");
	ret |= tr_append("events/krp/krp_ret/trigger", "hist:keys=delta_ns.log2:pause");
	if (tr_read("events/krp/krp_ret/hist") < 0)
		ret = -EIO;
	ksft_test_result(!ret && krp_matches("delta_ns: ~ 2\\^[0-9]+ +\\} hitcount: +[0-9]+", buf) &&
			 strstr(buf, "Hits: 5\n"),
			 "hist:keys=delta_ns.log2 buckets the returns\n");
	tr_write("events/krp/krp_ret/trigger", "!hist:keys=delta_ns.log2");
	ksft_test_result(!put(PROBES, "") && listing_is(""),
			 "> empties them again\n");
	ret = krp_unload_module("krp_fetch_target");
	if (ret)
		ksft_print_msg("unload krp_fetch_target: %s\n", strerror(-ret));
}

int main(void)
{
	struct utsname u;
	int ret;

	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("needs root\n");
	uname(&u);
	x86_64 = !strcmp(u.machine, "x86_64");
	ptr_size = x86_64 ? 8 : 4;
	kallsyms_all = kallsyms_has("linux_banner");
	if (!find_tracing())
		ksft_exit_skip("no tracefs\n");
	ksft_set_plan(55);

	ret = krp_load_module(krp_module_path(), "");
	if (ret)
		ksft_exit_fail_msg("load krp.ko: %s\n", strerror(-ret));
	test_files();
	test_bar();
	test_hist_file();
	test_errors();
	test_forms();
	test_limits();
	test_fetch();
	/* definitions are krp's own: unloading removes them */
	ret = put(PROBES, "r:left vfs_read $retval");
	ret |= append(PROBES, "p:leftp vfs_read");
	ret |= krp_unload_module("krp");
	ksft_test_result(!ret && !exists(KRP_PROCFS),
			 "krp.ko unloads with definitions left, /proc/krp goes\n");
	ksft_finished();
}
