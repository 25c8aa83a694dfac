#!/usr/bin/env bash
# Regenerates ffm-bindings/src/main/java/dev/isthmus/ffm from linux.h and symbols.txt.
# Needs: a JDK >= 25 (found like bin/isthmus does), libclang 16 (apt: libclang-16-dev), and a
# jextract for that JDK, given as JEXTRACT (a command) — jextract is not in any registry and is
# not part of this repository; see README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$top/bin/jdk-env"
isthmus_find_jdk
: "${JEXTRACT:?set JEXTRACT to a jextract command built for JDK 25 (see jextract/README.md)}"
llvm=${LLVM_HOME:-/usr/lib/llvm-16}
out=$top/ffm-bindings/src/main/java
rm -rf "$out/dev/isthmus/ffm"
mkdir -p "$out"
JAVA_HOME=$ISTHMUS_JAVA_HOME $JEXTRACT \
  -I "$llvm/lib/clang/16/include" \
  --target-package dev.isthmus.ffm \
  --header-class-name Linux \
  --output "$out" \
  @"$here/symbols.txt" \
  "$here/linux.h"
echo "regenerated $(find "$out/dev/isthmus/ffm" -name '*.java' | wc -l) files in $out/dev/isthmus/ffm"
