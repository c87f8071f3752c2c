#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bootstrap_test.sh: the README's "Try it" section starts with exactly
# two indented commands, the demonstration and the tests, both through
# tools/make; .ci/run runs the second as written; tools/make, without
# make on PATH, runs setup-host before make (a copy of tools/ with a
# setup-host that records its call and puts a make on PATH).

set -uo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

echo "TAP version 13"
echo "1..4"

result()	# result STATUS DESCRIPTION
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

# The first two indented lines after "## Try it", comments cut.
mapfile -t cmds < <(awk '/^## Try it/ { on = 1; next } on && /^## / { exit }
	on && /^    [^ ]/ { sub(/^    /, ""); sub(/[ \t]*#.*/, ""); print; if (++k == 2) exit }' \
	"$top/README.md")
[ "${cmds[0]:-}" = "tools/make run" ] && [ "${cmds[1]:-}" = "tools/make test" ]
result $? "README's Try it: 'tools/make run' then 'tools/make test' (${cmds[*]:-none})"

grep -qx "${cmds[1]:-tools/make test} </dev/null" "$top/.ci/run"
result $? ".ci/run runs the README's test command"

# A tree with tools/make and a setup-host that installs "make" (a stub
# that records its arguments) into a directory on PATH.
mkdir -p "$tmp/tree/tools" "$tmp/bin"
cp "$top/tools/make" "$tmp/tree/tools/make"
cat >"$tmp/tree/tools/setup-host" <<EOT
#!/bin/bash
[ "\${1:-}" = --check ] && { [ -x "$tmp/bin/make" ]; exit; }
echo setup-host >>"$tmp/calls"
printf '#!/bin/bash\necho "make \$*" >>"$tmp/calls"\n' >"$tmp/bin/make"
chmod +x "$tmp/bin/make"
EOT
chmod +x "$tmp/tree/tools/setup-host"
for t in bash dirname env chmod; do ln -s "$(command -v $t)" "$tmp/bin/$t"; done
PATH=$tmp/bin "$tmp/bin/bash" "$tmp/tree/tools/make" test >/dev/null 2>&1
st=$?
[ $st -eq 0 ] && [ "$(cat "$tmp/calls" 2>/dev/null)" = "setup-host
make -C $tmp/tree --no-print-directory test" ]
result $? "tools/make without make: setup-host first, then make in the tree with the arguments"

: >"$tmp/calls"
PATH=$tmp/bin "$tmp/bin/bash" "$tmp/tree/tools/make" run >/dev/null 2>&1
[ "$(cat "$tmp/calls")" = "make -C $tmp/tree --no-print-directory run" ]
result $? "tools/make on a set-up host: make only"
