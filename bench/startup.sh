#!/usr/bin/env bash
# Start-up benchmark: wall time of each verb a client calls once per container, isthmus against
# `java -version` (the JVM's own floor), runc and crun, interleaved round by round so that
# whatever else runs on the machine weighs on all of them alike. Prints the median of each
# and the ratios. Needs root (real containers) and a static /bin/busybox.
#
#   bench/startup.sh [-n ROUNDS] [--isthmus PATH] [--java PATH] [--verbs "version state ..."]
#
# Defaults: 20 rounds, bin/isthmus (give an installed PREFIX/bin/isthmus to measure that),
# $JAVA_HOME/bin/java or the JDK bin/jdk-env finds. Verbs: version state list kill delete
# create start run. crun refuses to create containers on a host with hybrid cgroups; there
# its create runs in a private mount namespace with an empty tmpfs over
# /sys/fs/cgroup/unified (untimed set-up), and a verb it still cannot do is reported as such.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
rounds=20
isthmus=$top/bin/isthmus
java=
verbs="version state list kill delete create start run"
while [ $# -gt 0 ]; do
  case $1 in
    -n) rounds=$2; shift 2 ;;
    --isthmus) isthmus=$(readlink -f "$2"); shift 2 ;;
    --java) java=$2; shift 2 ;;
    --verbs) verbs=$2; shift 2 ;;
    *) echo "startup.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
if [ -z "$java" ]; then
  . "$top/bin/jdk-env"; isthmus_find_jdk; java=$ISTHMUS_JAVA_HOME/bin/java
fi
[ "$(id -u)" = 0 ] || { echo "startup.sh: needs root (real containers)" >&2; exit 1; }
[ -x /bin/busybox ] && ! grep -q /lib64/ld-linux /bin/busybox ||
  { echo "startup.sh: needs a static /bin/busybox (apt-get install busybox-static)" >&2; exit 1; }
[ -n "${EPOCHREALTIME:-}" ] || { echo "startup.sh: needs bash 5 (EPOCHREALTIME)" >&2; exit 1; }

work=$(mktemp -d /tmp/isthmus-startup.XXXXXX)
runtimes=(isthmus runc crun)
declare -A avail=()
for r in runc crun; do command -v "$r" >/dev/null && avail[$r]=1; done
avail[isthmus]=1

# Bundles: a busybox rootfs; `long` sleeps, `short` runs true. The default namespaces of
# `runc spec` (pid, network, ipc, uts, mount), no terminal.
rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/dev" "$rootfs/sys" "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/"
for a in sh sleep true; do ln -s busybox "$rootfs/bin/$a"; done
for b in long short; do
  mkdir -p "$work/$b"
  (cd "$work/$b" && runc spec)
  args='"sleep", "1000"'; [ $b = short ] && args='"true"'
  sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/'"$args"'/; s|"path": "rootfs"|"path": "'"$rootfs"'"|' \
    "$work/$b/config.json"
done

# Each runtime with its own state root.
cmd() { # runtime, args...
  local r=$1; shift
  case $r in
    isthmus) "$isthmus" --root "$work/state-isthmus" "$@" ;;
    runc) runc --root "$work/state-runc" "$@" ;;
    crun) crun --root "$work/state-crun" "$@" ;;
  esac
}
# crun's create, on a hybrid-cgroup host, in a private mount namespace where cgroup2 is hidden.
crun_hidden() {
  unshare -m --propagation private sh -c 'mount -t tmpfs none /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$@"' \
    crun --root "$work/state-crun" "$@"
}
setup() { # runtime, verb args...: untimed; crun falls back to the hidden-cgroup2 namespace
  local r=$1; shift
  cmd "$r" "$@" >/dev/null 2>&1 && return 0
  [ "$r" = crun ] && crun_hidden "$@" >/dev/null 2>&1
}
wait_stopped() { # runtime id
  local i
  for i in $(seq 200); do
    cmd "$1" state "$2" 2>/dev/null | grep -q '"status": *"stopped"' && return 0
    sleep 0.01
  done
  return 1
}
cleanup() {
  for r in "${runtimes[@]}"; do
    [ -n "${avail[$r]:-}" ] || continue
    for id in $(cmd "$r" list -q 2>/dev/null); do
      cmd "$r" delete -f "$id" >/dev/null 2>&1 || { [ "$r" = crun ] && crun_hidden delete -f "$id" >/dev/null 2>&1; } || true
    done
  done
  rm -rf "$work"
}
trap cleanup EXIT

