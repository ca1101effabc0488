#!/usr/bin/env bash
# BGREWRITEAOF and AOF load of N keys, KeelKV beside Debian's redis-server, both with appendonly yes and
# aof-use-rdb-preamble no (a RESP base, which both can load):
#
#   bench/scripts/compare-aof-rewrite-load.sh [keys]
#
# For each server: DEBUG POPULATE keys key 32, BGREWRITEAOF timed from the command to
# aof_rewrite_in_progress:0, the directory listed; then each is restarted twice on its directory and timed
# from exec to first PONG, with the server's own "DB loaded from append only file" line. Default 10,000,000
# keys (about 700 MB of RESP base each, under a temporary directory in /tmp).
set -u
n=${1:-10000000}
work="$(mktemp -d /tmp/keel-aof-load.XXXXXX)"
base=$((24000 + RANDOM % 800))
trap 'redis-cli -p $base shutdown nosave >/dev/null 2>&1; redis-cli -p $((base + 1)) shutdown nosave >/dev/null 2>&1; rm -rf "$work"' EXIT
root="$(cd "$(dirname "$0")/../.." && pwd)"
start() { # server port dir logfile extra...
  local s="$1" port="$2" d="$3" log="$4"
  shift 4
  if [ "$s" = keel ]; then (cd "$d" && exec "$root/bin/keel-server" --port "$port" --dir "$d" --save "" --appendonly yes \
      --aof-use-rdb-preamble no "$@" > "$log" 2>&1 &)
  else (cd "$d" && exec redis-server --port "$port" --dir "$d" --save "" --appendonly yes --aof-use-rdb-preamble no \
      "$@" > "$log" 2>&1 &); fi
}
for s in keel redis; do
  d=$work/$s; mkdir -p $d
  port=$([ $s = keel ] && echo $base || echo $((base + 1)))
  start "$s" "$port" "$d" "$d/log" --enable-debug-command yes
  for i in $(seq 1 300); do redis-cli -p $port ping 2>/dev/null | grep -q PONG && break; sleep 0.2; done
  redis-cli -p $port debug populate $n key 32 > /dev/null
  t0=$(date +%s%N); redis-cli -p $port bgrewriteaof > /dev/null
  sleep 0.05
  while redis-cli -p $port info persistence | grep -Eq "aof_rewrite_in_progress:1|aof_rewrite_scheduled:1"; do sleep 0.05; done
  t1=$(date +%s%N); echo "$s BGREWRITEAOF of $n keys: $(( (t1-t0)/1000000 )) ms"
  ls -la $d/appendonlydir | awk '{print $5, $9}' | grep -v "^ *$" | tail -3
  redis-cli -p $port shutdown nosave > /dev/null 2>&1; sleep 1
done
for r in 1 2; do
for s in keel redis; do
  d=$work/$s; port=$([ $s = keel ] && echo $base || echo $((base + 1)))
  t0=$(date +%s%N)
  start "$s" "$port" "$d" "$d/log2"
  for i in $(seq 1 3000); do [ "$(redis-cli -p $port ping 2>/dev/null)" = PONG ] && break; sleep 0.02; done
  t1=$(date +%s%N); echo "$s start to PONG with the AOF: $(( (t1-t0)/1000000 )) ms; $(grep -h 'loaded from append only file' $d/log2 | sed 's/.*\* //')"
  redis-cli -p $port dbsize
  redis-cli -p $port shutdown nosave > /dev/null 2>&1; sleep 1
done
done
