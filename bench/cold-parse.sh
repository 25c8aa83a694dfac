#!/usr/bin/env bash
# The cold path of config parsing: what the first parse + validate of a config.json costs in a
# fresh JVM, class loading included (the path every `isthmus create` and `run` takes once).
# Runs bench/cold/ColdParse.java N times (default 20), each in a new JVM of an installed isthmus
# (bin/install PREFIX), with its AOT cache and without, and prints the medians.
#   bench/cold-parse.sh PREFIX [CONFIG_JSON] [N]     (default config: what `runc spec` writes)
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bench/cold-parse.sh PREFIX [CONFIG_JSON] [N]" >&2; exit 2; }
h=$(readlink -f "$1")/lib/isthmus
[ -x "$h/runtime/bin/java" ] || { echo "cold-parse.sh: $1 is no isthmus install (no $h/runtime/bin/java)" >&2; exit 1; }
n=${3:-20}
. "$top/bin/jdk-env"; isthmus_find_jdk
work=$(mktemp -d /tmp/isthmus-cold-parse.XXXXXX)
trap 'rm -rf "$work"' EXIT
config=${2:-}
if [ -z "$config" ]; then
  (cd "$work" && runc spec) && config=$work/config.json
fi
"$ISTHMUS_JAVA_HOME/bin/javac" -d "$work/classes" -cp "$h/isthmus-runtime.jar" "$top/bench/cold/ColdParse.java"
# The launcher's options, so that the cache is accepted; its classpath plus the one class.
opts=(-Xrs -XX:+DisableAttachMechanism -XX:-MaxFDLimit -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData --enable-native-access=ALL-UNNAMED
      -cp "$h/isthmus-runtime.jar:$work/classes")
for i in $(seq "$n"); do
  "$h/runtime/bin/java" "${opts[@]}" -XX:AOTCache="$h/isthmus.aot" ColdParse "$config" >> "$work/aot"
  "$h/runtime/bin/java" "${opts[@]}" -XX:AOTMode=off ColdParse "$config" >> "$work/noaot"
done
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "config: $config ($(wc -c < "$config") bytes), $n fresh JVMs each, median microseconds"
printf '%-22s %12s %12s\n' "" "first read" "second read"
for k in aot noaot; do
  label="with the AOT cache"; [ $k = noaot ] && label="without (AOTMode=off)"
  printf '%-22s %12s %12s\n' "$label" "$(cut -d' ' -f1 "$work/$k" | med)" "$(cut -d' ' -f2 "$work/$k" | med)"
done
