#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for development and CI (issue 15; packages/core/docs/cluster.md,
# "A Slurm cluster on one machine (for development and CI)").
#
#   tools/slurm-cluster.sh start    install Slurm + munge if missing (root + apt), write the config, start the daemons,
#                                   wait for the node to be idle
#   tools/slurm-cluster.sh stop     stop exactly the daemons `start` started (by their pid files)
#   tools/slurm-cluster.sh status   exit 0 and print the node's state when the cluster answers, nonzero otherwise
#   tools/slurm-cluster.sh env      print the `export` lines that point Slurm's commands at this cluster
#                                   (use: eval "$(tools/slurm-cluster.sh env)")
#
# Everything lives under one folder, $UNGREEDY_SLURM_DIR (default /var/tmp/ungreedy-slurm): the config
# (etc/slurm.conf), the munge key and socket (munge/), pid files (run/), logs and the job completion file (log/),
# slurmctld's state (state/) and slurmd's spool (spool/). Nothing under /etc is written or read: Slurm's commands
# find the config through SLURM_CONF, and the daemons get it with -f.
#
# Exit codes: 0 done; 1 the cluster failed to start or stop (the daemons' log tails are printed); 2 usage;
# 3 unavailable here (not root, no apt-get, the install failed, a port is taken): one line says why, and callers such
# as .ci/run skip the Slurm tests.
set -uo pipefail

dir=${UNGREEDY_SLURM_DIR:-/var/tmp/ungreedy-slurm}
port=${UNGREEDY_SLURM_PORT:-6817} # slurmctld listens here, slurmd on port+1
conf=$dir/etc/slurm.conf
marker='# Written by ungreedy tools/slurm-cluster.sh'
# The daemons, in start order; each writes its own pid file under run/.
daemons=(munged slurmctld slurmd)

say() { echo "slurm-cluster: $*"; }
unavailable() { say "not started: $*"; exit 3; }

pid_of() { # <daemon>: prints the pid from its pid file when that process is alive and is that daemon
  local file=$dir/run/$1.pid pid
  [ -s "$file" ] || return 1
  pid=$(cat "$file")
  # A pid file left by a crash may name a pid that now belongs to another program: never touch that one.
  [[ $pid =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] && echo "$pid"
}

node_state() { # prints the node's state as sinfo reports it (idle, mixed, down*, ...)
  SLURM_CONF=$conf timeout 10 sinfo -h -o %T 2>/dev/null | head -n 1
}

log_tails() {
  local log
  for log in "$dir"/log/munged.log "$dir"/log/slurmctld.log "$dir"/log/slurmd.log; do
    [ -f "$log" ] || continue
    echo "---- last lines of $log"
    tail -n 15 "$log"
  done
}

ensure_installed() {
  local missing=() cmd
  for cmd in munged mungekey slurmctld slurmd sbatch sinfo squeue scontrol; do
    command -v "$cmd" >/dev/null || missing+=("$cmd")
  done
  [ "$(id -u)" = 0 ] || unavailable "not root (Slurm needs root to start slurmd)"
  [ ${#missing[@]} = 0 ] && return 0
  command -v apt-get >/dev/null || unavailable "Slurm is not installed (${missing[*]} missing) and there is no apt-get"
  say "installing slurmctld slurmd slurm-client munge with apt-get"
  local log=/tmp/ungreedy-slurm-apt.$$.log packages=(slurmctld slurmd slurm-client munge)
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >"$log" 2>&1; then
    # A fresh image may have no package lists yet.
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"; } >"$log" 2>&1; then
      local why
      why=$(grep -E '^(E|W):' "$log" | tail -n 1)
      rm -f "$log"
      unavailable "apt-get install of ${packages[*]} failed: ${why:-no error line from apt-get}"
    fi
  fi
  rm -f "$log"
}

port_taken() { # <port>: true when something listens on it
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

write_config() {
  local host cpus mem_mib margin
  host=$(hostname -s)
  cpus=$(nproc)
  mem_mib=$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024))
  # Leave the system a margin (5%, at least 256 MiB): a node that reports less memory than RealMemory is drained.
  margin=$((mem_mib / 20 > 256 ? mem_mib / 20 : 256))
  cat >"$conf.tmp" <<EOF
$marker: a single-node cluster for development and CI.
# Rewritten by every start; see packages/core/docs/cluster.md in the ungreedy repository.
ClusterName=ungreedy
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket.2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/slurmd
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
PlugStackConfig=$dir/etc/plugstack.conf
MpiDefault=none
# No cgroups: processes are tracked by their parent pids, tasks are not bound to cores.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# Cores are the unit of allocation, so one-cpu tasks run side by side on the node's cores.
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Short timeouts: a restarted daemon or a cancelled task is dealt with in seconds.
SlurmctldTimeout=10
SlurmdTimeout=30
KillWait=5
InactiveLimit=0
ReturnToService=2
# Finished jobs stay in slurmctld's memory (scontrol show job, squeue --states=all) for an hour.
MinJobAge=3600
# No slurmdbd: sacct has no database to ask. Finished jobs are appended to log/jobcomp.txt, one line each.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$((mem_mib - margin)) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$conf.tmp" "$conf"
  # An empty SPANK plugin stack, so the system's /etc/slurm/plugstack.conf (if any) is not read.
  : >"$dir/etc/plugstack.conf"
}

ensure_munge_key() {
  local key=$dir/munge/munge.key
  if [ ! -s "$key" ]; then
    mungekey --create --keyfile="$key" >/dev/null || { say "could not create the munge key $key"; exit 1; }
  fi
  # munged refuses a key that others can read.
  chown root:root "$key" && chmod 0400 "$key"
}

wait_for() { # <seconds> <test command...>: polls every half second
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

node_up() {
  case $(node_state) in
    idle | mixed | allocated | completing) return 0 ;;
  esac
  return 1
}

start_daemon() { # <daemon>
  local log=$dir/log/$1.log
  case $1 in
    munged)
      munged --socket="$dir/munge/munge.socket.2" --key-file="$dir/munge/munge.key" \
        --pid-file="$dir/run/munged.pid" --log-file="$log" --seed-file="$dir/munge/munged.seed" ;;
    # -i: start even if a state file from an earlier run cannot be read.
    slurmctld) slurmctld -i -f "$conf" ;;
    slurmd) slurmd -f "$conf" ;;
  esac
}

