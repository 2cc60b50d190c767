#!/usr/bin/env python3
"""Medians of bench/ab-*.sh lines (round load name req/s p50 p99), and each name's ratio to
the base name (argument 1) taken per round, then the median."""
import sys,collections,statistics
rows=collections.defaultdict(list); base=sys.argv[1] if len(sys.argv)>1 else 'redis'
per=collections.defaultdict(dict)
for l in sys.stdin:
    f=l.split()
    if len(f)<6 or not f[0].startswith('r'): continue
    r,load,name=f[0],f[1],f[2]; v=list(map(float,f[3:6]))
    rows[(load,name)].append(v); per[(r,load)][name]=v[0]
for (load,name),vs in sorted(rows.items()):
    ratios=[d[name]/d[base] for (r,l),d in per.items() if l==load and base in d and name in d]
    print(f"{load:5s} {name:14s} rps {statistics.median([v[0] for v in vs]):>10,.0f}  p50 {statistics.median([v[1] for v in vs]):.3f}  p99 {statistics.median([v[2] for v in vs]):.3f}  ratio {statistics.median(ratios) if ratios else float('nan'):.2f}  (n={len(vs)})")
