#!/usr/bin/env python3
"""Snapshots of one process's threads, for ab-cpu.sh's AB_SWITCHES: CPU ticks and context switches
(voluntary: the thread slept, e.g. in epoll_wait; involuntary: it was preempted) per thread.
  thread-switches.py snap PID >before      ... load ...      thread-switches.py diff PID N <before
diff prints the busiest thread's (the RESP loop's, under a RESP load) switches per request, and
the whole process's, over N requests."""
import os, sys

def snap(pid):
    rows = {}
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            stat = open(f'/proc/{pid}/task/{tid}/stat').read()
            name = stat[stat.index('(') + 1:stat.rindex(')')]
            fields = stat[stat.rindex(')') + 2:].split()
            status = dict(line.split(':', 1) for line in open(f'/proc/{pid}/task/{tid}/status') if ':' in line)
            rows[tid] = (name.replace(' ', '_'), int(fields[11]) + int(fields[12]),
                         int(status['voluntary_ctxt_switches']), int(status['nonvoluntary_ctxt_switches']))
        except (FileNotFoundError, ProcessLookupError, KeyError, ValueError):
            pass
    return rows

mode, pid = sys.argv[1], sys.argv[2]
if mode == 'snap':
    for tid, (name, ticks, vol, invol) in snap(pid).items(): print(tid, name, ticks, vol, invol)
    sys.exit()
n = int(sys.argv[3])
before = {f[0]: list(map(int, f[2:])) for f in (line.split() for line in sys.stdin) if len(f) == 5}
after = snap(pid)
deltas = [(a[1] - before[t][0], a[2] - before[t][1], a[3] - before[t][2], a[0]) for t, a in after.items() if t in before]
busiest = max(deltas)
total_vol, total_invol = sum(d[1] for d in deltas), sum(d[2] for d in deltas)
print(f"busiest {busiest[3]} vol_per_req {busiest[1] / n:.3f} invol_per_req {busiest[2] / n:.3f}"
      f" process_vol_per_req {total_vol / n:.3f} process_invol_per_req {total_invol / n:.3f}")
