#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install_test.sh: make install DESTDIR=... and what it must leave there;
# a client module (the README's) that builds with -I and
# KBUILD_EXTRA_SYMBOLS pointing into DESTDIR and nowhere else of krp's.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
flavour=${KRP_KERNEL:-686-pae}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
n=0

echo "TAP version 13"
echo "1..9"

result()	# result STATUS DESCRIPTION
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

version=$(cat "$top/VERSION")
grep -qx "PACKAGE_VERSION=\"$version\"" "$top/dkms.conf"
result $? "dkms.conf's PACKAGE_VERSION is VERSION's ($version)"

kdir=$("$top/tools/krp-kernel" kdir "$flavour") || exit 1
release=$(modinfo -F vermagic "$top/build/$flavour/krp.ko" | cut -d' ' -f1)
make --no-print-directory -C "$top" install KERNEL="$flavour" DESTDIR="$dest" \
	PREFIX=/usr >"$tmp/install.log" 2>&1
st=$?
sed 's/^/# /' "$tmp/install.log"
result $st "make install KERNEL=$flavour DESTDIR=... exits 0"

ko=$dest/lib/modules/$release/extra/krp.ko
[ -f "$ko" ] && [ "$(modinfo -F version "$ko")" = "$version" ] &&
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$release" ]
result $? "krp.ko in lib/modules/$release/extra, version $version, for $release"

grep -qs '^extra/krp.ko:' "$dest/lib/modules/$release/modules.dep"
result $? "depmod ran: modules.dep lists extra/krp.ko"

# krpctl is built for the kernel's word size, which this host may not
# run (no IA32 emulation): its ELF class is checked, not its output.
case $(grep -sx 'CONFIG_X86_64=y' "$kdir/.config") in
"") class=01 ;;
*) class=02 ;;
esac
[ -x "$dest/usr/sbin/krpctl" ] &&
	[ "$(od -An -tx1 -N5 "$dest/usr/sbin/krpctl" | tr -d ' ')" = "7f454c46$class" ] &&
	[ -f "$dest/usr/share/man/man8/krpctl.8" ]
result $? "krpctl in /usr/sbin, an ELF for the kernel's word size; its man page in man8"

src=$dest/usr/src/krp-$version
[ -f "$src/include/krp/kprobes.h" ] && [ -f "$src/dkms.conf" ] && [ -f "$src/Kbuild" ] &&
	grep -q '	krp_register_kretprobe	' "$src/Module.symvers" &&
	cmp -s "$src/Module.symvers" "$top/build/$flavour/Module.symvers"
result $? "/usr/src/krp-$version: headers, dkms.conf, Kbuild, krp.ko's Module.symvers"

bad=0
for f in $(cd "$top" && find kernel arch include -name '*.[chS]'); do
	cmp -s "$top/$f" "$src/$f" || { echo "# $f differs or is missing"; bad=1; }
done
result $bad "/usr/src/krp-$version holds every source DKMS builds from"

# The client knows nothing of the tree: only DESTDIR's paths.
mkdir -p "$tmp/client"
cat >"$tmp/client/client.c" <<'EOT'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/ptrace.h>
#include <krp/kprobes.h>

static int ret_handler(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static struct krp_kretprobe rp = {
	.kp.symbol_name	= "vfs_read",
	.handler	= ret_handler,
};

static int __init client_init(void)
{
	return krp_register_kretprobe(&rp);
}

static void __exit client_exit(void)
{
	krp_unregister_kretprobe(&rp);
}

module_init(client_init);
module_exit(client_exit);
MODULE_LICENSE("GPL");
EOT
cat >"$tmp/client/Kbuild" <<EOT
obj-m := client.o
ccflags-y := -I$src/include
EOT
make --no-print-directory -C "$kdir" M="$tmp/client" \
	KBUILD_EXTRA_SYMBOLS="$src/Module.symvers" modules >"$tmp/client.log" 2>&1
st=$?
sed 's/^/# /' "$tmp/client.log"
[ $st -eq 0 ] && [ -f "$tmp/client/client.ko" ] && ! grep -q 'undefined!' "$tmp/client.log"
result $? "a client module builds against the installed headers and Module.symvers alone"

[ "$(modinfo -F depends "$tmp/client/client.ko" 2>/dev/null)" = krp ] &&
	grep -q "$src/include/krp/kprobes.h" "$tmp/client/.client.o.cmd" &&
	! grep -q "$top/" "$tmp/client/.client.o.cmd"
result $? "the client depends on krp and read krp's header from DESTDIR, not the tree"
