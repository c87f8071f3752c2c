// SPDX-License-Identifier: GPL-2.0
/*
 * krpctl's side of krp's text formats (Documentation/user-probes.md):
 * the definitions /proc/krp/probes lists, the SPECs written to it, the
 * entries of /proc/krp/error_log, the histograms of /proc/krp/hist/ and
 * the krp:krp_ret / krp:krp_entry lines of trace_pipe.  Nothing here
 * opens a file: the host suite feeds it text.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "krpctl.h"

/* Event and group names are C identifiers, as tracefs wants them. */
bool krp_valid_name(const char *name)
{
	const char *p = name;

	if (!*p || isdigit((unsigned char)*p))
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return p - name < KRPCTL_NAME_MAX;
}

/* copy_name: [start, end) into out; -EINVAL unless it is a valid name. */
static int copy_name(const char *start, const char *end, char *out)
{
	size_t n = end - start;

	if (n == 0 || n >= KRPCTL_NAME_MAX)
		return -EINVAL;
	memcpy(out, start, n);
	out[n] = '\0';
	return krp_valid_name(out) ? 0 : -EINVAL;
}

/*
 * The first word of a SPEC: r[MAXACTIVE][:[GRP/]EVENT], p[:[GRP/]EVENT]
 * or -:[GRP/]EVENT.  The rest is the kernel's to judge; krpctl only needs
 * the names, to remove what it added and to find its events.
 */
int krp_parse_spec(const char *spec, struct krp_spec *s)
{
	const char *p = spec, *word_end, *colon, *slash;

	memset(s, 0, sizeof(*s));
	while (isspace((unsigned char)*p))
		p++;
	if (*p != 'r' && *p != 'p' && *p != '-')
		return -EINVAL;
	s->kind = *p++;
	if (s->kind == 'r')
		while (isdigit((unsigned char)*p))
			p++;
	word_end = p + strcspn(p, " \t\n");
	colon = *p == ':' ? p : NULL;
	if (!colon && p != word_end)
		return -EINVAL;
	if (colon) {
		const char *name = colon + 1;

		slash = memchr(name, '/', word_end - name);
		if (slash) {
			if (copy_name(name, slash, s->group))
				return -EINVAL;
			name = slash + 1;
		}
		if (copy_name(name, word_end, s->event))
			return -EINVAL;
		s->named = true;
	}
	if (s->kind == '-' && !s->named)
		return -EINVAL;
	s->rest = word_end - spec;
	return 0;
}

/*
 * krp_name_spec: SPEC with EVENT as its name when it has none, so that
 * krpctl knows what to remove and whose trace lines to show.
 */
int krp_name_spec(const char *spec, const char *event, char *out, size_t size)
{
	struct krp_spec s;
	const char *first;
	int n;

	if (krp_parse_spec(spec, &s) || s.kind == '-')
		return -EINVAL;
	if (s.named)
		n = snprintf(out, size, "%s", spec);
	else {
		first = spec;
		while (isspace((unsigned char)*first))
			first++;
		n = snprintf(out, size, "%.*s:%s%s", (int)(spec + s.rest - first),
			     first, event, spec + s.rest);
	}
	return n < 0 || (size_t)n >= size ? -E2BIG : 0;
}

/*
 * One line of /proc/krp/probes: "r:GRP/EVENT TARGET ARGS..." or "p:...".
 * Parsed in place: def's strings are copies, def->args points into line.
 */
int krp_parse_def(char *line, struct krp_def *def)
{
	char *p = line, *slash, *end;
	size_t n;

	memset(def, 0, sizeof(*def));
	line[strcspn(line, "\n")] = '\0';
	if ((*p != 'r' && *p != 'p') || p[1] != ':')
		return -EINVAL;
	def->kind = *p;
	p += 2;
	slash = strchr(p, '/');
	end = p + strcspn(p, " \t");
	if (!slash || slash > end)
		return -EINVAL;
	if (copy_name(p, slash, def->group) || copy_name(slash + 1, end, def->event))
		return -EINVAL;
	p = end;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, " \t");
	if (n == 0 || n >= sizeof(def->target))
		return -EINVAL;
	memcpy(def->target, p, n);
	def->target[n] = '\0';
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	def->args = p;
	return 0;
}

