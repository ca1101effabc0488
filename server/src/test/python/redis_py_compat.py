#!/usr/bin/env python3
"""redis-py (Debian's python3-redis 4.x, RESP2), unmodified, against one server.

Run by RedisPyCompatibilityTest against KeelKV and against Debian's redis-server with the very same
checks, so what passes on redis-server is what redis-py users rely on.

usage: redis_py_compat.py HOST PORT AUTH_PORT PASSWORD SEED
  PORT serves without a password; AUTH_PORT has requirepass PASSWORD. Both are flushed.
Prints one line per check and a closing "N passed, N failed"; exits 1 when a check failed.
"""
import random
import sys
import threading
import time
import traceback

import redis

HOST, PORT, AUTH_PORT, PASSWORD, SEED = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
TIMEOUT = 20
CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def client(**kwargs):
    kwargs.setdefault("decode_responses", True)
    kwargs.setdefault("socket_timeout", TIMEOUT)
    kwargs.setdefault("socket_connect_timeout", TIMEOUT)
    return redis.Redis(host=HOST, port=kwargs.pop("port", PORT), **kwargs)


def expect_error(message, fn, *args, **kwargs):
    """The call must fail with a server error whose text is exactly message (a prefix when it ends in '...')."""
    try:
        fn(*args, **kwargs)
    except redis.exceptions.ResponseError as ex:
        text = str(ex)
        if message.endswith("..."):
            assert text.startswith(message[:-3]), text
        else:
            assert text == message, text
        return
    raise AssertionError("no error, expected: " + message)


def eq(expected, actual):
    assert expected == actual, "expected %r, got %r" % (expected, actual)


@check
def strings():
    r = client()
    r.flushall()
    eq(True, r.set("s", "hello"))
    eq("hello", r.get("s"))
    eq(None, r.get("missing"))
    eq("hello", r.getset("s", "world"))
    eq(False, r.setnx("s", "x"))
    eq(10, r.append("s", "!!!!!"))
    eq(10, r.strlen("s"))
    eq("orl", r.getrange("s", 1, 3))
    eq(10, r.setrange("s", 0, "W"))
    eq("World!!!!!", r.get("s"))
    eq(1, r.incr("n"))
    eq(11, r.incrby("n", 10))
    eq(10, r.decr("n"))
    eq(0, r.decrby("n", 10))
    eq(2.5, r.incrbyfloat("n", 2.5))
    eq("2.5", r.get("n"))
    eq(True, r.mset({"a": "1", "b": "2"}))
    eq(False, r.msetnx({"b": "x", "c": "3"}))
    eq(["1", "2", None], r.mget("a", "b", "c"))
    eq("World!!!!!", r.set("s", "v", get=True))
    eq(True, r.set("s", "v", nx=False, xx=True, ex=100))
    eq(None, r.set("s", "v", nx=True))
    eq(None, r.set("nope", "v", xx=True))
    eq(True, r.set("s", "w2", keepttl=True))
    assert 90 < r.ttl("s") <= 100
    eq(True, r.set("s", "w3", px=200000))
    assert 190000 < r.pttl("s") <= 200000
    at = int(time.time()) + 10000
    eq(True, r.set("s", "w4", exat=at))
    eq(at, r.execute_command("EXPIRETIME", "s"))
    eq(True, r.set("s", "w5", pxat=at * 1000 + 3))
    eq(at * 1000 + 3, r.execute_command("PEXPIRETIME", "s"))
    eq(True, r.setex("sx", 300, "v"))
    eq(True, r.psetex("px", 300000, "v"))
    eq("w5", r.getex("s", persist=True))
    eq(-1, r.ttl("s"))
    eq("w5", r.getex("s", ex=50))
    assert 40 < r.ttl("s") <= 50
    eq("w5", r.getex("s", px=60000))
    eq("w5", r.getex("s", exat=at))
    eq("w5", r.getex("s", pxat=at * 1000))
    eq(at, r.execute_command("EXPIRETIME", "s"))
    eq("w5", r.getdel("s"))
    eq(None, r.getdel("s"))


