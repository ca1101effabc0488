#!/usr/bin/env bash
# KeelKV beside Debian's redis-server: every row, one command.
#
#   bench/scripts/compare.sh [rounds] [latency-seconds]      (defaults: 3 rounds, 5 s per latency run)
#
# Builds KeelKV, starts it and redis-server on random loopback ports with the same settings (persistence
# off: --save "" --appendonly no), and runs each workload against each server in turn, alternating
# K R K R ... for [rounds] rounds. Per row it reports the median of each server and the ratio
# KeelKV / Redis: for throughput (higher is better) and for p50, p99, p99.9 and max latency (lower is
# better).
#
# Throughput rows (redis-benchmark, 50 connections in all, keys from -r 100000):
#   SET, GET, and MIX = 80% GET / 20% SET; pipeline 1 and 16; values of 32 B and 1 KiB.
#   redis-benchmark runs one command per process, so MIX is two processes at once: 40 connections of
#   GET and 10 of SET, with 80% and 20% of the requests; its throughput is all requests over the longer
#   of the two elapsed times, its latency percentiles the worse of the two processes'.
#   Latencies come from redis-benchmark's own histogram: p50, p99 and max from its summary, p99.9 from
#   its percentile distribution (the first step at or above 99.9%, so a slight overestimate for both).
# Memory row: bench/scripts/compare-memory.sh on fresh servers (RSS from /proc and INFO used_memory after
#   DEBUG POPULATE of KEEL_MEMORY_KEYS keys, default 10M, with 32-byte values).
# Latency rows (bench LatencyDriver: open-loop, fixed rate, latency from each request's intended send time,
# so coordinated omission is corrected; HdrHistogram): 50 connections, 32 B, GET-only, SET-only and
# MIX 80/20, at 25%, 50% and 75% of Redis's maximum GET rate measured first with redis-benchmark.
#
# Output: markdown on stdout, and everything (tables, raw runs, .hgrm files, latency.svg) in
# bench/results/compare-<date>/ (or $KEEL_RESULTS_DIR). Needs redis-server, redis-tools, python3, mvn.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${1:-3}"
lat_seconds="${2:-5}"
stamp="$(date +%Y-%m-%d)"
out="${KEEL_RESULTS_DIR:-$root/bench/results/compare-$stamp}"
mkdir -p "$out"
raw="$out/raw"
rm -rf "$raw"; mkdir -p "$raw"

(cd "$root" && mvn -q -o -DskipTests package > /dev/null 2>&1 || mvn -q -DskipTests package >&2)
jar="$root/bench/target/benchmarks.jar"

. "$root/bench/scripts/servers.sh"
start_servers 20000

java_version="$(java -version 2>&1 | head -1)"
redis_version="$(redis-server --version | awk '{print $3}' | sed 's/v=//')"
header="$(cat <<EOF
- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -r)
- JDK: $java_version; KeelKV launcher defaults (bin/keel-server); redis-server $redis_version
- command: bench/scripts/compare.sh $rounds $lat_seconds
- both servers on 127.0.0.1, persistence off (save "", appendonly no), same client, same connections
EOF
)"

# one untimed pass per server: KeelKV's JIT compiles the hot path, and both hold the same keys
for p in "$kp" "$rp"; do
  redis-benchmark -p "$p" -c 50 -n 300000 -P 16 -t set,get -r 100000 -d 32 -q > /dev/null 2>&1
done

# ---- throughput rows ------------------------------------------------------------------------------
# bench_one port test clients requests pipeline size -> "elapsed_s rps p50 p99 p999 max" (ms)
bench_one() {
  redis-benchmark -p "$1" -c "$3" -n "$4" -P "$5" -t "$2" -r 100000 -d "$6" 2>/dev/null | tr '\r' '\n' |
    awk '/requests completed in/ {elapsed = $(NF-1)}
         /^[0-9.]+% <= / {pct = $1; sub("%", "", pct); if (pct + 0 >= 99.9 && p999 == "") p999 = $3}
         /throughput summary:/ {rps = $3}
         /latency summary/ {getline; getline; p50 = $3; p99 = $5; max = $6}
         END {print elapsed, rps, p50, p99, p999, max}'
}

