#!/usr/bin/env python3
"""Regenerate KeelKV's command table from a running redis-server 7.0 (the reference is Debian's 7.0.15).

The command table is data, as Redis keeps it in src/commands/*.json. We take the metadata of exactly the
commands KeelKV serves (COMMANDS and SUBCOMMANDS below) from the reference server itself, so that COMMAND,
COMMAND INFO, COMMAND DOCS, COMMAND COUNT and COMMAND LIST agree with it. Two files are written, both read
by engine/src/main/java/io/keelkv/engine/command/CommandTable.java:

  commands.txt      one row per command or subcommand: COMMAND INFO (arity, flags, keys, ACL categories,
                    key specs, tips) and the short COMMAND DOCS fields (group, since, complexity, summary)
  command-docs.txt  the rest of COMMAND DOCS: doc_flags, deprecated_since, replaced_by, history and the
                    argument trees (what redis-cli reads for its typing hints)

Each file's header describes its format. The generator refuses anything it does not know how to keep (an
unknown docs field, a key spec that is not index/range, a served subcommand Redis does not have), so a
newer Redis fails loudly here rather than producing a table that silently drops fields. Redis 7.2 adds
argument fields (display_text) and reply changes that KeelKV does not model: regenerate against 7.0.

How to regenerate (from the repository root; any free port):

  redis-server --port 6390 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --pidfile /tmp/r.pid
  python3 engine/tools/gen-command-table.py 6390
  kill "$(cat /tmp/r.pid)"

The files are written to engine/src/main/resources/io/keelkv/engine/command/ (or to the directory given
as the second argument). server/src/test/java/io/keelkv/server/CommandIntrospectionOracleTest.java then
checks the result byte for byte against redis-server.
"""
import os
import socket
import sys


