#!/usr/bin/env bash
# Side-by-side throughput of KeelKV and Debian's redis-server with redis-benchmark, as the issue measures
# it: 50 clients, 32-byte values, -r 100000, persistence off, both on loopback, runs alternating
# (K R K R ...) for ROUNDS rounds; prints the median of each and the ratio as a markdown table.
#
#   bench/scripts/compare-throughput.sh [rounds] [requests]
#
# Needs redis-server and redis-benchmark (apt-get install -y redis-server redis-tools).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${1:-3}"
requests="${2:-300000}"
. "$root/bench/scripts/servers.sh"
start_servers 17000

# one untimed pass to let the JIT compile the hot path, as any long-running server would be
redis-benchmark -p "$kp" -c 50 -n 200000 -P 16 -t set,get -r 100000 -d 32 -q > /dev/null 2>&1

run() { # port test pipeline -> "rps p99"
  redis-benchmark -p "$1" -c 50 -n "$requests" -P "$3" -t "$2" -r 100000 -d 32 --csv -q 2>/dev/null |
    awk -F'"' 'NR==2 {print $4, $14}'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "| row | KeelKV req/s | Redis req/s | ratio | KeelKV p99 ms | Redis p99 ms |"
echo "|---|---:|---:|---:|---:|---:|"
for p in 1 16; do
  for t in set get; do
    : > "$work/k"; : > "$work/r"
    for _ in $(seq 1 "$rounds"); do
      run "$kp" "$t" "$p" >> "$work/k"
      run "$rp" "$t" "$p" >> "$work/r"
    done
    k=$(cut -d' ' -f1 "$work/k" | median); r=$(cut -d' ' -f1 "$work/r" | median)
    k99=$(cut -d' ' -f2 "$work/k" | median); r99=$(cut -d' ' -f2 "$work/r" | median)
    printf '| %s P%s | %.0f | %.0f | %.2fx | %s | %s |\n' "${t^^}" "$p" "$k" "$r" \
      "$(awk -v a="$k" -v b="$r" 'BEGIN {print a / b}')" "$k99" "$r99"
  done
done
