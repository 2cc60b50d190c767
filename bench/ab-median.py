#!/usr/bin/env python3
"""Medians of bench/ab-*.sh lines (round load name req/s p50 p99 [label value ...]), and each
name's ratio to the base name (argument 1) taken per round, then the median. Labelled figures
after the first six fields (ab-cluster.sh's cpu_us, bench_cpu_us) get their medians too."""
import sys,collections,statistics
rows=collections.defaultdict(list); base=sys.argv[1] if len(sys.argv)>1 else 'redis'
per=collections.defaultdict(dict); extra=collections.defaultdict(lambda: collections.defaultdict(list))
for l in sys.stdin:
    f=l.split()
    if len(f)<6 or not f[0].startswith('r'): continue
    r,load,name=f[0],f[1],f[2]
    try: v=list(map(float,f[3:6]))
    except ValueError: continue
    rows[(load,name)].append(v); per[(r,load)][name]=v[0]
    for label,value in zip(f[6::2],f[7::2]):
        try: extra[(load,name)][label].append(float(value))
        except ValueError: pass
for (load,name),vs in sorted(rows.items()):
    ratios=[d[name]/d[base] for (r,l),d in per.items() if l==load and base in d and name in d]
    more=''.join(f"  {label} {statistics.median(values):.2f}" for label,values in extra[(load,name)].items())
    print(f"{load:5s} {name:14s} rps {statistics.median([v[0] for v in vs]):>10,.0f}  p50 {statistics.median([v[1] for v in vs]):.3f}  p99 {statistics.median([v[2] for v in vs]):.3f}  ratio {statistics.median(ratios) if ratios else float('nan'):.2f}{more}  (n={len(vs)})")
