#!/usr/bin/env bash
# SET throughput with the AOF on, KeelKV beside Debian's redis-server in the same run and with the same
# fsync policy, as the AOF issue measures it: redis-benchmark SET, 50 connections, 32-byte values,
# -r 100000, at pipeline 1 and 16. Each policy (always, everysec) gets a fresh pair of servers, each in its
# own directory; KeelKV without the AOF is measured too (everysec must stay within 10% of it). Runs
# alternate between the servers for ROUNDS rounds; the table gives medians and the ratio to Redis, and
# KeelKV's group commit figures (syncs, bytes per sync) from INFO.
#
#   bench/scripts/compare-aof.sh [rounds] [requests]
#
# Needs redis-server and redis-benchmark (apt-get install -y redis-server redis-tools). The AOF files go
# under a temporary directory in /tmp: on this machine an ext4 disk, not tmpfs (an msync on tmpfs is free).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${1:-3}"
requests="${2:-200000}"
work="$(mktemp -d /tmp/keel-aof-bench.XXXXXX)"
ports=()
cleanup() {
  for p in "${ports[@]}"; do redis-cli -p "$p" shutdown nosave > /dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start() { # name kind port args... -> starts and waits for PING
  local name="$1" kind="$2" port="$3"
  shift 3
  mkdir -p "$work/$name"
  if [ "$kind" = keel ]; then
    (cd "$work/$name" && exec "$root/bin/keel-server" --port "$port" --bind 127.0.0.1 --save "" --dir "$work/$name" \
      "$@" > "$work/$name.log" 2>&1 &)
  else
    (cd "$work/$name" && exec redis-server --port "$port" --bind 127.0.0.1 --save "" --dir "$work/$name" \
      "$@" > "$work/$name.log" 2>&1 &)
  fi
  ports+=("$port")
  local _
  for _ in $(seq 1 600); do
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.2
  done
  echo "$name did not answer PING: $work/$name.log" >&2
  cat "$work/$name.log" >&2
  return 1
}

run() { # port pipeline -> rps
  redis-benchmark -p "$1" -c 50 -n "$requests" -P "$2" -t set -r 100000 -d 32 --csv -q 2>/dev/null |
    awk -F'"' 'NR==2 {print $4}'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

base=$((23000 + RANDOM % 800))
start keel-off keel "$base" --appendonly no
echo "| policy, pipeline | KeelKV req/s | Redis req/s | ratio | KeelKV without AOF | KeelKV syncs | bytes/sync |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for policy in always everysec; do
  if [ "$policy" = always ]; then kp=$((base + 1)); else kp=$((base + 3)); fi
  rp=$((kp + 1))
  start "keel-$policy" keel "$kp" --appendonly yes --appendfsync "$policy"
  start "redis-$policy" redis "$rp" --appendonly yes --appendfsync "$policy"
  # one untimed pass each, so that the JIT has compiled the path and both files are past their first growth
  redis-benchmark -p "$kp" -c 50 -n 50000 -P 16 -t set -r 100000 -d 32 -q > /dev/null 2>&1
  redis-benchmark -p "$rp" -c 50 -n 50000 -P 16 -t set -r 100000 -d 32 -q > /dev/null 2>&1
  redis-benchmark -p "$base" -c 50 -n 50000 -P 16 -t set -r 100000 -d 32 -q > /dev/null 2>&1
  for p in 1 16; do
    : > "$work/k"; : > "$work/r"; : > "$work/o"
    syncs0=$(redis-cli -p "$kp" info persistence | awk -F: '/^keelkv_aof_syncs:/ {print $2+0}')
    bytes0=$(redis-cli -p "$kp" info persistence | awk -F: '/^keelkv_aof_batch_avg_bytes:/ {print $2+0}')
    for _ in $(seq 1 "$rounds"); do
      run "$kp" "$p" >> "$work/k"
      run "$rp" "$p" >> "$work/r"
      run "$base" "$p" >> "$work/o"
    done
    syncs1=$(redis-cli -p "$kp" info persistence | awk -F: '/^keelkv_aof_syncs:/ {print $2+0}')
    bytes1=$(redis-cli -p "$kp" info persistence | awk -F: '/^keelkv_aof_batch_avg_bytes:/ {print $2+0}')
    k=$(median < "$work/k"); r=$(median < "$work/r"); o=$(median < "$work/o")
    printf '| %s P%s | %.0f | %.0f | %.2fx | %.0f (%.2fx) | %d | %d |\n' "$policy" "$p" "$k" "$r" \
      "$(awk -v a="$k" -v b="$r" 'BEGIN {print a / b}')" "$o" "$(awk -v a="$k" -v b="$o" 'BEGIN {print a / b}')" \
      "$((syncs1 - syncs0))" "$bytes1"
  done
  redis-cli -p "$kp" shutdown nosave > /dev/null 2>&1 || true
  redis-cli -p "$rp" shutdown nosave > /dev/null 2>&1 || true
done
echo
echo "redis-benchmark SET, 50 connections, 32 B values, -r 100000, $requests requests, median of $rounds alternating rounds;"
echo "AOF files in $(df -T /tmp | awk 'NR==2 {print $2}') under /tmp. bytes/sync: KeelKV's average over its life so far."
