#!/usr/bin/env bash
# Latency of KeelKV and Debian's redis-server side by side with the open-loop driver (bench LatencyDriver):
# fixed request rates at 25%, 50% and 75% of Redis's maximum (measured first, with redis-benchmark,
# 50 clients, 32 B values, pipeline 1), latency from the intended send time (coordinated omission
# corrected), HdrHistogram percentiles. Runs alternate KeelKV / Redis at each rate. Persistence off,
# both on loopback, 50 connections, 32-byte values, 80% GET / 20% SET over 100,000 keys.
#
#   bench/scripts/compare-latency.sh [seconds-per-run] [output-dir]
#
# Writes a markdown table to stdout, and latency.svg plus the .hgrm files to the output directory.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-10}"
outdir="${2:-$root/bench/results/latency-$(date +%Y-%m-%d)}"
mkdir -p "$outdir"
jar="$root/bench/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -DskipTests package >&2)
. "$root/bench/scripts/servers.sh"
start_servers 18000
for p in "$kp" "$rp"; do  # same dataset in both, and KeelKV's JIT warm
  redis-benchmark -p "$p" -c 50 -n 200000 -t set -r 100000 -d 32 -q > /dev/null 2>&1
done
max=$(redis-benchmark -p "$rp" -c 50 -n 300000 -t get -r 100000 -d 32 --csv -q 2>/dev/null | awk -F'"' 'NR==2 {printf "%d", $4}')
driver() { java -cp "$jar" io.keelkv.bench.LatencyDriver --port "$1" --rate "$2" --seconds "$seconds" --label "$3" --hgrm "$4"; }
echo "Redis maximum (redis-benchmark GET, P1): $max req/s; open-loop runs of ${seconds}s, 50 connections, 80% GET."
echo
echo "| load | server | achieved req/s | p50 µs | p99 µs | p99.9 µs | max µs |"
echo "|---|---|---:|---:|---:|---:|---:|"
plots=()
for pct in 25 50 75; do
  rate=$((max * pct / 100))
  for side in keelkv redis; do
    port=$kp; [ "$side" = redis ] && port=$rp
    line=$(driver "$port" "$rate" "$side" "$outdir/$side-$pct.hgrm")
    echo "$line" | awk -v pct="$pct" -v side="$side" '{
      for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      printf "| %s%% | %s | %s | %s | %s | %s | %s |\n", pct, side, v["achieved"], v["p50"], v["p99"], v["p99.9"], v["max"]
      if ($0 ~ /fell behind/) print "| | (driver fell behind: " $0 ") | | | | | |" }'
    plots+=("$side $pct%=$outdir/$side-$pct.hgrm")
  done
done
java -cp "$jar" io.keelkv.bench.PercentilePlot "$outdir/latency.svg" \
  "KeelKV (blue) vs redis-server (red): latency by percentile at 25/50/75% of Redis's max rate" "${plots[@]}"
echo
echo "Plot: $outdir/latency.svg"