# run_row port test pipeline size requests -> "rps p50 p99 p999 max"
run_row() {
  local port=$1 test=$2 pipeline=$3 size=$4 n=$5
  if [ "$test" = mix ]; then
    bench_one "$port" get 40 $((n * 8 / 10)) "$pipeline" "$size" > "$work/mix-get" &
    bench_one "$port" set 10 $((n * 2 / 10)) "$pipeline" "$size" > "$work/mix-set"
    wait
    python3 - "$n" "$work/mix-get" "$work/mix-set" <<'PY'
import sys
n = int(sys.argv[1])
g = [float(x) for x in open(sys.argv[2]).read().split()]
s = [float(x) for x in open(sys.argv[3]).read().split()]
print(n / max(g[0], s[0]), *[max(a, b) for a, b in zip(g[2:], s[2:])])
PY
  else
    bench_one "$port" "$test" 50 "$n" "$pipeline" "$size" | awk '{print $2, $3, $4, $5, $6}'
  fi
}

requests() { # pipeline size -> requests per run (about 2-3 s each on 2 cores)
  if [ "$1" = 16 ]; then echo 2000000; elif [ "$2" = 1024 ]; then echo 200000; else echo 250000; fi
}

for size in 32 1024; do
  for pipeline in 1 16; do
    for test in set get mix; do
      n=$(requests "$pipeline" "$size")
      for round in $(seq 1 "$rounds"); do
        echo "keelkv $(run_row "$kp" "$test" "$pipeline" "$size" "$n")" >> "$raw/${test}-P${pipeline}-${size}B.txt"
        echo "redis $(run_row "$rp" "$test" "$pipeline" "$size" "$n")" >> "$raw/${test}-P${pipeline}-${size}B.txt"
      done
    done
  done
done

# ---- latency rows -----------------------------------------------------------------------------------
max=$(redis-benchmark -p "$rp" -c 50 -n 300000 -t get -r 100000 -d 32 --csv -q 2>/dev/null | awk -F'"' 'NR==2 {printf "%d", $4}')
echo "$max" > "$raw/redis-max-get-rate.txt"
plots=()
for mix in 100 0 80; do
  for pct in 25 50 75; do
    rate=$((max * pct / 100))
    for round in $(seq 1 "$rounds"); do
      for side in keelkv redis; do
        port=$kp; [ "$side" = redis ] && port=$rp
        hgrm="$raw/lat-$side-get$mix-$pct-r$round.hgrm"
        # stalls of 20 ms or more are logged with their wall-clock time, to line up with a server's own logs
        # (run with KEEL_JAVA_OPTS="-Xlog:gc*,safepoint:file=..." to get KeelKV's GC and safepoint log)
        line=$(java -cp "$jar" io.keelkv.bench.LatencyDriver --port "$port" --rate "$rate" --seconds "$lat_seconds" \
          --warmup 2 --get-percent "$mix" --label "$side" --hgrm "$hgrm" --report-stalls-ms 20 \
          2>> "$raw/stalls-$side.txt")
        echo "$line" >> "$raw/lat-get$mix-$pct.txt"
        [ "$mix" = 80 ] && [ "$round" = 1 ] && plots+=("$side $pct%=$hgrm")
      done
    done
  done
done
java -cp "$jar" io.keelkv.bench.PercentilePlot "$out/latency.svg" \
  "KeelKV (blue) vs redis-server (red), 80% GET / 20% SET at 25/50/75% of Redis's max rate, 50 connections" \
  "${plots[@]}" > /dev/null

# ---- tables -------------------------------------------------------------------------------------------
python3 - "$raw" "$rounds" "$max" "$lat_seconds" > "$out/tables.md" <<'PY'
import glob, os, statistics, sys
raw, rounds, max_rate, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

def ratio(k, r):
    return f"{k / r:.2f}x" if r else "n/a"

