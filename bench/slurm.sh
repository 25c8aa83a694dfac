#!/usr/bin/env bash
# srun --container per step, isthmus against runc: a private one-node Slurm cluster on loopback
# (munged with a generated key, slurmctld and slurmd with private state, as SlurmIntegrationTest
# starts them), then N single-task steps `srun --container=BUNDLE true` per runtime, alternated
# step by step (oci.conf is rewritten between steps: slurmstepd reads it per step). Prints the
# median and mean per step and the ratio. Needs root, slurm-wlm, munge, runc, a static busybox.
#   bench/slurm.sh [-n STEPS] [--isthmus PATH]     (defaults: 100, bin/isthmus)
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
steps=100
isthmus=$top/bin/isthmus
while [ $# -gt 0 ]; do
  case $1 in
    -n) steps=$2; shift 2 ;;
    --isthmus) isthmus=$(readlink -f "$2"); shift 2 ;;
    *) echo "slurm.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "slurm.sh: needs root" >&2; exit 1; }
for t in munged slurmctld slurmd srun sinfo runc; do
  command -v $t >/dev/null || { echo "slurm.sh: needs $t (apt-get install slurm-wlm munge runc)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/isthmus-slurm.XXXXXX)
chmod 755 "$work"   # munged wants execute permission for all on its socket's directories
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/munge" "$work/ctld" "$work/d-n1" "$work/bundle/rootfs/bin" "$work/bundle/rootfs/proc" \
  "$work/bundle/rootfs/dev" "$work/bundle/rootfs/tmp" "$work/root-isthmus" "$work/root-runc"
chmod 711 "$work/munge"
head -c 1024 /dev/urandom > "$work/munge/munge.key"; chmod 400 "$work/munge/munge.key"
munged --foreground --key-file="$work/munge/munge.key" --socket="$work/munge/sock" \
  --pid-file="$work/munge/pid" --log-file="$work/munge/log" --seed-file="$work/munge/seed" >/dev/null 2>&1 &
pids+=($!)
cp /bin/busybox "$work/bundle/rootfs/bin/"; ln -s busybox "$work/bundle/rootfs/bin/true"; ln -s busybox "$work/bundle/rootfs/bin/sh"
(cd "$work/bundle" && runc spec)
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' "$work/bundle/config.json"
port=$((20000 + $$ % 20000))
host=$(hostname)
cat > "$work/slurm.conf" <<EOF
ClusterName=isthmusbench
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
AuthType=auth/munge
AuthInfo=socket=$work/munge/sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/ctld
SlurmdSpoolDir=$work/d-%n
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd-%n.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=5
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=n1 NodeHostname=$host NodeAddr=127.0.0.1 Port=$((port + 1)) CPUs=1 State=UNKNOWN
PartitionName=debug Nodes=n1 Default=YES MaxTime=INFINITE State=UP
EOF
for i in $(seq 50); do [ -S "$work/munge/sock" ] && break; sleep 0.1; done
export SLURM_CONF=$work/slurm.conf
slurmctld -D -f "$work/slurm.conf" >/dev/null 2>&1 & pids+=($!)
slurmd -D -N n1 -f "$work/slurm.conf" >/dev/null 2>&1 & pids+=($!)
for i in $(seq 100); do [ "$(sinfo -h -o '%t' 2>/dev/null)" = idle ] && break; sleep 0.2; done
[ "$(sinfo -h -o '%t')" = idle ] || { echo "slurm.sh: the node did not come up (see $work/*.log)" >&2; exit 1; }

oci() { # runtime command line -> oci.conf (the README's forms)
  cat > "$work/oci.conf" <<EOF
RunTimeQuery="$1 state %n.%u.%j.%s.%t"
RunTimeKill="$1 kill -a %n.%u.%j.%s.%t KILL"
RunTimeDelete="$1 delete --force %n.%u.%j.%s.%t"
RunTimeRun="exec $1 run -b %b %n.%u.%j.%s.%t"
EOF
}
declare -A times=()
fails=0
for ((i = 0; i < steps; i++)); do
  for r in isthmus runc; do
    if [ $r = isthmus ]; then oci "$isthmus --root $work/root-isthmus"; else oci "runc --root $work/root-runc"; fi
    t0=$EPOCHREALTIME
    srun -N1 -n1 --container="$work/bundle" true >/dev/null 2>&1 || fails=$((fails + 1))
    t1=$EPOCHREALTIME
    times[$r]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)*1000}') "
  done
done
stat() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1; s+=$1} END {printf "%.0f %.0f", a[int((NR+1)/2)], s/NR}'; }
read -r im ia <<< "$(echo "${times[isthmus]}" | stat)"
read -r rm ra <<< "$(echo "${times[runc]}" | stat)"
echo "isthmus: $isthmus"
echo "$steps single-task steps per runtime (srun -N1 -n1 --container=BUNDLE true), alternated; ms per step"
printf '%-8s %8s %8s\n' runtime median mean
printf '%-8s %8s %8s\n' isthmus "$im" "$ia" runc "$rm" "$ra"
awk -v a="$im" -v b="$rm" -v c="$ia" -v d="$ra" 'BEGIN {printf "isthmus/runc: %.2fx (median), %.2fx (mean)\n", a/b, c/d}'
echo "failed steps: $fails"
