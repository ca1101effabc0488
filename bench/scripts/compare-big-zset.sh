#!/usr/bin/env bash
# Commands on one big sorted set, KeelKV beside Debian's redis-server in the same run: a set of N members
# (m:<12 digits>, score = the number; the skiplist encoding in both) is loaded through redis-cli --pipe, then
# redis-benchmark runs each row (50 connections, pipeline 1, -r N, so __rand_int__ names a member or a score
# in the set), alternating the servers. Prints rps and p50 / p99 / max latency (ms) per row:
#   - ZADD of a random member with a random score (mostly a score update: a delete and an insert in the tree);
#   - ZSCORE of a random member (the member dict);
#   - ZRANK of a random member (a descent by (score, member), counting the ranks before it);
#   - ZRANGEBYSCORE from a random score, LIMIT 0 10 (a descent, then a walk of ten);
#   - ZREVRANGEBYSCORE from a random score down, LIMIT 0 10 (the same, walking backwards).
#
#   bench/scripts/compare-big-zset.sh [members] [requests]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
members="${1:-1000000}"
requests="${2:-200000}"
. "$root/bench/scripts/servers.sh"
start_servers 17500
for port in "$kp" "$rp"; do
  awk -v n="$members" 'BEGIN { for (i = 0; i < n; i++) { v = sprintf("%d", i);
    printf "*4\r\n$4\r\nZADD\r\n$4\r\nbigz\r\n$%d\r\n%s\r\n$14\r\nm:%012d\r\n", length(v), v, i } }' |
    redis-cli -p "$port" --pipe > /dev/null
done
echo "sorted set of $(redis-cli -p "$kp" zcard bigz) members: KeelKV $(redis-cli -p "$kp" object encoding bigz), Redis $(redis-cli -p "$rp" object encoding bigz)"
declare -A rows=(
  [zadd]="ZADD bigz __rand_int__ m:__rand_int__"
  [zscore]="ZSCORE bigz m:__rand_int__"
  [zrank]="ZRANK bigz m:__rand_int__"
  [zrangebyscore]="ZRANGEBYSCORE bigz __rand_int__ +inf LIMIT 0 10"
  [zrevrangebyscore]="ZREVRANGEBYSCORE bigz __rand_int__ -inf LIMIT 0 10"
)
echo "| command | KeelKV rps | KeelKV p50 / p99 / max | Redis rps | Redis p50 / p99 / max |"
echo "|---|---:|---|---:|---|"
for row in zadd zscore zrank zrangebyscore zrevrangebyscore; do
  # shellcheck disable=SC2086
  k=$(redis-benchmark -p "$kp" -c 50 -n "$requests" -r "$members" --csv ${rows[$row]} 2>/dev/null | tail -1)
  # shellcheck disable=SC2086
  r=$(redis-benchmark -p "$rp" -c 50 -n "$requests" -r "$members" --csv ${rows[$row]} 2>/dev/null | tail -1)
  echo "$k" "$r" | awk -F'"' -v row="$row" '{ printf "| %s | %s | %s / %s / %s | %s | %s / %s / %s |\n", row, $4, $10, $14, $16, $20, $26, $30, $32 }'
done
