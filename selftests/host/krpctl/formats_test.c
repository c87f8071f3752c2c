// SPDX-License-Identifier: GPL-2.0
/*
 * krpctl's parsers and printers (tools/krpctl/formats.c) on samples of
 * the formats of Documentation/user-probes.md, and on lines that are
 * not in them.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest.h"
#include "../../../tools/krpctl/krpctl.h"

#define CHECK(cond, msg) ksft_test_result(cond, msg "\n")

static const char hist_sample[] =
"     nsecs               : count     distribution\n"
"         0 -> 1          : 0        |                                        |\n"
"         2 -> 3          : 0        |                                        |\n"
"       256 -> 511        : 3        |********************                    |\n"
"       512 -> 1023       : 6        |****************************************|\n"
"\n"
"avg = 600 nsecs, total: 5400 nsecs, count: 9, missed: 2\n";

static void test_spec(void)
{
	struct krp_spec s;
	char out[256];

	CHECK(!krp_parse_spec("r:myret vfs_read $retval", &s) && s.kind == 'r' &&
	      s.named && !strcmp(s.event, "myret") && !s.group[0] && s.rest == 7,
	      "spec: r:EVENT SYM ARGS");
	CHECK(!krp_parse_spec("r16:grp/ev_1 mod:fn+0x10", &s) && s.named &&
	      !strcmp(s.group, "grp") && !strcmp(s.event, "ev_1"),
	      "spec: r MAXACTIVE and GRP/EVENT");
	CHECK(!krp_parse_spec("p do_sys_open", &s) && s.kind == 'p' && !s.named,
	      "spec: p without a name");
	CHECK(!krp_parse_spec("-:grp/ev", &s) && s.kind == '-' && s.named,
	      "spec: -:GRP/EVENT");
	CHECK(krp_parse_spec("-", &s) && krp_parse_spec("x:foo bar", &s) &&
	      krp_parse_spec("r:1bad fn", &s) && krp_parse_spec("r:a-b fn", &s) &&
	      krp_parse_spec("rx fn", &s) && krp_parse_spec("r:/ev fn", &s),
	      "spec: bad first words refused");
	CHECK(!krp_name_spec("r vfs_read $retval", "krpctl_7", out, sizeof(out)) &&
	      !strcmp(out, "r:krpctl_7 vfs_read $retval"),
	      "spec: a name put into an unnamed SPEC");
	CHECK(!krp_name_spec("r4 vfs_read", "n", out, sizeof(out)) &&
	      !strcmp(out, "r4:n vfs_read") &&
	      !krp_name_spec("p:mine f", "n", out, sizeof(out)) &&
	      !strcmp(out, "p:mine f"),
	      "spec: MAXACTIVE kept, a given name kept");
	CHECK(krp_name_spec("r f", "n", out, 5) != 0, "spec: too long for the buffer");
}

static void test_def(void)
{
	char a[] = "r:krp/myret vfs_read arg1=$retval:s32 c=$comm:string\n";
	char b[] = "p:grp/ent ext4:ext4_file_read_iter+0x4";
	char c[] = "r:noslash vfs_read";
	char d[] = "x:krp/a b";
	struct krp_def def;

	CHECK(!krp_parse_def(a, &def) && def.kind == 'r' &&
	      !strcmp(def.group, "krp") && !strcmp(def.event, "myret") &&
	      !strcmp(def.target, "vfs_read") &&
	      !strcmp(def.args, "arg1=$retval:s32 c=$comm:string"),
	      "probes: r line with args");
	CHECK(!krp_parse_def(b, &def) && def.kind == 'p' &&
	      !strcmp(def.target, "ext4:ext4_file_read_iter+0x4") && !*def.args,
	      "probes: p line, MOD:SYM+offs, no args");
	CHECK(krp_parse_def(c, &def) && krp_parse_def(d, &def),
	      "probes: lines without GRP/ or of another kind refused");
}

static void test_hist(void)
{
	struct krp_hist h, later, d;
	char *buf = NULL, *again;
	size_t len = 0;
	FILE *f;

	CHECK(!krp_parse_hist(hist_sample, &h) && h.count[9] == 3 &&
	      h.count[10] == 6 && h.count[1] == 0 && h.events == 9 &&
	      h.total == 5400 && h.missed == 2 && !strcmp(h.unit, "nsecs"),
	      "hist: rows, totals and misses");
	f = open_memstream(&buf, &len);
	krp_print_hist(f, &h);
	fclose(f);
	CHECK(strstr(buf, "       256 -> 511        : 3        |********************                    |\n") &&
	      strstr(buf, "avg = 600 nsecs, total: 5400 nsecs, count: 9, missed: 2\n") &&
	      !strstr(buf, "0 -> 1 "),
	      "hist: printed as funclatency, first to last non-empty row");
	again = strdup(buf);
	CHECK(!krp_parse_hist(again, &later) && !memcmp(later.count, h.count, sizeof(h.count)),
	      "hist: what krpctl prints parses back");
	free(again);
	free(buf);
	later.count[10] += 4;
	later.count[20] += 1;
	later.events += 5;
	later.total += 5000;
	later.missed += 1;
	krp_hist_sub(&d, &later, &h);
	CHECK(d.count[10] == 4 && d.count[20] == 1 && d.count[9] == 0 &&
	      d.events == 5 && d.total == 5000 && d.missed == 1,
	      "hist: an interval is the difference of two readings");
	CHECK(krp_parse_hist("garbage\n", &h) &&
	      krp_parse_hist("     nsecs               : count     distribution\n", &h) &&
	      krp_parse_hist("     nsecs               : count     distribution\n"
			     "         3 -> 7          : 1        |*|\n"
			     "avg = 1 nsecs, total: 1 nsecs, count: 1, missed: 0\n", &h),
	      "hist: no summary, or a row that is no log2 bucket, refused");
}

static void test_json(void)
{
	struct krp_hist h;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	memset(&h, 0, sizeof(h));
	h.count[2] = 3;
	h.count[4] = 1;
	h.events = 4;
	h.total = 40;
	h.missed = 7;
	f = open_memstream(&buf, &len);
	krp_print_hist_json(f, &h, "vfs_\"read", 2);
	fclose(f);
	CHECK(!strcmp(buf, "{\"func\":\"vfs_\\\"read\",\"seconds\":2.000,\"unit\":\"nsecs\",\"buckets\":[{\"low\":2,\"high\":3,\"count\":3},{\"low\":4,\"high\":7,\"count\":0},{\"low\":8,\"high\":15,\"count\":1}],\"count\":4,\"total\":40,\"avg\":10,\"missed\":7}\n"),
	      "hist: json, one object per line, misses beside the count");
	free(buf);
}

static const char log_sample[] =
"[  123.456789] krp: error: Unknown symbol\n"
"  Command: r:myret no_such_fn $retval\n"
"                   ^\n"
"[  124.000001] krp: error: Unknown fetch argument\n"
"  Command: r:other vfs_read $bogus\n"
"                            ^\n";

static void test_error_log(void)
{
	const char *e;
	size_t len;

	e = krp_last_error(log_sample, "r:myret no_such_fn $retval", &len);
	CHECK(e == log_sample && !strncmp(e + len, "[  124", 6),
	      "error_log: the entry that quotes the command");
	e = krp_last_error(log_sample, "r:third f", &len);
	CHECK(e && !strncmp(e, "[  124.000001]", 14) && e[len] == '\0' &&
	      strstr(e, "                            ^\n"),
	      "error_log: else the newest entry, with its ^ line");
	CHECK(!krp_last_error("", "x", &len), "error_log: empty");
}

static void test_trace(void)
{
	CHECK(krp_trace_line_is("   cat-93  [001] d.... 12.3: krp_ret: probe=myret func=vfs_read+0x0/0x110 retval=0x5\n", "myret") &&
	      krp_trace_line_is("   cat-93  [001] ..... 12.3: krp_entry: probe=\"myret\" func=vfs_read\n", "myret"),
	      "trace: lines of the probe");
	CHECK(!krp_trace_line_is("   cat-93  [001] d.... 12.3: krp_ret: probe=myret2 func=vfs_read\n", "myret") &&
	      !krp_trace_line_is("   cat-93  [001] d.... 12.3: krp_ret: probe=other func=x\n", "myret") &&
	      !krp_trace_line_is("   cat-93  [001] d.... 12.3: sched_switch: probe=myret\n", "myret"),
	      "trace: lines of other probes and events left out");
}

int main(void)
{
	ksft_print_header();
	ksft_set_plan(22);
	test_spec();
	test_def();
	test_hist();
	test_json();
	test_error_log();
	test_trace();
	ksft_finished();
}
