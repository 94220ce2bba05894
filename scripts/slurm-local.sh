#!/usr/bin/env bash
# A real, single-node Slurm on loopback for tests and for trying `wrpn sweep --backend slurm` on one
# machine: Debian's slurm-wlm (22.05) and munge, one node "localhost" with this machine's CPUs and
# memory, one partition "debug". No cgroups (works in containers): proctrack/linuxproc, task/none.
#
#   scripts/slurm-local.sh start    install (idempotent, apt-get) and start munged, slurmctld, slurmd;
#                                   waits until sinfo shows the node idle. Reuses a running instance.
#   scripts/slurm-local.sh stop     stops the three daemons (by their pid files)
#   scripts/slurm-local.sh status   prints sinfo/squeue, exit 0 when the node is up
#   scripts/slurm-local.sh env      prints `export SLURM_CONF=...` (eval it before sbatch/squeue/wrpn)
#
# State (config, munge key and socket, pid files, logs, spool) lives in $WRPN_SLURM_DIR
# (default /tmp/wrpn-slurm). Clients find this cluster through SLURM_CONF=$WRPN_SLURM_DIR/slurm.conf;
# nothing under /etc is changed. Needs root (the daemons run as root, like a throw-away test node).
set -euo pipefail

state=${WRPN_SLURM_DIR:-/tmp/wrpn-slurm}
conf=$state/slurm.conf
export SLURM_CONF=$conf

log() { echo "slurm-local: $*" >&2; }

install_packages() {
  local missing=()
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "missing packages (${missing[*]}) and not root; install them as root"
    exit 2
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
}

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

node_idle() { sinfo -h -N -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; }

write_config() {
  # CPUs and memory as slurmd itself detects them (a node claiming more is drained as invalid).
  local detected cpus mem
  detected=$(slurmd -C 2>/dev/null | head -1)
  cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$detected")
  mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$detected")
  [[ -n $cpus ]] || cpus=$(nproc)
  [[ -n $mem ]] || mem=1024
  cat >"$conf.tmp" <<EOF
# Written by scripts/slurm-local.sh: a single-node test cluster on loopback.
ClusterName=wrpn-local
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
AuthInfo=socket=$state/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# Finished jobs stay visible to squeue for 10 minutes (wrpn sweep status reads their final state).
MinJobAge=600
# Seconds between SIGTERM and SIGKILL when a task is cancelled: time for workers to note it.
KillWait=10
SchedulerParameters=sched_interval=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$conf.tmp" "$conf"
}

start() {
  install_packages
  if alive "$state/slurmctld.pid" && alive "$state/slurmd.pid" && alive "$state/munged.pid" && node_idle; then
    log "already running ($conf)"
    return 0
  fi
  stop_daemons quiet
  mkdir -p "$state"/{munge,ctld,spool,log}
  chmod 700 "$state" "$state/munge"
  write_config
  if [[ ! -s $state/munge/munge.key ]]; then
    dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$state/munge/munge.key"
  fi
  munged --force --key-file="$state/munge/munge.key" --socket="$state/munge/munge.socket" \
    --pid-file="$state/munged.pid" --log-file="$state/log/munged.log" --seed-file="$state/munge/munge.seed"
  slurmctld -f "$conf"
  slurmd -f "$conf" -N localhost
  local i
  for i in $(seq 1 60); do
    if node_idle; then
      log "up: $(sinfo -h -N -o '%N %t %c CPUs %m MB') (SLURM_CONF=$conf)"
      return 0
    fi
    # A node left down by an earlier run is brought back.
    if ((i == 10)); then scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true; fi
    sleep 1
  done
  log "node did not become idle within 60 s; logs in $state/log"
  sinfo -N -l >&2 || true
  tail -n 20 "$state/log/slurmctld.log" "$state/log/slurmd.log" >&2 || true
  exit 1
}

stop_daemons() {
  local name pid
  for name in slurmd slurmctld munged; do
    if alive "$state/$name.pid"; then
      pid=$(cat "$state/$name.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      [[ ${1:-} == quiet ]] || log "stopped $name ($pid)"
    fi
    rm -f "$state/$name.pid"
  done
}

case ${1:-} in
  start) start ;;
  stop) stop_daemons ;;
  status)
    # Pid files first: sinfo without a controller retries for a long time.
    for name in munged slurmctld slurmd; do
      alive "$state/$name.pid" || { echo "slurm-local: $name is not running" >&2; exit 1; }
    done
    sinfo -N -l && squeue
    node_idle
    ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
