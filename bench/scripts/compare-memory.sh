#!/usr/bin/env bash
# Memory of KeelKV beside Debian's redis-server after the same dataset, measured from outside as a user
# would: the resident set of the whole process (VmRSS in /proc/<pid>/status), plus each server's own
# INFO used_memory. Both start empty on loopback with persistence off and DEBUG enabled, then each runs
#   DEBUG POPULATE <keys> key <value-bytes>
# (the same keys and values on both: KeelKV's DEBUG POPULATE produces exactly Redis's).
#
#   bench/scripts/compare-memory.sh [keys] [value-bytes]        (defaults: 10000000 32)
#
# Prints a markdown table. Needs redis-server and redis-cli (apt-get install -y redis-server redis-tools).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
keys="${1:-10000000}"
size="${2:-32}"
. "$root/bench/scripts/servers.sh"
start_servers 30000 --enable-debug-command yes

field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }
rss_mb() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

declare -A rss used seconds
for side in keelkv redis; do
  port=$kp; [ "$side" = redis ] && port=$rp
  pid=$(field "$port" server process_id)
  start=$(date +%s.%N)
  redis-cli -p "$port" debug populate "$keys" key "$size" > /dev/null
  seconds[$side]=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
  [ "$(redis-cli -p "$port" dbsize)" = "$keys" ] || { echo "$side holds the wrong number of keys" >&2; exit 1; }
  rss[$side]=$(rss_mb "$pid")
  used[$side]=$(awk -v b="$(field "$port" memory used_memory)" 'BEGIN {printf "%.0f", b / 1048576}')
done

echo "DEBUG POPULATE $keys key $size ($(date -u '+%Y-%m-%d'), $(nproc) cores, $(java -version 2>&1 | head -1), redis-server $(redis-server --version | awk '{print $3}' | sed 's/v=//'))"
echo
echo "| server | RSS MB (whole process, /proc) | INFO used_memory MB | bytes per key (RSS) | populate s |"
echo "|---|---:|---:|---:|---:|"
for side in keelkv redis; do
  name=KeelKV; [ "$side" = redis ] && name=redis-server
  printf '| %s | %s | %s | %.0f | %s |\n' "$name" "${rss[$side]}" "${used[$side]}" \
    "$(awk -v r="${rss[$side]}" -v k="$keys" 'BEGIN {print r * 1048576 / k}')" "${seconds[$side]}"
done
printf '\nRSS ratio KeelKV / Redis: %.2fx\n' "$(awk -v a="${rss[keelkv]}" -v b="${rss[redis]}" 'BEGIN {print a / b}')"
