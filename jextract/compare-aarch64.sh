#!/usr/bin/env bash
# Which of the bound constants and struct layouts differ on aarch64? The bindings are jextract
# output made on x86_64 (and jextract is not built everywhere), so this evaluates every
# --include-constant of symbols.txt, and the size and every field offset of every struct the
# bindings generate, twice with the host's gcc: against the host's headers, and against Debian's
# arm64 headers (libc6-dev:arm64, linux-libc-dev:arm64, downloaded and unpacked, not installed;
# needs `dpkg --add-architecture arm64` and apt-get update). Both targets are LP64 with the same
# alignment of the types involved, so the host compiler evaluates the arm64 headers faithfully.
# Prints the constants and layouts that differ, and those that aarch64 does not define.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ffm=$here/../ffm-bindings/src/main/java/dev/isthmus/ffm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q libc6-dev:arm64 linux-libc-dev:arm64 >/dev/null 2>&1)
for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/arm64"; done
arm=(-nostdinc -isystem "$(gcc -print-file-name=include)" -isystem "$tmp/arm64/usr/include/aarch64-linux-gnu"
     -isystem "$tmp/arm64/usr/include" -U__x86_64__ -U__amd64__ -D__aarch64__ -D__ARM_64BIT_STATE -D__ARM_ARCH=8)

# values of long long globals named v_*, from gcc -S output
values() { awk '/^v_.*:$/{n=substr($1,3,length($1)-3)} /\.quad/{if(n!=""){print n, $2; n=""}} /\.zero/{if(n!=""){print n, 0; n=""}}' "$1" | sort; }

grep -- '--include-constant' "$here/symbols.txt" | awk '{print $2}' > "$tmp/names"
gen() { { echo "#include \"$here/linux.h\""; echo '#include <stddef.h>'; while read -r n; do echo "long long v_$n = (long long)($n);"; done < "$1"; } > "$tmp/c.c"; }
gen "$tmp/names"
gcc -w -S "${arm[@]}" -o "$tmp/arm.s" "$tmp/c.c" 2>&1 | grep -o "'[A-Za-z0-9_]*' undeclared\|‘[A-Za-z0-9_]*’ undeclared" | tr -d "'‘’" | awk '{print $1}' | sort -u > "$tmp/missing" || true
grep -vxFf "$tmp/missing" "$tmp/names" > "$tmp/present"
gen "$tmp/present"
gcc -w -S "${arm[@]}" -o "$tmp/arm.s" "$tmp/c.c"
gcc -w -S -o "$tmp/host.s" "$tmp/c.c"
values "$tmp/host.s" > "$tmp/host.v"
values "$tmp/arm.s" > "$tmp/arm.v"
echo "constants: $(wc -l < "$tmp/names") bound, $(wc -l < "$tmp/missing") not defined on aarch64:"
grep -v '^SYS_' "$tmp/missing" | sed 's/^/  /' || true
echo "  and $(grep -c '^SYS_' "$tmp/missing" || true) SYS_* numbers"
echo "constants whose value differs (host aarch64):"
join "$tmp/host.v" "$tmp/arm.v" | awk '$2 != $3' | grep -v '^SYS_' | sed 's/^/  /' || true
echo "  and $(join "$tmp/host.v" "$tmp/arm.v" | awk '$2 != $3' | grep -c '^SYS_' || true) SYS_* numbers"

# struct sizes and field offsets, named v_size_S and v_off_S__F
{
    for f in "$ffm"/*.java; do
        s=$(basename "$f" .java)
        case $s in Linux*|__sighandler_t|__sigval_t|sigval|siginfo_t|sigset_t|__sigset_t|__fsid_t) continue ;; esac
        echo "$s"
    done
} > "$tmp/structs"
{
    echo "#include \"$here/linux.h\""; echo '#include <stddef.h>'
    while read -r s; do
        echo "long long v_size_$s = sizeof(struct $s);"
        for fld in $(grep -o 'withName("[A-Za-z_0-9]*")' "$ffm/$s.java" | sed 's/withName("//;s/")//' | grep -vx "$s"); do
            echo "long long v_off_${s}__$fld = offsetof(struct $s, $fld);"
        done
    done < "$tmp/structs"
    for t in siginfo_t sigset_t __sigset_t; do echo "long long v_size_$t = sizeof($t);"; done
} > "$tmp/s.c"
gcc -w -S "${arm[@]}" -o "$tmp/sarm.s" "$tmp/s.c"
gcc -w -S -o "$tmp/shost.s" "$tmp/s.c"
values "$tmp/shost.s" > "$tmp/shost.v"
values "$tmp/sarm.s" > "$tmp/sarm.v"
echo "struct layouts: $(wc -l < "$tmp/shost.v") sizes and offsets compared, differing:"
join "$tmp/shost.v" "$tmp/sarm.v" | awk '$2 != $3' | sed 's/^/  /' || true
