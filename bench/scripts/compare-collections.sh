#!/usr/bin/env bash
# Collection command throughput of KeelKV beside Debian's redis-server: redis-benchmark, 50 clients, -r 100000,
# runs alternating (K R K R ...) for ROUNDS rounds, pipeline 1 and 16; prints the median of each and the ratio.
#
#   bench/scripts/compare-collections.sh [rounds] [requests]
#
# The hset/hget/hincrby/hgetall rows use many small hashes h:<12 digits> (listpacks); the `-t` rows are
# redis-benchmark's own tests: `hset` writes every field into one hash (myhash) until it holds -r fields (a
# hashtable), `sadd` likewise into one set (myset, a hashtable), and `spop` pops from that set; the list rows
# push to and pop from one list (mylist), and lrange_N reads its first N elements; `zadd` adds random members
# to one sorted set (myzset, the skiplist encoding once past 128 members) and `zpopmin` pops from it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${1:-3}"
requests="${2:-200000}"
. "$root/bench/scripts/servers.sh"
start_servers 18000

declare -A commands=(
  [hset]="HSET h:__rand_int__ name alice city paris"
  [hget]="HGET h:__rand_int__ name"
  [hincrby]="HINCRBY h:__rand_int__ visits 1"
  [hgetall]="HGETALL h:__rand_int__"
  [hset-one-big-hash]="-t hset"
  [sadd-one-big-set]="-t sadd"
  [spop]="-t spop"
  [lpush]="-t lpush"
  [rpush]="-t rpush"
  [lpop]="-t lpop"
  [rpop]="-t rpop"
  [lrange_100]="-t lrange_100"
  [lrange_300]="-t lrange_300"
  [lrange_600]="-t lrange_600"
  [zadd]="-t zadd"
  [zpopmin]="-t zpopmin"
)
order=(hset hget hincrby hgetall hset-one-big-hash sadd-one-big-set spop lpush rpush lpop rpop lrange_100 lrange_300 lrange_600
  zadd zpopmin)
# ROWS="lpush lrange_600" runs only those rows
if [ -n "${ROWS:-}" ]; then read -r -a order <<< "$ROWS"; fi

# warm-up: the JIT compiles the hot path, and every key exists for the reads
for p in "$kp" "$rp"; do
  redis-benchmark -p "$p" -c 50 -n 300000 -P 16 -r 100000 -q ${commands[hset]} > /dev/null 2>&1
done

run() { # port pipeline command... -> rps of the last test redis-benchmark ran (lrange_N first fills the list)
  local port="$1" pipeline="$2"
  shift 2
  redis-benchmark -p "$port" -c 50 -n "$requests" -P "$pipeline" -r 100000 --csv "$@" 2>/dev/null |
    awk -F'"' 'NR > 1 {rps = $4} END {print rps}'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "| command | pipeline | KeelKV req/s | Redis req/s | ratio |"
echo "|---|---:|---:|---:|---:|"
for p in 1 16; do
  for t in "${order[@]}"; do
    : > "$work/k"; : > "$work/r"
    for _ in $(seq 1 "$rounds"); do
      run "$kp" "$p" ${commands[$t]} >> "$work/k"
      run "$rp" "$p" ${commands[$t]} >> "$work/r"
    done
    k=$(median < "$work/k"); r=$(median < "$work/r")
    echo "| $t | $p | $k | $r | $(awk -v k="$k" -v r="$r" 'BEGIN { printf "%.2f", k / r }') |"
  done
done
