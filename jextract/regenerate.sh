#!/usr/bin/env bash
# Regenerates ffm-bindings/src/main/java/dev/isthmus/ffm from linux.h and symbols.txt, and its
# subpackage seccomp from libseccomp.h and seccomp-symbols.txt.
#
# Needs a JDK >= 25 (found as bin/isthmus finds it) and jextract on libclang 13: $JEXTRACT (a
# command), else `jextract` on PATH.
# The output depends only on the two headers, the two allow-lists, the system headers, the jextract commit
# and the libclang version; the same inputs give the same bytes. See README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$top/bin/jdk-env"
isthmus_find_jdk
export JAVA_HOME=$ISTHMUS_JAVA_HOME

if [ -n "${JEXTRACT:-}" ]; then jextract=$JEXTRACT
elif command -v jextract >/dev/null; then jextract=jextract
else
  echo "regenerate: no jextract: set JEXTRACT to a jextract for JDK 25 on libclang 13 (README.md)" >&2
  exit 1
fi

# libclang 16 and later spell unnamed records "struct (unnamed at file:line:col)"; jextract
# (CODETOOLS-7903480) then emits uncompilable classes for siginfo_t and struct sigaction, and
# absolute header paths into the javadoc. libclang 13 is the version jextract is built with upstream.
version=$("$jextract" --version 2>&1) || { echo "$version" >&2; exit 1; }
case $version in
  *"LibClang version"*" 13."*) ;;
  *) echo "regenerate: $jextract must run on libclang 13 (apt-get install libclang-13-dev); it reports:" >&2
     echo "$version" >&2
     exit 1 ;;
esac

pkg=ffm-bindings/src/main/java/dev/isthmus/ffm
start=$(date +%s)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One jextract run per header: NAME PACKAGE HEADER-CLASS ALLOW-LIST [jextract options...].
# Relative paths and a fixed locale: nothing of this machine leaks into the output.
generate() {
  local header=$1 package=$2 class=$3 symbols=$4
  shift 4
  if ! (cd "$here" && LC_ALL=C.UTF-8 "$jextract" \
        --target-package "$package" \
        --header-class-name "$class" \
        --output "$tmp/out" \
        "$@" \
        @"$symbols" \
        "$header") > "$tmp/log" 2>&1; then
    cat "$tmp/log" >&2
    echo "regenerate: jextract failed on $header; $pkg is unchanged" >&2
    exit 1
  fi
  cat "$tmp/log" >&2
  local out="$tmp/out/$(echo "$package" | tr . /)/$class.java"
  [ -f "$out" ] || { echo "regenerate: jextract produced no $class.java" >&2; exit 1; }
}
generate linux.h dev.isthmus.ffm Linux symbols.txt
# libseccomp (seccomp.h, from libseccomp-dev): loaded by its soname, which Debian's libseccomp2
# provides at run time without the -dev package (":" makes jextract take it as a path for dlopen).
[ -f /usr/include/seccomp.h ] || { echo "regenerate: no /usr/include/seccomp.h (apt-get install libseccomp-dev)" >&2; exit 1; }
generate libseccomp.h dev.isthmus.ffm.seccomp Seccomp seccomp-symbols.txt --library :libseccomp.so.2

rm -rf "${top:?}/$pkg"
mkdir -p "$(dirname "$top/$pkg")"
mv "$tmp/out/dev/isthmus/ffm" "$top/$pkg"
echo "regenerated $(find "$top/$pkg" -name '*.java' | wc -l) files in $pkg ($(( $(date +%s) - start )) s; $(echo "$version" | sed -n 's/^LibClang version //p'))"
