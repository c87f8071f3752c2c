# Port a client of the kernel's <linux/kprobes.h> to krp: switch the
# include, prefix the kprobes identifiers with krp_, and the stack-trace
# calls whose krp_ versions see through krp's trampoline.  Nothing else.
s|#include <linux/kprobes.h>|#include <krp/kprobes.h>|
s/\b(register_kretprobes?|unregister_kretprobes?|enable_kretprobe|disable_kretprobe|get_kretprobe_retaddr|get_kretprobe|kretprobe_find_ret_addr|is_kretprobe_trampoline|kretprobe_instance|kretprobe|register_kprobes?|unregister_kprobes?|enable_kprobe|disable_kprobe|kprobe_opcode_t|kprobe)\b/krp_\1/g
s/\b(stack_trace_save_regs|stack_trace_save_tsk|stack_trace_save)\b/krp_\1/g