@check
def keys_and_expiry():
    r = client()
    r.flushall()
    r.mset({"k1": "a", "k2": "b", "other": "c"})
    eq(2, r.exists("k1", "k2", "nope"))
    eq("string", r.type("k1"))
    eq("none", r.type("nope"))
    eq(["k1", "k2"], sorted(r.keys("k*")))
    assert r.randomkey() in ("k1", "k2", "other")
    eq(True, r.rename("k1", "k3"))
    eq(False, r.renamenx("k3", "k2"))
    eq(True, r.copy("k3", "k4"))
    eq(False, r.copy("k3", "k4"))
    eq(True, r.copy("k2", "k4", replace=True))
    eq("b", r.get("k4"))
    eq(True, r.copy("k4", "k4", destination_db=5))
    eq(True, r.move("k4", 6))
    eq(False, r.move("nope", 6))
    eq(2, r.touch("k2", "k3", "nope"))
    eq(True, r.expire("k2", 1000))
    eq(False, r.expire("k2", 2000, nx=True))
    eq(True, r.expire("k2", 2000, gt=True))
    eq(True, r.expire("k2", 1500, lt=True))
    eq(True, r.expire("k2", 1200, xx=True))
    assert 1190 < r.ttl("k2") <= 1200
    eq(True, r.pexpire("k2", 3000000))
    assert r.pttl("k2") > 2990000
    at = int(time.time()) + 5000
    eq(True, r.expireat("k2", at))
    eq(at, r.execute_command("EXPIRETIME", "k2"))
    eq(True, r.pexpireat("k2", at * 1000 + 9))
    eq(at * 1000 + 9, r.execute_command("PEXPIRETIME", "k2"))
    eq(True, r.persist("k2"))
    eq(False, r.persist("k2"))
    eq(-1, r.ttl("k2"))
    eq(-2, r.ttl("nope"))
    eq(True, r.expire("k3", -1))
    eq(0, r.exists("k3"))
    eq(1, r.delete("k2"))
    eq(1, r.unlink("other"))
    eq(0, r.dbsize())
    five = client(db=5)
    eq("b", five.get("k4"))
    eq(True, r.swapdb(5, 7))
    eq(None, five.get("k4"))
    eq("b", client(db=7).get("k4"))
    eq(True, r.flushall())


@check
def hashes():
    r = client()
    r.flushall()
    eq(3, r.hset("user:1", mapping={"name": "alice", "age": 30, "city": "paris"}))
    eq("alice", r.hget("user:1", "name"))
    eq({"name": "alice", "age": "30", "city": "paris"}, r.hgetall("user:1"))
    eq(31, r.hincrby("user:1", "age", 1))
    eq(2.5, r.hincrbyfloat("user:1", "score", 2.5))
    eq(["alice", None], r.hmget("user:1", ["name", "missing"]))
    eq(True, r.hexists("user:1", "city"))
    eq(1, r.hdel("user:1", "city", "nope"))
    eq(3, r.hlen("user:1"))
    eq("hash", r.type("user:1"))
    eq("listpack", r.object("encoding", "user:1"))
    # a big one: the hashtable encoding, paged with HSCAN
    for start in range(0, 2000, 500):
        r.hset("big", mapping={"f%d" % i: i for i in range(start, start + 500)})
    eq("hashtable", r.object("encoding", "big"))
    eq(2000, len(dict(r.hscan_iter("big", count=100))))
    eq(set("f%d" % i for i in range(2000)), set(r.hkeys("big")))
    eq(True, r.hrandfield("big") in r.hkeys("big"))
    expect_error("WRONGTYPE Operation against a key holding the wrong kind of value", r.get, "big")
    eq(1, r.delete("big"))


@check
def sorted_sets():
    r = client()
    r.flushall()
    eq(3, r.zadd("board", {"alice": 10, "bob": 7.5, "carol": 12}))
    eq(["bob", "alice", "carol"], r.zrange("board", 0, -1))
    eq([("bob", 7.5), ("alice", 10.0)], r.zrange("board", 0, 1, withscores=True))
    eq(["alice", "carol"], r.zrangebyscore("board", "(7.5", "+inf"))
    eq(["carol", "alice"], r.zrevrangebyscore("board", 20, 8))
    eq(["alice"], r.zrangebyscore("board", 0, 100, start=1, num=1))
    eq(10.5, r.zincrby("board", 0.5, "alice"))
    eq(10.5, r.zscore("board", "alice"))
    eq(None, r.zscore("board", "nobody"))
    eq(1, r.zrank("board", "alice"))
    eq(0, r.zadd("board", {"bob": 1}, xx=True))
    eq(1, r.zadd("board", {"bob": 8}, gt=True, ch=True))
    eq(["bob", "alice"], r.zrange("board", 0, 20, byscore=True, offset=0, num=2))
    eq(3, r.zunionstore("u", ["board", "board"], aggregate="MAX"))
    eq("listpack", r.object("encoding", "board"))
    r.zadd("big", {"m%d" % i: i for i in range(1000)})
    eq("skiplist", r.object("encoding", "big"))
    eq(1000, len(dict(r.zscan_iter("big", count=100))))
    eq([("m0", 0.0)], r.zpopmin("big"))
    eq(100, r.zcount("big", "(899", "+inf"))
    expect_error("WRONGTYPE Operation against a key holding the wrong kind of value", r.get, "big")
    expect_error("min or max is not a float", r.zrangebyscore, "big", "x", 1)
    eq(1, r.delete("big"))


