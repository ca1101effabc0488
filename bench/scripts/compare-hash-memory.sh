#!/usr/bin/env bash
# Memory per field of one big hash (a hashtable in both servers), KeelKV beside Debian's redis-server:
# HSET big f:NNNNNNN <16-byte value> for N fields through redis-cli --pipe, then the growth of used_memory
# and of the process's RSS (from /proc, as a user would see it) divided by N.
#
#   bench/scripts/compare-hash-memory.sh [fields]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
fields="${1:-1000000}"
. "$root/bench/scripts/servers.sh"
start_servers 18500

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
pid_of() { redis-cli -p "$1" info server | awk -F: '/^process_id:/ {print $2}' | tr -d '\r'; }
used() { redis-cli -p "$1" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r'; }

echo "| server | used_memory growth (MB) | per field (B) | RSS growth (MB) | per field (B) | encoding |"
echo "|---|---:|---:|---:|---:|---|"
for name in keelkv redis; do
  port=$kp; [ "$name" = redis ] && port=$rp
  pid=$(pid_of "$port")
  u0=$(used "$port"); r0=$(rss_kb "$pid")
  awk -v n="$fields" 'BEGIN { for (i = 0; i < n; i++) printf "*4\r\n$4\r\nHSET\r\n$3\r\nbig\r\n$9\r\nf:%07d\r\n$16\r\nvvvvvvvvvvvvvvvv\r\n", i }' |
    redis-cli -p "$port" --pipe > /dev/null
  sleep 1
  u1=$(used "$port"); r1=$(rss_kb "$pid")
  echo "| $name | $(( (u1 - u0) / 1000000 )) | $(( (u1 - u0) / fields )) | $(( (r1 - r0) / 1000 )) | $(( (r1 - r0) * 1024 / fields )) | $(redis-cli -p "$port" object encoding big) |"
done
