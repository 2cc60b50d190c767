#!/usr/bin/env python3
import os,sys,time
# Per-thread CPU% over a window: thrcpu.py SECONDS PID...
secs=float(sys.argv[1]); pids=sys.argv[2:]
def snap():
    d={}
    for p in pids:
        try: tids=os.listdir(f'/proc/{p}/task')
        except FileNotFoundError: continue
        for t in tids:
            try:
                s=open(f'/proc/{p}/task/{t}/stat').read(); name=s[s.index('(')+1:s.rindex(')')]
                f=s[s.rindex(')')+2:].split(); d[(p,t)]=(name,int(f[11])+int(f[12]))
            except Exception: pass
    return d
a=snap(); time.sleep(secs); b=snap(); hz=os.sysconf('SC_CLK_TCK')
rows=sorted(((b[k][1]-a[k][1])*100/hz/secs,k[0],b[k][0]) for k in b if k in a)
tot={}
for c,p,n in rows: tot[p]=tot.get(p,0)+c
for c,p,n in reversed(rows[-12:]): print(f"{c:6.1f}% {p} {n}")
print('totals', {p:round(c) for p,c in tot.items()})