@check
def scan_iteration():
    r = client()
    r.flushall()
    pipe = r.pipeline(transaction=False)
    for i in range(2000):
        pipe.set("scan:%d" % i, "v")
        pipe.set("other:%d" % i, "v")
    pipe.execute()
    eq({"scan:%d" % i for i in range(2000)}, set(r.scan_iter(match="scan:*", count=100)))
    eq(4000, len(set(r.scan_iter(count=1000))))
    eq(4000, len(set(r.scan_iter(_type="string", count=500))))
    eq(set(), set(r.scan_iter(_type="hash")))
    cursor, page = r.scan(0, match="scan:1?", count=10000)
    eq(0, cursor)
    eq({"scan:%d" % i for i in range(10, 20)}, set(page))
    expect_error("invalid cursor", r.execute_command, "SCAN", "abc")


@check
def server_commands():
    r = client()
    r.flushall()
    r.set("a", "1")
    r.set("b", "2", ex=1000)
    eq(True, r.ping())
    eq("hi", r.echo("hi"))
    info = r.info()
    eq("7.0.15", info["redis_version"])
    eq("standalone", info["redis_mode"])
    eq(PORT, info["tcp_port"])
    eq("master", info["role"])
    eq(2, info["db0"]["keys"])
    eq(1, info["db0"]["expires"])
    assert info["connected_clients"] >= 1
    eq(2, r.info("keyspace")["db0"]["keys"])
    assert r.info("stats")["total_commands_processed"] > 0
    assert "used_memory" in r.info("memory")
    seconds, micros = r.time()
    assert abs(seconds - time.time()) < 60 and 0 <= micros < 1000000
    assert r.lastsave() is not None
    eq(2, r.dbsize())
    r.set("short", "hello")
    eq("embstr", r.object("encoding", "short"))
    eq("int", r.object("encoding", "a"))
    r.set("raw", "x" * 100)
    eq("raw", r.object("encoding", "raw"))
    assert r.object("idletime", "a") >= 0
    assert r.object("refcount", "raw") >= 1
    assert r.memory_usage("raw") > 100
    eq(None, r.memory_usage("missing"))
    eq({"maxmemory-policy": "noeviction"}, r.config_get("maxmemory-policy"))
    eq(True, r.config_set("maxmemory-policy", "allkeys-lfu"))
    try:
        assert r.object("freq", "a") >= 0
    finally:
        r.config_set("maxmemory-policy", "noeviction")
    expect_error("An LFU maxmemory policy is not selected...", r.object, "freq", "a")
    eq(True, r.flushdb())
    eq(0, r.dbsize())


@check
def blocking_pops():
    r = client()
    other = client()
    r.flushall()
    started = time.time()
    eq(None, r.blpop(["py:missing"], timeout=0.1))
    assert 0.09 <= time.time() - started < 5, time.time() - started
    eq(None, r.brpoplpush("py:missing", "py:dst", timeout=0.05))
    r.rpush("py:list", "a", "b")
    eq(("py:list", "a"), r.blpop(["py:empty", "py:list"], timeout=1))
    eq("b", r.blmove("py:list", "py:dst", 1, "RIGHT", "LEFT"))
    result = []
    waiter = threading.Thread(target=lambda: result.append(r.brpop("py:wake", timeout=10)))
    waiter.start()
    deadline = time.time() + 10
    while other.info("clients")["blocked_clients"] != 1:
        assert time.time() < deadline, "the BRPOP never blocked"
        time.sleep(0.002)
    eq(1, other.lpush("py:wake", "woken"))
    waiter.join(10)
    eq([("py:wake", "woken")], result)


