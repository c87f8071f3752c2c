/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trace events of defined probes, krp:krp_ret and krp:krp_entry.
 * A module cannot make a dynamic event per probe (trace_add_event_call()
 * needs event_mutex, which is not exported), so every definition shares
 * these two; the field probe tells them apart, for filters, triggers
 * and hist keys.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM krp

#if !defined(KRP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define KRP_TRACE_H

#include <linux/string.h>
#include <linux/tracepoint.h>
/*
 * The strings are dynamic arrays, not __string(): __assign_str() lost
 * its source argument in 6.10, and a dynamic array of char is the same
 * "__data_loc char[]" field to filters, hist keys, perf and trace-cmd
 * on every kernel.
 */
#define krp_str_field(f)	__dynamic_array(char, f, strlen(f) + 1)
#define krp_str_assign(f)	memcpy(__get_dynamic_array(f), f, \
				       __get_dynamic_array_len(f))

TRACE_EVENT(krp_ret,
	TP_PROTO(const char *probe, const char *func, unsigned long ret_ip,
		 long retval, u64 delta_ns, const char *args),
	TP_ARGS(probe, func, ret_ip, retval, delta_ns, args),
	TP_STRUCT__entry(
		krp_str_field(probe)
		krp_str_field(func)
		__field(unsigned long, ret_ip)
		__field(long, retval)
		__field(u64, delta_ns)
		krp_str_field(args)
	),
	TP_fast_assign(
		krp_str_assign(probe);
		krp_str_assign(func);
		__entry->ret_ip = ret_ip;
		__entry->retval = retval;
		__entry->delta_ns = delta_ns;
		krp_str_assign(args);
	),
	TP_printk("probe=%s func=%s ret_ip=%pS retval=%ld delta_ns=%llu args=%s",
		  __get_str(probe), __get_str(func), (void *)__entry->ret_ip,
		  __entry->retval, __entry->delta_ns, __get_str(args))
);

TRACE_EVENT(krp_entry,
	TP_PROTO(const char *probe, const char *func, const char *args),
	TP_ARGS(probe, func, args),
	TP_STRUCT__entry(
		krp_str_field(probe)
		krp_str_field(func)
		krp_str_field(args)
	),
	TP_fast_assign(
		krp_str_assign(probe);
		krp_str_assign(func);
		krp_str_assign(args);
	),
	TP_printk("probe=%s func=%s args=%s", __get_str(probe),
		  __get_str(func), __get_str(args))
);

#endif /* KRP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE krp_trace
#include <trace/define_trace.h>
