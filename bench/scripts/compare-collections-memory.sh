#!/usr/bin/env bash
# Memory of collections, KeelKV beside Debian's redis-server, each row loaded through redis-cli --pipe into
# both servers (same data), then the growth of used_memory and of the process's RSS (from /proc, as a user
# would see it), per element:
#   - one hash of N fields (HSET big f:NNNNNNN <16-byte value>): a hashtable in both;
#   - 100,000 hashes of 20 fields (field:NN -> value:NNNNNN): listpacks in both;
#   - 100,000 sets of 20 integers: intsets in both;
#   - 10,000 lists of 200 items (item:NNNNNNN): one quicklist node each;
#   - 10,000 sorted sets of 200 members (member:NNN, integer scores): past zset-max-listpack-entries, so the
#     skiplist encoding in both;
#   - one sorted set of N members (m:NNNNNNN, score = the number): the skiplist encoding;
#   - the AOF issue's mixed load: rows 2, 3, 4 and 5 together into one pair of servers (per element: per field,
#     integer, item and member).
#
#   bench/scripts/compare-collections-memory.sh [fields] [row 1-7]
#
# Each row runs on a fresh pair of servers (memory a FLUSHALL gave back would flatter the next row's RSS).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
fields="${1:-1000000}"
only="${2:-}"
if [ -z "$only" ]; then
  echo "| data | server | used_memory growth (MB) | per element (B) | RSS growth (MB) | per element (B) | encoding |"
  echo "|---|---|---:|---:|---:|---:|---|"
  for r in 1 2 3 4 5 6 7; do "$0" "$fields" "$r"; done
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
small_lists() { awk 'BEGIN { for (l = 0; l < 10000; l++) { printf "*202\r\n$5\r\nRPUSH\r\n$7\r\nl:%05d\r\n", l;
  for (i = 0; i < 200; i++) printf "$12\r\nitem:%07d\r\n", l * 200 + i } }'; }
small_zsets() { awk 'BEGIN { for (z = 0; z < 10000; z++) { printf "*402\r\n$4\r\nZADD\r\n$7\r\nz:%05d\r\n", z;
  for (m = 0; m < 200; m++) { v = sprintf("%d", m * 7 + z); printf "$%d\r\n%s\r\n$10\r\nmember:%03d\r\n", length(v), v, m } } }'; }
one_big_zset() { awk -v n="$fields" 'BEGIN { for (i = 0; i < n; i++) { v = sprintf("%d", i);
  printf "*4\r\n$4\r\nZADD\r\n$4\r\nbigz\r\n$%d\r\n%s\r\n$9\r\nm:%07d\r\n", length(v), v, i } }'; }
mixed() { small_hashes; small_sets; small_lists; small_zsets; }
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
  4) row "10k lists x 200 items" small_lists 2000000 l:00001 ;;
  5) row "10k sorted sets x 200 members" small_zsets 2000000 z:00001 ;;
  6) row "one sorted set, $fields members" one_big_zset "$fields" bigz ;;
  7) row "mixed: rows 2-5 together" mixed 8000000 z:00001 ;;
esac
