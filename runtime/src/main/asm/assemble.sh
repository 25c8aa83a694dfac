#!/usr/bin/env bash
# Reassembles the spawn stub(s) into the resources the runtime loads. Needs GNU binutils.
# The bytes are committed; StubBytesTest checks they match this source when binutils is present.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../resources/dev/isthmus/sys
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
as --64 -o "$tmp/spawn.o" "$here/spawn-x86_64.S"
objcopy -O binary -j .text "$tmp/spawn.o" "$out/spawn-x86_64.bin"
echo "wrote $out/spawn-x86_64.bin ($(stat -c %s "$out/spawn-x86_64.bin") bytes)"
