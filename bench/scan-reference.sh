#!/usr/bin/env bash
# The C reference for NamespaceScanBenchmark: builds bench/src/main/c/readlink-scan.c (cc -O2) into a
# temporary directory and times one pass over this host's /proc and over a synthetic tree of 5,000
# entries laid out like the benchmark's (N/ns/mnt symlinks, one in ten "mnt:[4026532999]").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/readlink-scan" "$here/src/main/c/readlink-scan.c"
mkdir -p "$tmp/proc/self" "$tmp/proc/sys"
for pid in $(seq 1 5000); do
  mkdir -p "$tmp/proc/$pid/ns"
  if (( pid % 10 == 0 )); then t="mnt:[4026532999]"; else t="mnt:[40265$(( 31000 + pid % 7 ))]"; fi
  ln -s "$t" "$tmp/proc/$pid/ns/mnt"
done
"$tmp/readlink-scan" /proc mnt "$(readlink /proc/self/ns/mnt)" 2000
"$tmp/readlink-scan" "$tmp/proc" mnt "mnt:[4026532999]" 500