@check
def client_commands():
    r = client(client_name="py-named")
    other = client()
    eq("py-named", r.client_getname())
    eq(None, other.client_getname())
    eq(True, r.client_setname("renamed"))
    eq("renamed", r.client_getname())
    my_id = r.client_id()
    mine = [c for c in other.client_list() if int(c["id"]) == my_id]
    eq(1, len(mine))
    eq("renamed", mine[0]["name"])
    eq("0", mine[0]["db"])
    info = r.client_info()
    eq(str(my_id), str(info["id"]))
    eq("client|info", info["cmd"])
    expect_error("Client names cannot contain spaces, newlines or special characters.", r.client_setname, "a b")
    eq(True, other.client_kill(mine[0]["addr"]))
    try:
        r.ping()  # the killed connection: redis-py may notice it here, or reconnect at once
    except redis.exceptions.ConnectionError:
        pass
    eq(True, r.ping())  # a new connection from the pool
    assert r.client_id() != my_id
    expect_error("No such client", other.client_kill, "127.0.0.1:1")
    eq(0, other.client_kill_filter(_id=other.client_id()))


@check
def authentication():
    good = client(port=AUTH_PORT, password=PASSWORD)
    eq(True, good.flushall())
    eq(True, good.set("secret", "v"))
    eq("v", good.get("secret"))
    eq(True, client(port=AUTH_PORT, username="default", password=PASSWORD).ping())
    try:
        client(port=AUTH_PORT, password="wrong").ping()
        raise AssertionError("a wrong password was accepted")
    except (redis.exceptions.AuthenticationError, redis.exceptions.ResponseError) as ex:
        # redis-py 4.3 raises WRONGPASS at connect as a plain ResponseError with the code in the text
        assert "invalid username-password pair or user is disabled." in str(ex), str(ex)
    try:
        client(port=AUTH_PORT).get("secret")
        raise AssertionError("no password, yet served")
    except redis.exceptions.AuthenticationError as ex:
        eq("Authentication required.", str(ex))
    anonymous = client(port=AUTH_PORT)
    try:
        anonymous.ping()
    except redis.exceptions.AuthenticationError:
        pass
    eq(True, good.execute_command("AUTH", PASSWORD))
    try:
        good.execute_command("AUTH", "wrong")
        raise AssertionError("AUTH with a wrong password succeeded")
    except (redis.exceptions.AuthenticationError, redis.exceptions.ResponseError) as ex:
        assert "invalid username-password pair or user is disabled." in str(ex), str(ex)
    eq("v", good.get("secret"))  # a failed AUTH does not log the connection out
    try:
        client().execute_command("AUTH", "x")
        raise AssertionError("AUTH without requirepass succeeded")
    except redis.exceptions.ResponseError as ex:
        assert str(ex).startswith("AUTH <password> called without any password configured"), str(ex)
    good.flushall()


@check
def pipelines():
    r = client()
    r.flushall()
    pipe = r.pipeline(transaction=False)
    for i in range(20000):
        pipe.set("p:%d" % i, i)
        pipe.get("p:%d" % i)
    results = pipe.execute()
    eq(40000, len(results))
    for i in range(20000):
        assert results[2 * i] is True
        eq(str(i), results[2 * i + 1])
    with r.pipeline(transaction=False) as pipe:
        pipe.set("text", "abc").incr("text").get("text").incrbyfloat("text", 1).expire("text", 100)
        results = pipe.execute(raise_on_error=False)
    eq(True, results[0])
    assert isinstance(results[1], redis.exceptions.ResponseError) and str(results[1]) == \
        "value is not an integer or out of range", results[1]
    eq("abc", results[2])
    assert isinstance(results[3], redis.exceptions.ResponseError) and str(results[3]) == "value is not a valid float"
    eq(True, results[4])
    pipe = r.pipeline(transaction=False)
    pipe.set("ok", "1").incr("text").get("ok")
    try:
        pipe.execute()
        raise AssertionError("the error in the pipeline was not raised")
    except redis.exceptions.ResponseError as ex:
        assert "value is not an integer or out of range" in str(ex), str(ex)
    eq("1", r.get("ok"))  # the connection went on after the error