print("### Throughput (redis-benchmark, 50 connections, -r 100000; medians of %d alternating rounds)" % rounds)
print()
print("Throughput ratio above 1 is KeelKV faster; latency ratios below 1 are KeelKV lower. Latencies in ms.")
print()
print("| row | KeelKV req/s | Redis req/s | ratio | p50 K / R | ratio | p99 K / R | ratio | p99.9 K / R | ratio | max K / R | ratio |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for size in ("32B", "1024B"):
    for pipeline in ("P1", "P16"):
        for test in ("set", "get", "mix"):
            path = os.path.join(raw, f"{test}-{pipeline}-{size}.txt")
            if not os.path.exists(path):
                continue
            runs = {"keelkv": [], "redis": []}
            for line in open(path):
                parts = line.split()
                if len(parts) == 6:
                    runs[parts[0]].append([float(x) for x in parts[1:]])
            if not runs["keelkv"] or not runs["redis"]:
                print(f"| {test.upper()} {pipeline} {size} | (a run failed: see raw/) |")
                continue
            k = [statistics.median(col) for col in zip(*runs["keelkv"])]
            r = [statistics.median(col) for col in zip(*runs["redis"])]
            name = {"set": "SET", "get": "GET", "mix": "MIX 80/20"}[test]
            cells = [f"{name} {pipeline} {size.replace('1024B', '1 KiB').replace('32B', '32 B')}",
                     f"{k[0]:.0f}", f"{r[0]:.0f}", ratio(k[0], r[0])]
            for i in range(1, 5):
                cells += [f"{k[i]:.3f} / {r[i]:.3f}", ratio(k[i], r[i])]
            print("| " + " | ".join(cells) + " |")
print()
print(f"### Latency (open-loop LatencyDriver, 50 connections, 32 B, {seconds} s per run after 2 s warm-up; "
      f"medians of {rounds} alternating rounds; Redis's max GET rate: {max_rate} req/s)")
print()
print("Latency from each request's intended send time (coordinated omission corrected). µs.")
print()
print("| load | rate | p50 K / R | ratio | p99 K / R | ratio | p99.9 K / R | ratio | max K / R | ratio | achieved K / R |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for mix, name in (("100", "GET"), ("0", "SET"), ("80", "MIX 80/20")):
    for pct in ("25", "50", "75"):
        path = os.path.join(raw, f"lat-get{mix}-{pct}.txt")
        if not os.path.exists(path):
            continue
        runs = {"keelkv": [], "redis": []}
        behind = False
        for line in open(path):
            f = dict(p.split("=", 1) for p in line.split() if "=" in p)
            side = line.split()[0]
            runs[side].append([float(f["achieved"]), float(f["p50"]), float(f["p99"]), float(f["p99.9"]), float(f["max"])])
            behind |= "behind" in line
        k = [statistics.median(c) for c in zip(*runs["keelkv"])]
        r = [statistics.median(c) for c in zip(*runs["redis"])]
        cells = [f"{name} {pct}%", str(max_rate * int(pct) // 100)]
        for i in range(1, 5):
            cells += [f"{k[i]:.0f} / {r[i]:.0f}", ratio(k[i], r[i])]
        cells.append(f"{k[0]:.0f} / {r[0]:.0f}" + (" (driver fell behind)" if behind else ""))
        print("| " + " | ".join(cells) + " |")
PY

# ---- memory row: fresh servers, the same dataset (compare-memory.sh; KEEL_MEMORY_KEYS, default 10M) ----
redis-cli -p "$kp" shutdown nosave > /dev/null 2>&1 || true
redis-cli -p "$rp" shutdown nosave > /dev/null 2>&1 || true
"$root/bench/scripts/compare-memory.sh" "${KEEL_MEMORY_KEYS:-10000000}" 32 > "$raw/memory.md"

{
  echo "# KeelKV vs redis-server"
  echo
  echo "$header"
  echo
  cat "$out/tables.md"
  echo
  echo "### Memory (resident set of each whole process after the same DEBUG POPULATE)"
  echo
  cat "$raw/memory.md"
  echo
  echo "Plot: latency.svg (MIX 80/20, round 1). Raw runs: raw/; latencies of 20 ms or more, with their time: raw/stalls-*.txt."
} > "$out/README.md"
rm -f "$out/tables.md"
cat "$out/README.md"
