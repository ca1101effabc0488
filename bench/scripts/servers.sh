# Sourced by the compare scripts: the one way they start the two servers side by side.
#
#   start_servers BASE_PORT [--directive value ...]
#
# Starts KeelKV (bin/keel-server) on $kp and Debian's redis-server on $rp, random loopback ports from
# BASE_PORT, both with persistence off (save "", appendonly no) and the same extra directives; waits until
# both answer PING (and fails if they do not within 2 minutes); at exit stops both and removes $work,
# their working directory. Expects $root (the repository). Needs redis-server and redis-cli.
start_servers() {
  local base="$1"
  shift
  kp=$((base + RANDOM % 900)); rp=$((kp + 1000))
  work="$(mktemp -d /tmp/keel-bench.XXXXXX)"
  trap 'redis-cli -p $kp shutdown nosave >/dev/null 2>&1 || true; redis-cli -p $rp shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  # each in a directory of its own: with the AOF on (extra directives) their files must not meet
  mkdir -p "$work/keel" "$work/redis"
  (cd "$work/keel" && exec "$root/bin/keel-server" --port "$kp" --bind 127.0.0.1 --save "" --appendonly no "$@" \
    > "$work/keel.log" 2>&1 &)
  (cd "$work/redis" && exec redis-server --port "$rp" --bind 127.0.0.1 --save "" --appendonly no "$@" \
    > "$work/redis.log" 2>&1 &)
  local _
  for _ in $(seq 1 600); do
    [ "$(redis-cli -p "$kp" ping 2>/dev/null)" = PONG ] && [ "$(redis-cli -p "$rp" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.2
  done
  echo "the servers did not answer PING: $work/keel.log, $work/redis.log" >&2
  cat "$work/keel.log" "$work/redis.log" >&2
  return 1
}
