#!/usr/bin/env bash
# A throw-away single-node SLURM for testing profiles/slurm (Debian slurm-wlm + munge).
#
#   bash scripts/slurm.sh start DIR   # install if needed, write DIR/slurm.conf, start daemons
#   bash scripts/slurm.sh stop DIR    # stop exactly the daemons started (by their PID files)
#
# Needs root. NodeName must be this host's short name and RealMemory at most its memory, so
# slurm.conf is generated here rather than shipped. No cgroups (proctrack/linuxproc), no
# accounting database. The config is also installed at /etc/slurm/slurm.conf (only if no other
# config is there), because the Snakemake SLURM plugin deletes every SLURM_* variable, SLURM_CONF
# included, inside its jobs, so their `srun` only finds the default path. `stop` removes it.
set -euo pipefail
action=${1:?usage: slurm.sh start|stop DIR}
dir=$(realpath -m "${2:?usage: slurm.sh start|stop DIR}")

MARKER="# vsc-bench test cluster (scripts/slurm.sh)"
SYSTEM_CONF=/etc/slurm/slurm.conf

stop() {
  if [ -f "$SYSTEM_CONF" ] && head -1 "$SYSTEM_CONF" | grep -qF "$MARKER"; then
    rm -f "$SYSTEM_CONF"
  fi
  for name in slurmd slurmctld munged; do
    pidfile="$dir/$name.pid"
    if [ -s "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    fi
  done
}

if [ "$action" = stop ]; then
  stop
  exit 0
fi
[ "$action" = start ] || { echo "usage: slurm.sh start|stop DIR" >&2; exit 2; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"
chmod 755 "$dir"  # munged runs as user munge and keeps its PID file below it
host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
cat > "$dir/slurm.conf" <<CONF
$MARKER
ClusterName=vsc-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

if [ -f "$SYSTEM_CONF" ] && ! head -1 "$SYSTEM_CONF" | grep -qF "$MARKER"; then
  echo "$SYSTEM_CONF exists and is not ours: not starting a test cluster over it" >&2
  exit 1
fi
mkdir -p "$(dirname "$SYSTEM_CONF")"
cp "$dir/slurm.conf" "$SYSTEM_CONF"

# munge: a key, a socket folder owned by munge, the daemon run as munge.
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --keyfile /etc/munge/munge.key 2>/dev/null ||
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge && chown munge:munge /run/munge "$dir/munge"
runuser -u munge -- /usr/sbin/munged --pid-file="$dir/munge/munged.pid" --force
for _ in $(seq 50); do [ -s "$dir/munge/munged.pid" ] && break; sleep 0.1; done
cp "$dir/munge/munged.pid" "$dir/munged.pid"

export SLURM_CONF="$dir/slurm.conf"
/usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "single-node SLURM up on $host ($cpus CPUs, ${mem_mb} MB); SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.2
done
echo "SLURM did not come up; logs in $dir/log" >&2
sinfo >&2 || true
stop
exit 1
