#!/usr/bin/env bash
# Does deleting a big collection stall other clients? KeelKV beside Debian's redis-server (its defaults:
# lazyfree-lazy-user-del no, so DEL frees at once): a hash of 1M fields (KIND=zset: a sorted set of 1M members,
# the skiplist encoding) is loaded, then redis-benchmark GET
# (10 connections) runs twice on each server, the second time with DEL of the hash one second in. Prints
# rps, p50, p99 and max latency (ms) of each run, and the DEL's own time seen by redis-cli (its start included).
#
#   bench/scripts/compare-collection-delete.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
. "$root/bench/scripts/servers.sh"
start_servers 19500
for name in keelkv redis; do
  port=$kp; [ "$name" = redis ] && port=$rp
  redis-cli -p "$port" set k v > /dev/null
  if [ "${KIND:-hash}" = zset ]; then
    awk 'BEGIN { for (i = 0; i < 1000000; i++) { v = sprintf("%d", i * 3);
      printf "*4\r\n$4\r\nZADD\r\n$3\r\nbig\r\n$%d\r\n%s\r\n$9\r\nm:%07d\r\n", length(v), v, i } }' |
      redis-cli -p "$port" --pipe > /dev/null
  else
    awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "*4\r\n$4\r\nHSET\r\n$3\r\nbig\r\n$9\r\nf:%07d\r\n$16\r\nvvvvvvvvvvvvvvvv\r\n", i }' |
      redis-cli -p "$port" --pipe > /dev/null
  fi
  for run in nodel del; do
    redis-benchmark -p "$port" -c 10 -n 300000 -t get -r 1 --csv 2>/dev/null | tail -1 > "$work/b.csv" &
    b=$!
    sleep 1
    t=""
    if [ "$run" = del ]; then
      s=$(date +%s%N); redis-cli -p "$port" del big > /dev/null; t=" DEL took $(( ($(date +%s%N) - s) / 1000 )) us"
    fi
    wait $b
    echo "$name $run: $(awk -F'"' '{print "rps " $4 " p50 " $10 " p99 " $14 " max " $16}' "$work/b.csv")$t"
  done
done
