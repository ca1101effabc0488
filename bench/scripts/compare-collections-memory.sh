#!/usr/bin/env bash
# Memory of collections, KeelKV beside Debian's redis-server, each row loaded through redis-cli --pipe into
# both servers (same data), then the growth of used_memory and of the process's RSS (from /proc, as a user
# would see it), per element:
#   - one hash of N fields (HSET big f:NNNNNNN <16-byte value>): a hashtable in both;
#   - 100,000 hashes of 20 fields (field:NN -> value:NNNNNN): listpacks in both;
#   - 100,000 sets of 20 integers: intsets in both.
#
#   bench/scripts/compare-collections-memory.sh [fields] [row 1-3]
#
# Each row runs on a fresh pair of servers (memory a FLUSHALL gave back would flatter the next row's RSS).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
fields="${1:-1000000}"
only="${2:-}"
if [ -z "$only" ]; then
  echo "| data | server | used_memory growth (MB) | per element (B) | RSS growth (MB) | per element (B) | encoding |"
  echo "|---|---|---:|---:|---:|---:|---|"
  for r in 1 2 3; do "$0" "$fields" "$r"; done
  exit 0
fi
. "$root/bench/scripts/servers.sh"
start_servers 18500

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
pid_of() { redis-cli -p "$1" info server | awk -F: '/^process_id:/ {print $2}' | tr -d '\r'; }
used() { redis-cli -p "$1" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r'; }

one_big_hash() { awk -v n="$fields" 'BEGIN { for (i = 0; i < n; i++) printf "*4\r\n$4\r\nHSET\r\n$3\r\nbig\r\n$9\r\nf:%07d\r\n$16\r\nvvvvvvvvvvvvvvvv\r\n", i }'; }
small_hashes() { awk 'BEGIN { for (h = 0; h < 100000; h++) { printf "*42\r\n$4\r\nHSET\r\n$8\r\nh:%06d\r\n", h;
  for (f = 0; f < 20; f++) printf "$8\r\nfield:%02d\r\n$12\r\nvalue:%06d\r\n", f, h } }'; }
small_sets() { awk 'BEGIN { for (s = 0; s < 100000; s++) { printf "*22\r\n$4\r\nSADD\r\n$8\r\ns:%06d\r\n", s;
  for (m = 0; m < 20; m++) { v = sprintf("%d", s * 20 + m); printf "$%d\r\n%s\r\n", length(v), v } } }'; }
row() { # label generator elements probe-key
  for name in keelkv redis; do
    port=$kp; [ "$name" = redis ] && port=$rp
    pid=$(pid_of "$port")
    u0=$(used "$port"); r0=$(rss_kb "$pid")
    "$2" | redis-cli -p "$port" --pipe > /dev/null
    sleep 1
    u1=$(used "$port"); r1=$(rss_kb "$pid")
    echo "| $1 | $name | $(( (u1 - u0) / 1000000 )) | $(( (u1 - u0) / $3 )) | $(( (r1 - r0) / 1000 )) | $(( (r1 - r0) * 1024 / $3 )) | $(redis-cli -p "$port" object encoding "$4") |"
  done
}
case "$only" in
  1) row "one hash, $fields fields" one_big_hash "$fields" big ;;
  2) row "100k hashes x 20 fields" small_hashes 2000000 h:000001 ;;
  3) row "100k sets x 20 integers" small_sets 2000000 s:000001 ;;
esac
