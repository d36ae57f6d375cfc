#!/usr/bin/env bash
# Hosts for multi-host tests, on one machine: a "server" network namespace that
# exports a folder over sshfs (sshd with internal-sftp), and two "host"
# namespaces that each mount it with client caches off, all on a bridge whose
# address in the current namespace serves the mock Lightning and the npm
# registry. Nothing outside what it creates is touched: its own namespaces,
# bridge, veths, mounts and sshd, all named after DIR's id.
#
#   hosts.sh check        why the harness cannot run here (exit 3), or nothing (exit 0)
#   hosts.sh up DIR       builds it; prints the hosts as JSON (also in DIR/hosts.json)
#   hosts.sh down DIR     tears down whatever of it exists (safe to repeat)
set -euo pipefail

SSHD=/usr/sbin/sshd

check() {
  [ "$(id -u)" = 0 ] || { echo "needs root (network namespaces and FUSE mounts)"; return 3; }
  local tool
  for tool in ip nsenter unshare sshfs ssh-keygen fusermount faketime "$SSHD"; do
    command -v "$tool" > /dev/null || { echo "needs $tool (Debian packages: iproute2 util-linux sshfs openssh-server faketime)"; return 3; }
  done
  [ -c /dev/fuse ] || { echo "needs /dev/fuse"; return 3; }
  local probe="fhcheck$$"
  ip netns add "$probe" 2> /dev/null || { echo "cannot create network namespaces (ip netns add failed)"; return 3; }
  ip netns del "$probe"
}

# Every name derives from the id, so runs in parallel (a CI clone beside a
# session) never share a namespace, a bridge or a subnet.
names() {
  ID=$(cat "$1/id")
  NET="10.$((200 + ID / 250)).$((ID % 250)).0"
  PREFIX_IP="${NET%.0}"
  BRIDGE="fh${ID}br"
  NS_SERVER="fh${ID}-srv"
  NS_A="fh${ID}-a"
  NS_B="fh${ID}-b"
}

up() {
  local dir=$1
  mkdir -p "$dir"
  # 0..12499: bridge and veth names stay within the kernel's 15 characters.
  echo $(($$ % 12500)) > "$dir/id"
  names "$dir"
  trap 'down "$dir" > /dev/null 2>&1' ERR

  ip link add "$BRIDGE" type bridge
  ip addr add "$PREFIX_IP.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Bridged frames must not pass through the host's iptables rules.
  [ -w /proc/sys/net/bridge/bridge-nf-call-iptables ] && echo 0 > "/sys/class/net/$BRIDGE/bridge/nf_call_iptables"
  local n=2 ns
  for ns in "$NS_SERVER" "$NS_A" "$NS_B"; do
    ip netns add "$ns"
    ip link add "fh${ID}v$n" type veth peer name "fh${ID}p$n"
    ip link set "fh${ID}p$n" netns "$ns"
    ip link set "fh${ID}v$n" master "$BRIDGE" up
    ip -n "$ns" addr add "$PREFIX_IP.$n/24" dev "fh${ID}p$n"
    ip -n "$ns" link set "fh${ID}p$n" up
    ip -n "$ns" link set lo up
    n=$((n + 1))
  done

  mkdir -p "$dir/export" "$dir/mnt-a" "$dir/mnt-b" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key"
  cp "$dir/client_key.pub" "$dir/authorized_keys"
  cat > "$dir/sshd_config" << EOF
ListenAddress $PREFIX_IP.2
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
EOF
  ip netns exec "$NS_SERVER" "$SSHD" -f "$dir/sshd_config" -E "$dir/sshd.log"

  # Caches off: with sshfs defaults another host saw almost no heartbeats and
  # stale directory listings for up to 20 s.
  local options="IdentityFile=$dir/client_key,StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,BatchMode=yes"
  options="$options,dir_cache=no,attr_timeout=0,entry_timeout=0,negative_timeout=0"
  local host mounted
  for host in a b; do
    ns="fh${ID}-$host"
    mounted=
    for _ in $(seq 1 50); do
      if nsenter --net="/run/netns/$ns" sshfs -o "$options" "root@$PREFIX_IP.2:$dir/export" "$dir/mnt-$host" 2>> "$dir/sshfs.log"; then
        mounted=1
        break
      fi
      sleep 0.2 # sshd is still starting: nothing to wait on but its port
    done
    [ -n "$mounted" ] || { echo "sshfs mount for host $host failed:" >&2; cat "$dir/sshfs.log" >&2; return 1; }
  done

  cat > "$dir/hosts.json" << EOF
{
  "bridgeAddress": "$PREFIX_IP.1",
  "serverAddress": "$PREFIX_IP.2",
  "export": "$dir/export",
  "hosts": [
    { "name": "host-a", "netns": "/run/netns/$NS_A", "address": "$PREFIX_IP.3", "mount": "$dir/mnt-a" },
    { "name": "host-b", "netns": "/run/netns/$NS_B", "address": "$PREFIX_IP.4", "mount": "$dir/mnt-b" }
  ]
}
EOF
  trap - ERR
  cat "$dir/hosts.json"
}

down() {
  local dir=$1
  [ -f "$dir/id" ] || return 0
  names "$dir"
  local host
  for host in a b; do
    if mountpoint -q "$dir/mnt-$host"; then fusermount -u -z "$dir/mnt-$host" || umount -l "$dir/mnt-$host" || true; fi
  done
  if [ -f "$dir/sshd.pid" ]; then kill "$(cat "$dir/sshd.pid")" 2> /dev/null || true; fi
  local ns
  for ns in "$NS_SERVER" "$NS_A" "$NS_B"; do
    if [ -e "/run/netns/$ns" ]; then
      # Processes left in a namespace would keep its veth alive.
      ip netns pids "$ns" 2> /dev/null | xargs -r kill -9 2> /dev/null || true
      ip netns del "$ns" || true
    fi
  done
  ip link del "$BRIDGE" 2> /dev/null || true
  rm -f "$dir/id"
}

case "${1:-}" in
  check) check ;;
  up) up "${2:?usage: hosts.sh up DIR}" ;;
  down) down "${2:?usage: hosts.sh down DIR}" ;;
  *)
    echo "usage: hosts.sh check | up DIR | down DIR" >&2
    exit 2
    ;;
esac
