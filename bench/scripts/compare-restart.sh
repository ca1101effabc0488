#!/usr/bin/env bash
# Restart time from a snapshot, KeelKV beside Debian's redis-server, the restarts interleaved in one run.
#
#   bench/scripts/compare-restart.sh [keys] [runs] [keel-variant ...]
#
# Each server saves `DEBUG POPULATE keys key 32` once (its own format, its own temp dir), then each is
# restarted `runs` times, alternating KeelKV and Redis so that the machine's drift hits both alike. A restart
# is timed from the exec of the server to its first PONG (redis-cli PING every 10 ms), and the server's own
# "DB loaded from disk" line is reported beside it; the digest is checked after each restart. A keel-variant
# is extra JVM options for KeelKV (KEEL_JAVA_OPTS), one quoted word each, e.g.
# "-Dkeelkv.load.prefault=false": each variant is restarted `runs` times too, in the same rotation.
# Defaults: 10,000,000 keys, 3 runs, one variant (none). Ends with the median of each and its ratio to Redis.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
keys="${1:-10000000}"
runs="${2:-3}"
shift $(( $# > 2 ? 2 : $# ))
variants=("$@")
[ ${#variants[@]} -eq 0 ] && variants=("")
work="$(mktemp -d /tmp/keel-restart.XXXXXX)"
kp=$((21000 + RANDOM % 900)); rp=$((kp + 1000))
trap 'redis-cli -p $kp shutdown nosave >/dev/null 2>&1 || true; redis-cli -p $rp shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/keel" "$work/redis"

now() { date +%s%N; }
await_ping() { # port -> waits up to 10 minutes
  local _
  for _ in $(seq 1 60000); do
    [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.01
  done
  echo "no PONG on port $1" >&2; return 1
}
await_gone() { while kill -0 "$1" 2> /dev/null; do sleep 0.02; done; }
start_keel() { # opts
  (cd "$work/keel" && KEEL_JAVA_OPTS="$1" exec "$root/bin/keel-server" --port "$kp" --bind 127.0.0.1 --dir "$work/keel" \
    --save "" --appendonly no --enable-debug-command yes --loglevel verbose > "$work/keel/log" 2>&1 & echo $! > "$work/keel/pid")
}
start_redis() {
  (cd "$work/redis" && exec redis-server --port "$rp" --bind 127.0.0.1 --dir "$work/redis" --save "" --appendonly no \
    --enable-debug-command yes > "$work/redis/log" 2>&1 & echo $! > "$work/redis/pid")
}
stop() { # port dir
  redis-cli -p "$1" shutdown nosave > /dev/null 2>&1 || true
  await_gone "$(cat "$2/pid")"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r); $(java -version 2>&1 | head -1); $(redis-server --version | cut -d' ' -f1-3)"
start_keel ""; start_redis
await_ping "$kp"; await_ping "$rp"
for port in "$kp" "$rp"; do
  redis-cli -p "$port" debug populate "$keys" key 32 > /dev/null
  redis-cli -p "$port" save > /dev/null
done
keel_digest="$(redis-cli -p "$kp" debug digest)"
redis_digest="$(redis-cli -p "$rp" debug digest)"
echo "saved: KeelKV $(stat -c %s "$work/keel/dump.rdb") bytes, Redis $(stat -c %s "$work/redis/dump.rdb") bytes"
stop "$kp" "$work/keel"; stop "$rp" "$work/redis"

declare -A times
restart() { # label port dir starter [opts]
  local label="$1" port="$2" dir="$3" t0 t1 ms loaded digest
  t0=$(now)
  "$4" "${5:-}"
  await_ping "$port"
  t1=$(now)
  ms=$(( (t1 - t0) / 1000000 ))
  loaded="$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$dir/log" | tail -1 || true)"
  digest="$(redis-cli -p "$port" debug digest)"
  echo "$label: start to PONG ${ms} ms; ${loaded:-no load line}; digest $( [ "$digest" = "$6" ] && echo equal || echo DIFFERENT)"
  times[$label]="${times[$label]:-} $ms"
  stop "$port" "$dir"
  sleep 2 # the freed memory settles (the hypervisor takes it back) before the next start
}
for i in $(seq 1 "$runs"); do
  for v in "${variants[@]}"; do
    restart "keelkv${v:+ $v}" "$kp" "$work/keel" start_keel "$v" "$keel_digest"
  done
  restart "redis" "$rp" "$work/redis" start_redis "" "$redis_digest"
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
redis_median="$(echo "${times[redis]}" | median)"
echo
echo "| server | start to first PONG, median of $runs (ms) | ratio to Redis |"
echo "|---|---:|---:|"
for v in "${variants[@]}"; do
  label="keelkv${v:+ $v}"
  m="$(echo "${times[$label]}" | median)"
  echo "| $label | $m | $(awk -v a="$m" -v b="$redis_median" 'BEGIN { printf "%.3f", a / b }') |"
done
echo "| redis-server | $redis_median | 1 |"