/* Row i of a histogram holds row_low(i) .. row_high(i). */
static unsigned long long row_low(int i)
{
	return i <= 1 ? 0 : 1ULL << (i - 1);
}

static unsigned long long row_high(int i)
{
	return i == KRPCTL_BUCKETS - 1 ? UINT64_MAX : (1ULL << i) - 1;
}

/* bucket_of: the log2 row whose upper bound is high (2^i - 1). */
static int bucket_of(unsigned long long high)
{
	int i = 0;

	if (high == UINT64_MAX)
		return KRPCTL_BUCKETS - 1;
	high++;
	if (high & (high - 1))
		return -1;
	while (high > 1) {
		high >>= 1;
		i++;
	}
	return i < KRPCTL_BUCKETS ? i : -1;
}

/*
 * /proc/krp/hist/EVENT, bcc funclatency's layout:
 *	     nsecs               : count     distribution
 *	         0 -> 1          : 0        |          |
 *	avg = 1234 nsecs, total: 56789 nsecs, count: 46, missed: 0
 */
int krp_parse_hist(const char *text, struct krp_hist *h)
{
	const char *line = text;
	bool header = false, summary = false;

	memset(h, 0, sizeof(*h));
	while (*line) {
		const char *next = strchr(line, '\n');
		size_t len = next ? (size_t)(next - line) : strlen(line);
		unsigned long long lo, hi, cnt, avg;
		char buf[256], unit[16];
		int b;

		if (len >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, line, len);
		buf[len] = '\0';
		line += len + (next ? 1 : 0);
		if (!buf[strspn(buf, " \t")])
			continue;
		if (!header) {
			if (sscanf(buf, " %15s : count distribution", unit) != 1 ||
			    !strstr(buf, "distribution"))
				return -EINVAL;
			snprintf(h->unit, sizeof(h->unit), "%s", unit);
			header = true;
		} else if (sscanf(buf, " %llu -> %llu : %llu |", &lo, &hi, &cnt) == 3) {
			b = bucket_of(hi);
			/* Row 0 (0 ns) has no lower bound worth checking. */
			if (summary || b < 0 || (b > 0 && lo != row_low(b)))
				return -EINVAL;
			h->count[b] = cnt;
		} else if (sscanf(buf, "avg = %llu %15[a-z], total: %llu %15[a-z], count: %llu, missed: %llu",
				  &avg, unit, &h->total, unit, &h->events,
				  &h->missed) == 6) {
			summary = true;
		} else {
			return -EINVAL;
		}
	}
	return header && summary ? 0 : -EINVAL;
}

/* d = a - b, row by row: one interval's histogram from two readings. */
void krp_hist_sub(struct krp_hist *d, const struct krp_hist *a,
		  const struct krp_hist *b)
{
	int i;

	memcpy(d->unit, a->unit, sizeof(d->unit));
	for (i = 0; i < KRPCTL_BUCKETS; i++)
		d->count[i] = a->count[i] - b->count[i];
	d->total = a->total - b->total;
	d->events = a->events - b->events;
	d->missed = a->missed - b->missed;
}

/* first and last non-empty rows; false when there are none. */
static bool row_span(const struct krp_hist *h, int *first, int *last)
{
	int i;

	*first = -1;
	*last = -1;
	for (i = 0; i < KRPCTL_BUCKETS; i++) {
		if (!h->count[i])
			continue;
		if (*first < 0)
			*first = i;
		*last = i;
	}
	return *first >= 0;
}