declare -A times=() failed=()
timed() { # key, command...: appends the wall time in ms, or marks the key failed
  local key=$1; shift
  local t0=$EPOCHREALTIME
  if "$@" >/dev/null 2>"$work/err"; then
    local t1=$EPOCHREALTIME
    times[$key]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", (b-a)*1000}') "
  else
    failed[$key]=$(head -c 200 "$work/err" | head -1)
  fi
}

# One long-running container per runtime for state and kill.
for r in "${runtimes[@]}"; do
  [ -n "${avail[$r]:-}" ] || continue
  if setup "$r" create --bundle "$work/long" long-$r && cmd "$r" start long-$r >/dev/null 2>&1; then :; else
    failed[$r:state]="could not create a container"; failed[$r:kill]="could not create a container"
  fi
done

for ((i = 0; i < rounds; i++)); do
  # Rotate the order of the contenders each round.
  order=(java isthmus runc crun)
  order=("${order[@]:$((i % 4))}" "${order[@]:0:$((i % 4))}")
  for v in $verbs; do
    for r in "${order[@]}"; do
      if [ "$r" = java ]; then
        [ "$v" = version ] && timed java:version "$java" -version
        continue
      fi
      [ -n "${avail[$r]:-}" ] || continue
      case $v in
        version) timed "$r:$v" cmd "$r" --version ;;
        state) [ -z "${failed[$r:state]:-}" ] && timed "$r:$v" cmd "$r" state long-$r ;;
        list) timed "$r:$v" cmd "$r" list ;;
        kill) [ -z "${failed[$r:kill]:-}" ] && timed "$r:$v" cmd "$r" kill long-$r CONT ;;
        delete) # a stopped container, made untimed
          id=d$i-$r
          if setup "$r" create --bundle "$work/short" "$id" && cmd "$r" start "$id" >/dev/null 2>&1 && wait_stopped "$r" "$id"; then
            timed "$r:$v" cmd "$r" delete "$id"
          else failed[$r:$v]="could not make a stopped container"; fi ;;
        create) # timed create; start, kill and delete untimed
          id=c$i-$r
          timed "$r:$v" cmd "$r" create --bundle "$work/long" "$id"
          setup "$r" delete -f "$id" || true ;;
        start) # create untimed, start timed
          id=s$i-$r
          if setup "$r" create --bundle "$work/long" "$id"; then
            timed "$r:$v" cmd "$r" start "$id"
          else failed[$r:$v]="could not create a container"; fi
          setup "$r" delete -f "$id" || true ;;
        run) # the whole life of a `true` container in one call
          id=r$i-$r
          timed "$r:$v" cmd "$r" run --bundle "$work/short" "$id"
          setup "$r" delete -f "$id" || true ;;
      esac
    done
  done
done

median() { tr ' ' '\n' | { grep . || true; } | sort -n | awk '{a[NR]=$1} END {if (NR == 0) print ""; else if (NR % 2) printf "%.1f", a[(NR+1)/2]; else printf "%.1f", (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2fx", a/b}' || echo "-"; }
jv=$(echo "${times[java:version]:-}" | median)
echo "isthmus: $isthmus"
echo "java: $java ($("$java" -version 2>&1 | head -1))"
echo "$rounds interleaved rounds, median wall ms; java -version: $jv ms"
printf '%-8s %9s %9s %9s %12s %12s %12s\n' verb isthmus runc crun "isthmus/java" "isthmus/runc" "isthmus/crun"
for v in $verbs; do
  row=()
  for r in isthmus runc crun; do
    m=$(echo "${times[$r:$v]:-}" | median)
    if [ -n "$m" ]; then row+=("$m"); elif [ -n "${failed[$r:$v]:-}" ]; then row+=("failed"); else row+=("-"); fi
  done
  num() { [[ $1 =~ ^[0-9.]+$ ]] && echo "$1" || echo ""; }
  printf '%-8s %9s %9s %9s %12s %12s %12s\n' "$v" "${row[0]}" "${row[1]}" "${row[2]}" \
    "$(ratio "$(num "${row[0]}")" "$jv")" "$(ratio "$(num "${row[0]}")" "$(num "${row[1]}")")" \
    "$(ratio "$(num "${row[0]}")" "$(num "${row[2]}")")"
done
for k in "${!failed[@]}"; do echo "failed: $k: ${failed[$k]}"; done | sort
