#!/usr/bin/python3
"""kiln's benchmark references in Python (Debian's python3-pandas, python3-sklearn,
python3-scipy, python3-numba), run by scripts/bench.sh. Each call prints one JSON line
with the seconds of the timed step (interpreter start, imports and data loading excluded).

  references.py csv FILE.csv                 pandas.read_csv, default type inference
  references.py dfs FLIGHTS.csv REPEAT       the 40 flights -> planes features with pandas groupby
  references.py countvec REVIEWS.json        scikit-learn CountVectorizer(min_df=10, max_df=0.1,
                                             binary=True).fit_transform on the IMDB reviews
  references.py numba REVIEWS.json           co-occurrence, the Numba loop of Effective Data Science
                                             Infrastructure (Listing 5.10); its output is allocated
                                             and zeroed before the timer, as in the book
  references.py scipy REVIEWS.json           co-occurrence as (B.T * B).todense() (Listing 5.9); its
                                             allocation is inside the timer
REVIEWS.json is data/imdb/reviews.json (scripts/fetch-data.sh): a list of {"t": text}; "<br />"
is replaced by a space, as kiln's benchmarks do."""
import json, sys, time


def now():
    return time.perf_counter()


def reviews(path):
    return [r['t'].replace('<br />', ' ') for r in json.load(open(path, encoding='utf-8'))]


def bag_of_words(path):
    from sklearn.feature_extraction.text import CountVectorizer
    b = CountVectorizer(min_df=10, max_df=0.1, binary=True).fit_transform(reviews(path)).tocsr()
    b.sort_indices()
    return b


def csv(path):
    import pandas as pd
    t = now()
    df = pd.read_csv(path)
    s = now() - t
    return {'seconds': s, 'rows': len(df), 'dtypes': {k: int(v) for k, v in df.dtypes.astype(str).value_counts().items()}}


def dfs(path, repeat):
    import pandas as pd
    fl = pd.read_csv(path)
    if repeat > 1:
        fl = pd.concat([fl] * repeat, ignore_index=True)
    fl = fl[fl['tailnum'].notna()]
    t = now()
    g = fl.groupby('tailnum')
    parts = [g.size().rename('COUNT(flights)')]
    for c in ['dep_delay', 'arr_delay', 'air_time', 'distance']:
        s = g[c]
        parts += [s.sum().rename(f'SUM(flights.{c})'), s.mean().rename(f'MEAN(flights.{c})'),
                  s.min().rename(f'MIN(flights.{c})'), s.max().rename(f'MAX(flights.{c})'),
                  s.std().rename(f'STD(flights.{c})'), s.skew().rename(f'SKEW(flights.{c})')]
    parts.append(g['dest'].nunique().rename('NUM_UNIQUE(flights.dest)'))
    parts.append(g['dest'].agg(lambda v: v.mode().iloc[0] if len(v.mode()) else None).rename('MODE(flights.dest)'))
    for c in ['carrier', 'origin']:
        for v in fl[c].value_counts().index[:10]:
            parts.append((fl[c] == v).groupby(fl['tailnum']).sum().rename(f'SUM(flights.{c} = {v})'))
    fm = pd.concat(parts, axis=1)
    s = now() - t
    return {'seconds': s, 'rows': len(fl), 'planes': fm.shape[0], 'features': fm.shape[1]}


def countvec(path):
    from sklearn.feature_extraction.text import CountVectorizer
    docs = reviews(path)
    t = now()
    x = CountVectorizer(min_df=10, max_df=0.1, binary=True).fit_transform(docs)
    s = now() - t
    return {'seconds': s, 'shape': list(x.shape), 'nnz': int(x.nnz)}


def cooc_loop(indptr, indices, cooc):
    for row_idx in range(len(indptr) - 1):
        row = indices[indptr[row_idx]:indptr[row_idx + 1]]
        n = len(row)
        for i in range(n):
            x = row[i]
            cooc[x][x] += 1
            for j in range(i + 1, n):
                y = row[j]
                cooc[x][y] += 1
                cooc[y][x] += 1


def numba(path):
    import numpy as np
    from numba import jit
    b = bag_of_words(path)
    m = b.shape[1]
    fast = jit(nopython=True)(cooc_loop)
    c = np.zeros((m, m), dtype=np.int32)
    fast(b.indptr[:2], b.indices, c)  # compile outside the timer
    c[:] = 0  # the book allocates and zeroes its output before timing the loop
    t = now()
    fast(b.indptr, b.indices, c)
    s = now() - t
    return {'seconds': s, 'checksum': int(c.sum(dtype=np.int64))}


def scipy(path):
    b = bag_of_words(path)
    t = now()
    c = (b.T * b).todense()
    s = now() - t
    return {'seconds': s, 'checksum': int(c.sum())}


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == 'dfs':
        out = dfs(path, int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    else:
        out = {'csv': csv, 'countvec': countvec, 'numba': numba, 'scipy': scipy}[mode](path)
    print(json.dumps({'reference': mode, **out}))


if __name__ == '__main__':
    main()