/* As funclatency prints: 40-character bars scaled to the largest row. */
void krp_print_hist(FILE *f, const struct krp_hist *h)
{
	unsigned long long max = 0;
	int i, first, last, width = 40, digits = 10;
	const char *unit = h->unit[0] ? h->unit : "nsecs";

	/* Wider columns once a row's bound needs more than ten digits. */
	if (row_span(h, &first, &last) && last > 32)
		digits = 20;
	fprintf(f, "%*s%-*s : count     distribution\n", digits - 5, "",
		digits + 9, unit);
	if (first >= 0) {
		for (i = first; i <= last; i++)
			if (h->count[i] > max)
				max = h->count[i];
		for (i = first; i <= last; i++) {
			int stars = (int)(h->count[i] * width / max);

			fprintf(f, "%*llu -> %-*llu : %-8llu |%.*s%*s|\n",
				digits, row_low(i), digits, row_high(i),
				h->count[i], stars,
				"****************************************", width - stars, "");
		}
	}
	fprintf(f, "\navg = %llu %s, total: %llu %s, count: %llu, missed: %llu\n",
		h->events ? h->total / h->events : 0, unit, h->total, unit,
		h->events, h->missed);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* One JSON object on one line: a histogram and its totals. */
void krp_print_hist_json(FILE *f, const struct krp_hist *h, const char *func,
			 double seconds)
{
	int i, first, last;
	const char *sep = "";

	fputs("{\"func\":", f);
	json_string(f, func);
	fprintf(f, ",\"seconds\":%.3f,\"unit\":", seconds);
	json_string(f, h->unit[0] ? h->unit : "nsecs");
	fputs(",\"buckets\":[", f);
	if (row_span(h, &first, &last))
		for (i = first; i <= last; i++, sep = ",")
			fprintf(f, "%s{\"low\":%llu,\"high\":%llu,\"count\":%llu}",
				sep, row_low(i), row_high(i), h->count[i]);
	fprintf(f, "],\"count\":%llu,\"total\":%llu,\"avg\":%llu,\"missed\":%llu}\n",
		h->events, h->total, h->events ? h->total / h->events : 0,
		h->missed);
}

/*
 * The newest entry of /proc/krp/error_log, preferring one that quotes
 * command.  An entry is a "[ time] krp: error: ..." line and the
 * indented lines after it (Command:, the ^ line).
 */
const char *krp_last_error(const char *log, const char *command, size_t *len)
{
	const char *p = log, *found = NULL, *mine = NULL;
	size_t found_len = 0, mine_len = 0;

	while (*p) {
		const char *start = p, *q;

		p += strcspn(p, "\n");
		p += *p == '\n';
		if (*start != '[')
			continue;
		while (*p == ' ' || *p == '\t') {
			p += strcspn(p, "\n");
			p += *p == '\n';
		}
		found = start;
		found_len = p - start;
		q = strstr(start, "Command: ");
		if (command && q && q < p) {
			size_t n = strlen(command);

			q += strlen("Command: ");
			if (!strncmp(q, command, n) && (q[n] == '\n' || !q[n])) {
				mine = start;
				mine_len = found_len;
			}
		}
	}
	if (mine) {
		*len = mine_len;
		return mine;
	}
	*len = found_len;
	return found;
}

/*
 * A trace_pipe line of krp's events belongs to event when its probe
 * field names it: "... krp_ret: probe=myret func=...".
 */
bool krp_trace_line_is(const char *line, const char *event)
{
	const char *p = strstr(line, " krp_ret: ");
	size_t n = strlen(event);

	if (!p)
		p = strstr(line, " krp_entry: ");
	if (!p)
		return false;
	p = strstr(p, " probe=");
	if (!p)
		return false;
	p += strlen(" probe=");
	if (*p == '"')
		return !strncmp(p + 1, event, n) && p[n + 1] == '"';
	return !strncmp(p, event, n) && (!p[n] || isspace((unsigned char)p[n]) || p[n] == ',');
}
