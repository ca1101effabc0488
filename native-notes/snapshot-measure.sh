#!/usr/bin/env bash
# SAVE and load-at-start of the same dataset (DEBUG POPULATE N key 32) on KeelKV and on redis-server, one
# after the other on loopback, each in a fresh temp dir. Prints times (wall clock around redis-cli SAVE, and
# the servers' own "DB loaded from disk" lines), file sizes and used_memory; checks the digests survive.
#
#   native-notes/snapshot-measure.sh [keys] [runs]     (defaults: 10000000 3)
#
# Needs redis-server and redis-cli on the PATH and a built server (bin/keel-server builds it once).
set -euo pipefail
keys="${1:-10000000}"
runs="${2:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
field() { redis-cli -p "$1" INFO "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f { print $2 }'; }
await_ping() {
    for _ in $(seq 1 600); do
        [ "$(redis-cli -p "$1" PING 2> /dev/null)" = "PONG" ] && return 0
        sleep 0.05
    done
    echo "no PONG on port $1" >&2; return 1
}
await_gone() { while kill -0 "$1" 2> /dev/null; do sleep 0.05; done; }

run() {
    local name="$1"; shift
    local port="$1"; shift
    local dir; dir="$(mktemp -d)"
    local start_cmd=("$@" --port "$port" --dir "$dir" --save "" --enable-debug-command yes)
    "${start_cmd[@]}" > "$dir/first.log" 2>&1 &
    local pid=$!
    await_ping "$port"
    local t0 t1
    t0=$(now); redis-cli -p "$port" DEBUG POPULATE "$keys" key 32 > /dev/null; t1=$(now)
    echo "$name: DEBUG POPULATE $keys key 32 in $(secs "$t0" "$t1") s, used_memory $(field "$port" memory used_memory)"
    local digest; digest="$(redis-cli -p "$port" DEBUG DIGEST)"
    for i in $(seq 1 "$runs"); do
        t0=$(now); redis-cli -p "$port" SAVE > /dev/null; t1=$(now)
        echo "$name: SAVE $i: $(secs "$t0" "$t1") s, $(stat -c %s "$dir/dump.rdb") bytes"
    done
    redis-cli -p "$port" SHUTDOWN NOSAVE > /dev/null 2>&1 || true
    await_gone "$pid"
    for i in $(seq 1 "$runs"); do
        t0=$(now)
        "${start_cmd[@]}" > "$dir/load-$i.log" 2>&1 &
        pid=$!
        await_ping "$port"
        t1=$(now)
        local loaded; loaded="$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$dir/load-$i.log" || true)"
        local again; again="$(redis-cli -p "$port" DEBUG DIGEST)"
        [ "$again" = "$digest" ] || { echo "$name: digest changed across the reload" >&2; exit 1; }
        echo "$name: load $i: $loaded (start to first PONG $(secs "$t0" "$t1") s), digest equal"
        redis-cli -p "$port" SHUTDOWN NOSAVE > /dev/null 2>&1 || true
        await_gone "$pid"
    done
    rm -rf "$dir"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r); java: $(java -version 2>&1 | head -1)"
run keelkv 6531 "$root/bin/keel-server" --loglevel verbose
run redis 6532 redis-server --appendonly no
