#!/usr/bin/env python3
"""Two collapsed-stack CPU profiles (bench/profile-connect.sh, itimer: a sample is 1 ms of CPU)
side by side, per frame: the microseconds of CPU per request of the stacks holding that frame
(each stack counted once per frame), for the frames where the two differ most. The JIT
compiler's threads are left out. REQUESTS is the "covered" line's count of profile-connect.sh.
  bench/profile-diff.py A.collapsed REQUESTS_A B.collapsed REQUESTS_B [N]
A frame is its method without the argument list; lambdas and generated classes keep their names."""
import collections
import re
import sys

JIT = ("CompilerThre", "Sweeper")


def frames_of(path):
    per_frame = collections.Counter()
    total = 0
    for line in open(path):
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or any(name in stack.split(";")[0] for name in JIT):
            continue
        n = int(count)
        total += n
        for frame in {re.sub(r"\$\$Lambda.*", "$$Lambda", f.split("(")[0]) for f in stack.split(";")[1:]}:
            per_frame[frame] += n
    return per_frame, total


a, a_total = frames_of(sys.argv[1])
b, b_total = frames_of(sys.argv[3])
a_requests, b_requests = float(sys.argv[2]), float(sys.argv[4])
top = int(sys.argv[5]) if len(sys.argv) > 5 else 40
us_a = lambda f: a[f] * 1000 / a_requests
us_b = lambda f: b[f] * 1000 / b_requests
print(f"all samples outside the JIT: {a_total * 1000 / a_requests:.0f} against {b_total * 1000 / b_requests:.0f} us per request")
print(f"{'A us':>7} {'B us':>7} {'B-A':>7}  frame")
for f in sorted(set(a) | set(b), key=lambda f: -abs(us_b(f) - us_a(f)))[:top]:
    print(f"{us_a(f):7.1f} {us_b(f):7.1f} {us_b(f) - us_a(f):+7.1f}  {f}")