class Raw:
    """Minimal RESP2 client: replies as nested lists of bytes/ints, no post-processing."""

    def __init__(self, port):
        self.f = socket.create_connection(("127.0.0.1", port)).makefile("rwb")

    def execute_command(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.f.write(out)
        self.f.flush()
        return self.read()

    def read(self):
        line = self.f.readline()[:-2]
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest
        if t == b"-":
            raise RuntimeError("redis replied with an error: " + rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError(line)


COMMANDS = """
ping echo quit hello auth select swapdb client info config dbsize flushdb flushall time lastsave save bgsave bgrewriteaof shutdown
memory object debug command
del unlink exists type rename renamenx copy move keys scan randomkey expire pexpire expireat pexpireat
ttl pttl expiretime pexpiretime persist touch
set get getset getdel getex setnx setex psetex mget mset msetnx incr decr incrby decrby incrbyfloat append
strlen getrange setrange substr
hset hsetnx hget hmget hmset hdel hlen hstrlen hexists hkeys hvals hgetall hincrby hincrbyfloat hrandfield hscan
sadd srem scard sismember smismember smembers srandmember spop smove sinter sintercard sinterstore sunion sunionstore
sdiff sdiffstore sscan
lpush rpush lpushx rpushx lpop rpop llen lindex lset lrange ltrim lrem linsert lpos lmove rpoplpush lmpop
zadd zincrby zrem zcard zscore zmscore zrank zrevrank zcount zlexcount zrange zrangestore zrangebyscore
zrevrangebyscore zrangebylex zrevrangebylex zrevrange zremrangebyrank zremrangebyscore zremrangebylex zpopmin
zpopmax zmpop zrandmember zunion zinter zdiff zunionstore zinterstore zdiffstore zintercard zscan
blpop brpop blmove brpoplpush blmpop bzpopmin bzpopmax bzmpop
sort sort_ro
multi exec discard watch unwatch
""".split()
SUBCOMMANDS = {
    "client": "id setname getname list info kill no-evict unblock help",
    "config": "get set resetstat rewrite help",
    "memory": "usage help",
    "object": "encoding freq idletime refcount help",
    "command": "count info docs list help",
}

# COMMAND DOCS fields: those in commands.txt, those in command-docs.txt, and the container's subcommands
ROW_DOC_FIELDS = {"summary", "since", "group", "complexity"}
EXTRA_DOC_FIELDS = ["doc_flags", "deprecated_since", "replaced_by", "history", "arguments"]
# argument fields, in the order command-docs.txt lists them (the loader accepts any order)
ARG_FIELDS = ["name", "type", "key_spec_index", "token", "since", "deprecated_since", "flags"]


def text(v):
    if isinstance(v, bytes):
        return v.decode()
    return str(v)


def pairs(lst):
    return {text(lst[i]): lst[i + 1] for i in range(0, len(lst), 2)}


def escape(s, special):
    """Percent-encode '%', control characters and the file's separators: lossless, and the loader's
    unescape is one small function. Everything else (most text) stays readable."""
    out = []
    for ch in s:
        if ch == "%" or ord(ch) < 32 or ch in special:
            out.append("%%%02X" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def row_text(s):
    return escape(s, "|")


def keyspecs(name, specs):
    out = []
    for spec in specs:
        s = pairs(spec)
        unknown = set(s) - {"flags", "begin_search", "find_keys", "notes"}
        if unknown:
            raise SystemExit(f"{name}: key spec field(s) {sorted(unknown)} not supported by commands.txt")
        bs = pairs(s["begin_search"])
        fk = pairs(s["find_keys"])
        if text(bs["type"]) == "unknown" and text(fk["type"]) == "unknown":
            # SORT's STORE: the keyword may be anywhere, so Redis gives no position
            fields = ["unknown", "unknown", "0", "0", " ".join(text(x) for x in s["flags"])]
            if "notes" in s:
                fields.append(escape(text(s["notes"]), "|;,"))
            out.append(",".join(fields))
            continue
        if text(bs["type"]) != "index" or text(fk["type"]) not in ("range", "keynum"):
            raise SystemExit(f"{name}: key spec {text(bs['type'])}/{text(fk['type'])} not supported by commands.txt")
        begin = pairs(bs["spec"])["index"]
        r = pairs(fk["spec"])
        if text(fk["type"]) == "keynum":
            # SINTERCARD's: the key count at keynumidx, the first key at firstkey (both after begin)
            fields = [str(begin), "keynum:" + str(r["keynumidx"]), str(r["firstkey"]), str(r["keystep"]),
                      " ".join(text(x) for x in s["flags"])]
        else:
            fields = [str(begin), str(r["lastkey"]), str(r["keystep"]), str(r["limit"]),
                      " ".join(text(x) for x in s["flags"])]
        if "notes" in s:
            fields.append(escape(text(s["notes"]), "|;,"))
        out.append(",".join(fields))
    return ";".join(out)


def row(info, doc, prefix=None):
    name, arity, flags, first, last, step, acl, tips = info[0:8]
    specs = info[8]
    d = pairs(doc)
    unknown = set(d) - ROW_DOC_FIELDS - set(EXTRA_DOC_FIELDS) - {"subcommands"}
    if unknown:
        raise SystemExit(f"{text(name)}: COMMAND DOCS field(s) {sorted(unknown)} not supported by the generator")
    fields = [text(name).split("|")[-1], str(arity), " ".join(text(f) for f in flags), str(first), str(last),
              str(step), " ".join(text(a) for a in acl), row_text(text(d.get("group", ""))),
              row_text(text(d.get("since", ""))), row_text(text(d.get("complexity", ""))),
              row_text(text(d.get("summary", ""))), keyspecs(text(name), specs), " ".join(text(t) for t in tips)]
    for tip in tips:
        if " " in text(tip):
            raise SystemExit(f"{text(name)}: a tip with a space cannot be kept space separated: {text(tip)}")
    if prefix:
        fields.insert(0, prefix)
    return "|".join(fields)


def doc_text(s):
    return escape(s, "\t")


def argument_lines(name, args, depth):
    lines = []
    for arg in args:
        a = pairs(arg)
        unknown = set(a) - set(ARG_FIELDS) - {"arguments"}
        if unknown:
            raise SystemExit(f"{name}: argument field(s) {sorted(unknown)} not supported by command-docs.txt")
        fields = ["arg"]
        for key in ARG_FIELDS:
            if key not in a:
                continue
            value = a[key]
            if key == "flags":
                value = " ".join(text(f) for f in value)
            fields.append(f"{key}={doc_text(text(value))}")
        lines.append("  " * depth + "\t".join(fields))
        is_container = text(a["type"]) in ("oneof", "block")
        if is_container != ("arguments" in a):
            raise SystemExit(f"{name}: argument {text(a['name'])} of type {text(a['type'])} and arguments disagree")
        if "arguments" in a:
            lines.extend(argument_lines(name, a["arguments"], depth + 1))
    return lines


def doc_block(name, doc):
    d = pairs(doc)
    lines = []
    if "doc_flags" in d:
        lines.append("  doc_flags\t" + " ".join(text(f) for f in d["doc_flags"]))
    if "deprecated_since" in d:
        lines.append("  deprecated_since\t" + doc_text(text(d["deprecated_since"])))
    if "replaced_by" in d:
        lines.append("  replaced_by\t" + doc_text(text(d["replaced_by"])))
    for version, changes in d.get("history", []):
        lines.append("  history\t" + doc_text(text(version)) + "\t" + doc_text(text(changes)))
    lines.extend(argument_lines(name, d.get("arguments", []), 1))
    return [name] + lines if lines else []


ROWS_HEADER = """\
# Generated by engine/tools/gen-command-table.py from redis-server {version}'s COMMAND INFO and COMMAND DOCS.
# name|arity|flags|first|last|step|acl categories|group|since|complexity|summary|key specs|tips
# subcommand rows carry the parent name first: parent|name|arity|...
# key specs are ';' separated begin,lastkey,step,limit,FLAG FLAG[,notes]
# (a keynum spec: begin,keynum:keynumidx,firstkey,keystep,FLAG FLAG[,notes]); tips are space separated.
# Text is percent-encoded where it would hold '%', '|', a control character (or ',' ';' in notes)."""

DOCS_HEADER = """\
# Generated by engine/tools/gen-command-table.py from redis-server {version}'s COMMAND DOCS: the fields that
# commands.txt does not hold. A block starts with a command's full name ("set", "client|kill") at the start
# of a line; its lines follow, indented two spaces, fields separated by tabs, in Redis's order:
#   doc_flags FLAG ...  |  deprecated_since VERSION  |  replaced_by TEXT  |  history VERSION CHANGES
#   arg name=N type=T [key_spec_index=I] [token=T] [since=V] [deprecated_since=V] [flags=F F]
# An argument of type oneof or block is followed by its own arguments, indented two spaces more.
# Commands with none of these fields have no block. Values are percent-encoded where they would hold '%',
# a tab or a control character."""


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    out_dir = sys.argv[2] if len(sys.argv) == 3 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "io", "keelkv", "engine",
        "command")
    r = Raw(int(sys.argv[1]))
    server = {}
    for line in text(r.execute_command("INFO", "server")).splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            server[k] = v
    version = server["redis_version"]
    if not version.startswith("7.0."):
        raise SystemExit(f"redis-server {version}: the table is generated from Redis 7.0 (see the top of this file)")
    rows = [ROWS_HEADER.format(version=version)]
    docs = [DOCS_HEADER.format(version=version)]
    for cmd in COMMANDS:
        info = r.execute_command("COMMAND", "INFO", cmd)[0]
        if info is None:
            raise SystemExit(f"redis-server has no command {cmd}")
        doc = pairs(r.execute_command("COMMAND", "DOCS", cmd))[cmd]
        rows.append(row(info, doc))
        docs.extend(doc_block(cmd, doc))
        subs = {text(s[0]): s for s in info[9]}
        subdocs = pairs(pairs(doc).get("subcommands", []))
        if set(subs) != set(subdocs):
            raise SystemExit(f"{cmd}: COMMAND INFO and COMMAND DOCS list different subcommands")
        if subs and cmd not in SUBCOMMANDS:
            raise SystemExit(f"{cmd} is a container in Redis: list the subcommands KeelKV serves in SUBCOMMANDS")
        for sub in SUBCOMMANDS.get(cmd, "").split():
            full = f"{cmd}|{sub}"
            if full not in subs:
                raise SystemExit(f"redis-server has no subcommand {full}")
            rows.append(row(subs[full], subdocs[full], prefix=cmd))
            docs.extend(doc_block(full, subdocs[full]))
    for file_name, lines in (("commands.txt", rows), ("command-docs.txt", docs)):
        with open(os.path.join(out_dir, file_name), "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(lines) + "\n")


main()