@check
def transactions():
    r = client(decode_responses=True)
    r.delete("tx:a", "tx:n", "tx:w")
    # pipeline() is a MULTI ... EXEC by default
    p = r.pipeline()
    p.set("tx:a", "1").incr("tx:n").incr("tx:n").get("tx:a")
    eq([True, 1, 2, "1"], p.execute())
    # an error of one command at EXEC stays in its place; the others ran
    p = r.pipeline()
    p.set("tx:a", "x").incr("tx:a").set("tx:b", "y")
    results = p.execute(raise_on_error=False)
    eq(True, results[0])
    assert isinstance(results[1], redis.ResponseError), results
    eq("y", r.get("tx:b"))
    # a command refused while queuing discards the whole transaction
    p = r.pipeline()
    p.set("tx:c", "1").execute_command("NOSUCHCOMMAND")
    try:
        p.execute()
        raise AssertionError("no error")
    except redis.ResponseError as e:
        assert "EXECABORT" in str(e) or "unknown command" in str(e), e
    eq(None, r.get("tx:c"))
    # WATCH: another client's write makes the EXEC fail; r.transaction() retries until it runs
    other = client(decode_responses=True)
    attempts = []

    def bump(pipe):
        value = int(pipe.get("tx:w") or 0)
        if not attempts:
            other.set("tx:w", "100")  # changed between WATCH and EXEC: the first attempt fails
        attempts.append(value)
        pipe.multi()
        pipe.set("tx:w", value + 1)

    r.transaction(bump, "tx:w")
    eq([0, 100], attempts)
    eq("101", r.get("tx:w"))
    with r.pipeline() as pipe:
        pipe.watch("tx:w")
        other.incr("tx:w")
        pipe.multi()
        pipe.set("tx:w", "lost")
        try:
            pipe.execute()
            raise AssertionError("no WatchError")
        except redis.WatchError:
            pass
    eq("102", r.get("tx:w"))
    other.close()


@check
def connection_pool_threads():
    pool = redis.BlockingConnectionPool(host=HOST, port=PORT, db=3, max_connections=4, timeout=TIMEOUT,
                                        socket_timeout=TIMEOUT, decode_responses=True)
    r = redis.Redis(connection_pool=pool)
    r.flushdb()
    failures = []

    def work(thread):
        try:
            for i in range(500):
                key = "t%d:%d" % (thread, i % 50)
                r.set(key, i)
                if r.get(key) != str(i):
                    failures.append("thread %d read a stale value" % thread)
                r.incr("shared")
        except Exception as ex:  # reported below, in the main thread
            failures.append(repr(ex))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
        assert not t.is_alive(), "thread still running"
    eq([], failures)
    eq("4000", r.get("shared"))
    eq(8 * 50 + 1, r.dbsize())
    assert len(pool._connections) <= 4
    r.flushdb()
    pool.disconnect()


@check
def binary_and_big_values():
    rng = random.Random(SEED)
    r = client(decode_responses=False)
    r.flushall()
    every = bytes(range(256))
    key = b"k\x00\r\n\xff *$"
    eq(True, r.set(key, every))
    eq(every, r.get(key))
    eq(256, r.strlen(key))
    eq(every[10:15], r.getrange(key, 10, 14))
    eq([key], r.keys(b"k*"))
    eq(every, r.echo(every))
    big = bytes(rng.getrandbits(8) for _ in range(1 << 16)) * 64 + b"tail"  # 4 MiB and a bit
    eq(True, r.set(b"big", big))
    eq(big, r.get(b"big"))
    eq(len(big) + 3, r.append(b"big", b"end"))
    eq(big + b"end", r.get(b"big"))
    pipe = r.pipeline(transaction=False)
    values = [bytes([i]) * (300000 + i) for i in range(8)]
    for i, value in enumerate(values):
        pipe.set(b"mb:%d" % i, value)
    for i in range(8):
        pipe.get(b"mb:%d" % i)
    eq([True] * 8 + values, pipe.execute())
    r.flushall()


@check
def errors_keep_the_connection():
    r = client()
    r.flushall()
    my_id = r.client_id()
    r.set("text", "abc")
    expect_error("value is not an integer or out of range", r.incr, "text")
    expect_error("value is not a valid float", r.incrbyfloat, "text", 1)
    expect_error("syntax error", r.execute_command, "SET", "k", "v", "NX", "XX")
    expect_error("invalid expire time in 'set' command", r.set, "k", "v", ex=0)
    expect_error("no such key", r.rename, "missing", "x")
    expect_error("DB index is out of range", r.execute_command, "SELECT", "99")
    expect_error("unknown command 'NOSUCH', with args beginning with: 'a' ", r.execute_command, "NOSUCH", "a")
    expect_error("wrong number of arguments for 'get' command", r.execute_command, "GET")
    expect_error("unknown subcommand 'NOPE'. Try CLIENT HELP.", r.execute_command, "CLIENT", "NOPE")
    r.set("max", "9223372036854775807")
    expect_error("increment or decrement would overflow", r.incr, "max")
    eq(my_id, r.client_id())
    eq("abc", r.get("text"))


def main():
    passed = failed = 0
    for fn in CHECKS:
        try:
            fn()
            passed += 1
            print("ok     " + fn.__name__)
        except Exception:
            failed += 1
            print("FAILED " + fn.__name__)
            traceback.print_exc(file=sys.stdout)
    print("redis-py %s: %d passed, %d failed" % (redis.__version__, passed, failed))
    sys.stdout.flush()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
