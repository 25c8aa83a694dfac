#!/usr/bin/env bash
# `podman run --rm IMG true` with isthmus as the OCI runtime against runc, alternated run by run,
# N runs each (default 50). IMG is a busybox image imported once from a static busybox. Prints
# median and mean per container and the ratio. podman's own options here: the rlimits this host
# allows (see ENVIRONMENT: podman's defaults exceed its hard limits, for runc too); anything in
# $PODMAN_ARGS is added to every run (e.g. PODMAN_ARGS="--network none").
#   bench/podman.sh [-n RUNS] [--isthmus PATH]     (defaults: 50, bin/isthmus)
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=50
isthmus=$top/bin/isthmus
while [ $# -gt 0 ]; do
  case $1 in
    -n) runs=$2; shift 2 ;;
    --isthmus) isthmus=$(readlink -f "$2"); shift 2 ;;
    *) echo "podman.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "podman.sh: needs root" >&2; exit 1; }
for t in podman runc; do command -v $t >/dev/null || { echo "podman.sh: needs $t" >&2; exit 1; }; done
img=localhost/isthmus-bench-busybox:latest
if ! podman image exists "$img"; then
  work=$(mktemp -d /tmp/isthmus-podman.XXXXXX)
  mkdir -p "$work/rootfs/bin"; cp /bin/busybox "$work/rootfs/bin/"
  for a in sh true; do ln -s busybox "$work/rootfs/bin/$a"; done
  tar -C "$work/rootfs" -c . | podman import - "$img" >/dev/null
  rm -rf "$work"
fi
runc=$(command -v runc)
declare -A times=()
fails=0
# shellcheck disable=SC2086
one() { podman --runtime "$1" run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 ${PODMAN_ARGS:-} "$img" true; }
one "$isthmus" >/dev/null 2>&1 || true; one "$runc" >/dev/null 2>&1 || true   # warm podman's own caches
for ((i = 0; i < runs; i++)); do
  for r in isthmus runc; do
    rt=$isthmus; [ $r = runc ] && rt=$runc
    t0=$EPOCHREALTIME
    one "$rt" >/dev/null 2>&1 || fails=$((fails + 1))
    t1=$EPOCHREALTIME
    times[$r]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)*1000}') "
  done
done
stat() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1; s+=$1} END {printf "%.0f %.0f", a[int((NR+1)/2)], s/NR}'; }
read -r im ia <<< "$(echo "${times[isthmus]}" | stat)"
read -r rm ra <<< "$(echo "${times[runc]}" | stat)"
echo "isthmus: $isthmus; podman $(podman --version | awk '{print $3}'); extra args: ${PODMAN_ARGS:-none}"
echo "$runs runs per runtime of podman run --rm IMG true, alternated; ms per container"
printf '%-8s %8s %8s\n' runtime median mean
printf '%-8s %8s %8s\n' isthmus "$im" "$ia" runc "$rm" "$ra"
awk -v a="$im" -v b="$rm" -v c="$ia" -v d="$ra" 'BEGIN {printf "isthmus/runc: %.2fx (median), %.2fx (mean)\n", a/b, c/d}'
echo "failed runs: $fails"