cmd_start() {
  # UNGREEDY_SLURM_DIR pointed at a real Slurm's folder: leave its config alone.
  if [ -e "$conf" ] && [[ $(head -n 1 "$conf") != "$marker"* ]]; then
    unavailable "$conf was not written by tools/slurm-cluster.sh (its first line is not '$marker'); set UNGREEDY_SLURM_DIR to a folder of its own"
  fi
  ensure_installed
  local running=() d
  for d in "${daemons[@]}"; do pid_of "$d" >/dev/null && running+=("$d"); done
  if [ ${#running[@]} = ${#daemons[@]} ] && node_up; then
    say "already running: node $(hostname -s) $(node_state); $(cmd_env)"
    return 0
  fi
  if ! pid_of slurmctld >/dev/null; then
    local p
    for p in "$port" $((port + 1)); do
      port_taken "$p" && unavailable "port $p is in use (another Slurm?); set UNGREEDY_SLURM_PORT to a free pair"
    done
  fi
  # munged checks that the folders above its socket, key and logs are not writable by others.
  mkdir -p "$dir"/{etc,munge,run,log,state,spool/slurmd}
  chmod 0755 "$dir" "$dir"/{etc,munge,run,log}
  chmod 0700 "$dir/state" "$dir/spool"
  ensure_munge_key
  # The config changes only while slurmctld is down, so a running cluster never sees a half-written one.
  pid_of slurmctld >/dev/null || write_config
  for d in "${daemons[@]}"; do
    pid_of "$d" >/dev/null && continue
    if ! start_daemon "$d" || ! wait_for 15 pid_of "$d" >/dev/null; then
      say "$d did not start"
      log_tails
      exit 1
    fi
  done
  if ! wait_for 60 node_up; then
    say "the node did not become idle within 60 s (sinfo says: $(node_state || true))"
    log_tails
    exit 1
  fi
  say "started: node $(hostname -s) $(node_state), $(nproc) cpus; $(cmd_env)"
}

cmd_stop() {
  local d pid pids=() names=()
  for d in slurmd slurmctld munged; do
    pid=$(pid_of "$d") || continue
    pids+=("$pid") names+=("$d")
  done
  if [ ${#pids[@]} = 0 ]; then
    say "not running"
    return 0
  fi
  # All at once: each takes about 2 s to exit, and none needs another to shut down.
  kill -TERM "${pids[@]}"
  for pid in "${pids[@]}"; do
    if ! wait_for 20 eval "! kill -0 $pid 2>/dev/null"; then
      say "pid $pid (one of ${names[*]}) did not exit within 20 s"
      exit 1
    fi
  done
  say "stopped ${names[*]}"
}

cmd_status() {
  local d missing=()
  for d in "${daemons[@]}"; do pid_of "$d" >/dev/null || missing+=("$d"); done
  if [ ${#missing[@]} != 0 ]; then
    say "down (${missing[*]} not running)"
    return 1
  fi
  if node_up; then
    say "up: node $(hostname -s) $(node_state)"
    return 0
  fi
  say "daemons running but the node is not usable (sinfo says: $(node_state || true))"
  return 1
}

cmd_env() {
  echo "export SLURM_CONF=$conf"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: tools/slurm-cluster.sh start|stop|status|env" >&2
    exit 2
    ;;
esac
