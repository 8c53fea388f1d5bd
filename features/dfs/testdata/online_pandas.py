#!/usr/bin/python3
"""Online baseline for BenchmarkScorePlane: the 40 features of pandas_reference.py for one plane at a
time in pandas, with the per-plane row index built once (groupby indices), cycling over the planes.
usage: online_pandas.py NYCFLIGHTS_DIR [--planes N (default all 4,043)]; prints the median and p99 seconds per plane."""
import sys, time, argparse, pandas as pd, numpy as np
ap = argparse.ArgumentParser(); ap.add_argument('dir'); ap.add_argument('--planes', type=int, default=0)
a = ap.parse_args()
fl = pd.read_csv(f'{a.dir}/flights.csv.gz')
fl = fl[fl['tailnum'].notna()].reset_index(drop=True)
num = ['dep_delay', 'arr_delay', 'air_time', 'distance']
tops = {c: list(fl[c].value_counts().index[:10]) for c in ['carrier', 'origin']}
index = fl.groupby('tailnum').indices  # the per-plane index, built once
planes = sorted(index)[:a.planes or None]
def score(rows):
    v = fl.iloc[rows]
    out = [len(v)]
    for c in num:
        s = v[c]
        out += [s.sum(), s.mean(), s.min(), s.max(), s.std(), s.skew()]
    d = v['dest']
    m = d.mode()
    out += [d.nunique(), m.iloc[0] if len(m) else None]
    for c, top in tops.items():
        out += [(v[c] == t).sum() for t in top]
    return out
took = []
for p in planes:
    t = time.perf_counter(); score(index[p]); took.append(time.perf_counter() - t)
took.sort()
print(f'online_pandas planes={len(took)} median={took[len(took)//2]*1e6:.0f}us p99={took[len(took)*99//100]*1e6:.0f}us')
