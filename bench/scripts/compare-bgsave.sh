#!/usr/bin/env bash
# Tail latency and memory during a background save, KeelKV beside Debian's redis-server in the same run.
#
#   bench/scripts/compare-bgsave.sh [keys] [requests-per-client]
#
# For each server, one after the other (the other one idle and empty): load `keys` keys with redis-benchmark's
# key pattern (key:%012d, 32-byte values, through redis-cli --pipe), then run redis-benchmark GET and SET at
# the same time (10 connections each, -r keys, pipeline 1), twice: once without a save (the baseline), once
# with a BGSAVE issued 2 s into the run. Reports p50/p99/max of both from redis-benchmark, the BGSAVE's
# duration, and the proportional set size (PSS) of the server's whole process tree (Redis's forked child
# included) sampled every 50 ms: before the run and its peak. Defaults: 3,000,000 keys, 400,000 requests.
#
# With SAVE_COMMAND=bgrewriteaof the same run measures an AOF rewrite instead: both servers start with
# appendonly yes (appendfsync everysec, their default base format) and BGREWRITEAOF is issued at 2 s.
#
# With PSS=0 the PSS is not sampled: reading /proc/<pid>/smaps_rollup walks the process's page tables under its
# mmap lock, and a server thread that maps or unmaps memory meanwhile waits for the walk (Redis's forked child
# has its own lock, so the sampling weighs on KeelKV alone). The latency columns of such a run are the fair ones.
#
# With SCHED_PROBE=1 (needs perf and root), `perf sched record` runs for 1.5 s from the save's start, and the
# table gets the server thread's worst scheduling delay in that window (wakeup or preemption to running, from
# `perf sched latency`): the event loop's for KeelKV, the main thread's for Redis. A request can wait that
# long for the thread that serves it to get a core, whatever the save does.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
keys="${1:-3000000}"
requests="${2:-400000}"
save_command="${SAVE_COMMAND:-bgsave}"
in_progress=rdb_bgsave_in_progress
server_args=()
if [ "$save_command" = bgrewriteaof ]; then
  in_progress=aof_rewrite_in_progress
  server_args=(--appendonly yes --appendfsync everysec)
fi
. "$root/bench/scripts/servers.sh"
start_servers 19000 "${server_args[@]}"

pss_tree() { # pid -> PSS in KiB of it and its children
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

server_pid() { # port -> pid
  redis-cli -p "$1" info server | awk -F: '/^process_id:/ {print $2}' | tr -d '\r'
}

load() { # port
  redis-cli -p "$1" flushall > /dev/null
  awk -v n="$keys" 'BEGIN { v = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"; for (i = 0; i < n; i++)
    printf "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$32\r\n%s\r\n", i, v }' | redis-cli -p "$1" --pipe > /dev/null
}

run() { # port label save
  local port="$1" label="$2" save="$3" pid before peak=0 now t0 t1 saved=""
  pid=$(server_pid "$port")
  sleep 1
  before=$(pss_tree "$pid")
  redis-benchmark -p "$port" -t get -n "$requests" -c 10 -r "$keys" -d 32 --csv 2>/dev/null | tail -1 > "$work/get.csv" &
  local bget=$!
  redis-benchmark -p "$port" -t set -n "$requests" -c 10 -r "$keys" -d 32 --csv 2>/dev/null | tail -1 > "$work/set.csv" &
  local bset=$!
  t0=$(date +%s%N)
  while kill -0 "$bget" 2>/dev/null || kill -0 "$bset" 2>/dev/null; do
    if [ "${PSS:-1}" = 1 ]; then now=$(pss_tree "$pid"); [ "$now" -gt "$peak" ] && peak=$now; fi
    if [ "$save" = yes ] && [ -z "$saved" ] && [ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 2000 ]; then
      redis-cli -p "$port" "$save_command" > /dev/null; saved=started; t1=$(date +%s%N)
      if [ "${SCHED_PROBE:-}" = 1 ]; then
        perf sched record -q -o "$work/sched.data" -- sleep 1.5 > /dev/null 2>&1 &
      fi
    fi
    if [ "$saved" = started ] && redis-cli -p "$port" info persistence | grep -q "^$in_progress:0"; then
      saved="$(( ($(date +%s%N) - t1) / 1000000 )) ms"
    fi
    sleep 0.05
  done
  wait "$bget" "$bset" || true
  wait
  [ "$saved" = started ] && saved="still running at the end"
  if [ "${SCHED_PROBE:-}" = 1 ] && [ -f "$work/sched.data" ]; then
    # the thread that serves requests: KeelKV's event loop, Redis's main thread (its pid)
    local tid="$pid" name=main
    if [ "$port" = "$kp" ]; then
      tid=$(grep -l '^keel-event-loop$' /proc/"$pid"/task/*/comm | head -1 | cut -d/ -f5); name=loop
    fi
    local delay
    delay=$(perf sched latency -p -i "$work/sched.data" 2>/dev/null |
      awk -v t=":$tid" '$1 ~ t "$" { for (i = 1; i <= NF; i++) if ($i == "max:") print $(i + 1) " ms" }' || true)
    saved="$saved; $name max delay ${delay:-none}"
    rm -f "$work/sched.data"
  fi
  awk -F'"' -v label="$label" -v before="$before" -v peak="$peak" -v saved="${saved:--}" '
    FNR == 1 { f++; p50[f] = $10; p99[f] = $14; max[f] = $16; rps[f] = $4 }
    END { printf "| %s | %.0f | %s / %s / %s | %.0f | %s / %s / %s | %s | %.0f | %.0f | %.0f |\n", label,
      rps[1], p50[1], p99[1], max[1], rps[2], p50[2], p99[2], max[2], saved, before / 1024, peak / 1024,
      (peak - before) / 1024 }' "$work/get.csv" "$work/set.csv"
}

echo "$keys keys (key:%012d, 32 B values); redis-benchmark GET and SET at once, 10 connections each, -r $keys, $requests requests each."
echo "Latencies in ms (p50 / p99 / max, from redis-benchmark); PSS of the process tree in MiB."
echo
echo "| server, run | GET rps | GET p50 / p99 / max | SET rps | SET p50 / p99 / max | ${save_command^^} took | PSS before | PSS peak | peak - before |"
echo "|---|---:|---|---:|---|---|---:|---:|---:|"
for side in keelkv redis; do
  port=$kp; [ "$side" = redis ] && port=$rp
  load "$port"
  run "$port" "$side, no save" no
  run "$port" "$side, ${save_command^^} at 2 s" yes
  redis-cli -p "$port" flushall > /dev/null
done
