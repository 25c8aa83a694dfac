#!/usr/bin/env bash
# Reassembles the spawn stubs into the resources the runtime loads. Needs GNU binutils for each
# architecture, by their target-prefixed names: Debian's binutils gives the native ones, and
# binutils-aarch64-linux-gnu (on x86_64) or binutils-x86-64-linux-gnu (on aarch64) the other. The bytes are committed; StubBytesTest checks that they
# match these sources when the tools are present.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../resources/dev/isthmus/sys
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# arch, assembler command, objcopy
assemble() {
    local arch=$1 as=$2 objcopy=$3
    $as -o "$tmp/spawn-$arch.o" "$here/spawn-$arch.S"
    $objcopy -O binary -j .text "$tmp/spawn-$arch.o" "$out/spawn-$arch.bin"
    echo "wrote $out/spawn-$arch.bin ($(stat -c %s "$out/spawn-$arch.bin") bytes)"
}
assemble x86_64 x86_64-linux-gnu-as x86_64-linux-gnu-objcopy
assemble aarch64 aarch64-linux-gnu-as aarch64-linux-gnu-objcopy
