#!/usr/bin/env python3
"""Where a keep-alive HTTP hit's allocation goes, from an allocation profile (bench/profile-connect.sh
with AP_EVENT=alloc KEEP_ALIVE=1): each stack's bytes go to the first group in GROUPS (looked for
from the allocating frame outwards) whose frame it holds; the bytes per request given as argument 2
(the profile's last line) are split in those shares.
  bench/alloc-share.py OUT.collapsed [BYTES_PER_REQUEST]"""
import collections
import sys

GROUPS = [
    ("the proxy's routes and response (ProxyReads, ReadResponses, ProxyRoutes, HttpAuth)", ["com/redisproxy/http/"]),
    ("the cache's read (ReadBatcher, CacheActor, the store)", ["com/redisproxy/cache/"]),
    ("metrics", ["com/redisproxy/metrics/", "io/prometheus"]),
    ("parsing the request (request line, URI, headers)", ["HttpRequestParser", "HttpMessageParser", "UriParser",
        "HttpHeaderParser", "org/parboiled2", "model/Uri"]),
    ("rendering the response (status line, headers, entity)", ["HttpResponseRenderer", "Rendering"]),
    ("the server's stages (controller, request preparation, mapAsync)", ["HttpServerBluePrint", "MapAsync", "fusing/Map"]),
    ("Pekko IO: reading, writing, selector", ["org/apache/pekko/io/"]),
    ("the stream's interpreter and actor (async input, the stage actor)", ["GraphInterpreter", "ActorGraphInterpreter",
        "GraphStageLogic$StageActor", "TcpStages"]),
    ("futures and promises", ["CompletableFuture", "scala/concurrent"]),
    ("mailboxes, dispatchers (messages between actors)", ["pekko/dispatch/", "pekko/actor/"]),
]


def group_of(frames):
    for frame in reversed(frames[1:]):
        for name, marks in GROUPS:
            if any(mark in frame for mark in marks):
                return name
    return "other (JVM, JIT, GC, logging)"


total, shares = 0, collections.Counter()
for line in open(sys.argv[1]):
    stack, _, count = line.rstrip().rpartition(" ")
    total += int(count)
    shares[group_of(stack.split(";"))] += int(count)
per_request = float(sys.argv[2]) if len(sys.argv) > 2 else 0
for name, count in shares.most_common():
    share = count / max(total, 1)
    print(f"{100 * share:5.1f}%  {share * per_request:6.0f} B  {name}")
