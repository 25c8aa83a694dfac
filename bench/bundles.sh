#!/usr/bin/env bash
# Makes the two bundles the many-task benchmarks use (issue 18), from the host's static busybox:
#
#   bench/bundles.sh DIR      ->  DIR/minimal, DIR/realistic (one shared read-only rootfs, DIR/rootfs)
#
# minimal:   pid+mount+ipc+uts namespaces, read-only root, /proc; no masks, no device rule.
# realistic: `isthmus spec` as written (7 mounts, 10 masked and 5 read-only paths, the deny-all
#            device rule, 3 capabilities, RLIMIT_NOFILE, no_new_privs, pid+network+ipc+uts+mount),
#            with terminal off and args ["/bin/true"].
# The rootfs also holds what ch-run binds at start (/etc/passwd, /etc/group, /home, ...), so
# ch-run runs the same rootfs.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
[ $# = 1 ] || { echo "usage: bench/bundles.sh DIR" >&2; exit 2; }
dir=$(mkdir -p "$1" && cd "$1" && pwd)
[ -x /bin/busybox ] && ! grep -q /lib64/ld-linux /bin/busybox ||
  { echo "bundles.sh: needs a static /bin/busybox (apt-get install busybox-static)" >&2; exit 1; }
rootfs=$dir/rootfs
rm -rf "$rootfs"
mkdir -p "$rootfs"/{bin,proc,dev,sys,tmp,etc,home,mnt,run,var/tmp}
cp /bin/busybox "$rootfs/bin/"
for a in sh true sleep cat ls; do ln -s busybox "$rootfs/bin/$a"; done
touch "$rootfs"/etc/{passwd,group,hosts,resolv.conf}
mkdir -p "$dir/minimal" "$dir/realistic"
cat > "$dir/minimal/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["/bin/true"],
              "env": ["PATH=/bin"], "cwd": "/"},
  "root": {"path": "$rootfs", "readonly": true},
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
  "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]}
}
JSON
(cd "$dir/realistic" && rm -f config.json && "$top/bin/isthmus" spec)
sed -i 's/"terminal": true/"terminal": false/; s|^\(\s*\)"sh"$|\1"/bin/true"|; s|"path": "rootfs"|"path": "'"$rootfs"'"|' \
  "$dir/realistic/config.json"
grep -q '"/bin/true"' "$dir/realistic/config.json" || { echo "bundles.sh: isthmus spec's args changed" >&2; exit 1; }
echo "$dir/minimal $dir/realistic"
