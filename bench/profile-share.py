#!/usr/bin/env python3
"""Shares of a collapsed-stack profile (bench/profile-connect.sh) by what a new HTTP connection's
CPU is spent on: each stack goes to the first group in GROUPS one of whose frames it holds (so a
stage's work inside materialization counts as materializing). The JIT compiler's threads are
left out: on a loaded machine they are still compiling connection set-up minutes in.
  bench/profile-share.py OUT.collapsed"""
import collections
import sys

GROUPS = [
    ("materializing the connection's graph", ["PhasedFusingActorMaterializer.materialize"]),
    ("creating actors", ["ActorCell.create", "Children.makeChild"]),
    ("stopping actors, death watch (system messages)", ["processAllSystemMessages", "ActorCell.terminate"]),
    ("parsing the request, rendering the response", ["HttpMessageParser", "HttpRequestParser", "HttpResponseRenderer"]),
    ("the proxy's own work (routes, cache, fetches)", ["redisproxy", "lettuce"]),
    ("Pekko IO's listener: accepting", ["TcpListener"]),
    ("Pekko IO's connection actor: reading, writing, closing", ["TcpConnection"]),
    ("Pekko IO's selector: registering channels, select", ["SelectionHandler", "SelectorImpl"]),
    ("running the stages (stream interpreter)", ["GraphInterpreter"]),
    ("timers (Pekko's scheduler)", ["LightArrayRevolver"]),
    ("mailboxes and thread pools", ["Mailbox", "ForkJoin", "SingleThreadEventExecutor", "ThreadPoolExecutor"]),
]
JIT = ("CompilerThre", "Sweeper")

shares = collections.Counter()
total = 0
for line in open(sys.argv[1]):
    stack, _, count = line.rstrip().rpartition(" ")
    if not stack or any(name in stack.split(";")[0] for name in JIT):
        continue
    total += int(count)
    group = next((g for g, frames in GROUPS if any(f in stack for f in frames)), "other, GC")
    shares[group] += int(count)
for group, count in shares.most_common():
    print(f"{count * 100 / max(total, 1):5.1f}%  {group}")
print(f"{total} samples outside the JIT")
