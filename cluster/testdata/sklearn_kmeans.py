#!/usr/bin/python3
"""scikit-learn 1.2.1's KMeans (Debian python3-sklearn) on the IMDB reviews' count bag of
words, CountVectorizer(min_df=10, max_df=0.1) as Effective Data Science Infrastructure
ch. 5 builds it: the reference values and timings of cluster's imdb_test.go.

usage, from the repository root (REVIEWS = data/imdb/reviews.json, scripts/fetch-data.sh):
    /usr/bin/python3 cluster/testdata/sklearn_kmeans.py REVIEWS subset
    /usr/bin/python3 cluster/testdata/sklearn_kmeans.py REVIEWS kiln-seeds [--seed 2]
    flock /tmp/kiln-bench.lock /usr/bin/python3 cluster/testdata/sklearn_kmeans.py REVIEWS time --k 10 --seed 0

subset: the first 2,000 reviews, from the first ten rows as centres (KMeans(10,
init=X[:10].toarray(), n_init=1)), with Lloyd's and Elkan's algorithm: iterations, inertia,
cluster sizes and each cluster's five top terms (np.argsort(-centroid, kind="stable")), as
TestKMeansIMDBSubsetMatchesSklearn checks them.

kiln-seeds: all 50,000 reviews, from the ten rows that kiln's k-means++ picks with Seed 1
(--seed 2: with Seed 2), so that the two implementations start alike: iterations and inertia, as
TestKMeansIMDBFullSeed1 checks them.

time: KMeans(K, n_init=1, random_state=SEED) with scikit-learn's own k-means++ on all 50,000
reviews, timed like BenchmarkKMeansIMDB: the fit's seconds (seeding included), iterations,
inertia and seconds per iteration.
"""
import argparse
import json
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer

# The rows of the 50,000 (file order) that kiln's KMeans{K: 10, Seed: s} starts from: k-means++
# draws rows, and these are the rows equal to its centres.
KILN_SEED_ROWS = {
    1: [29913, 25680, 29673, 15461, 8024, 10190, 44617, 49997, 19232, 25038],
    2: [34077, 10661, 29868, 47239, 23183, 11819, 3524, 5306, 30587, 48244],
}


def counts(path, n=None):
    with open(path, encoding="utf-8") as f:
        docs = [r["t"].replace("<br />", " ") for r in json.load(f)[:n]]
    cv = CountVectorizer(min_df=10, max_df=0.1)
    X = cv.fit_transform(docs).astype(np.float64).tocsr()
    print(f"X: {X.shape[0]} x {X.shape[1]}, {X.nnz} non-zeros")
    return X, cv.get_feature_names_out()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reviews")
    ap.add_argument("mode", choices=["subset", "kiln-seeds", "time"])
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    if a.mode == "subset":
        X, terms = counts(a.reviews, 2000)
        for algorithm in ["lloyd", "elkan"]:
            km = KMeans(10, init=X[:10].toarray(), n_init=1, algorithm=algorithm).fit(X)
            sizes = np.bincount(km.labels_, minlength=10).tolist()
            print(f"{algorithm}: {km.n_iter_} iterations, inertia {km.inertia_:.10g}, sizes {sizes}")
            for c, centre in enumerate(km.cluster_centers_):
                print(f"  cluster {c}: {' '.join(terms[np.argsort(-centre, kind='stable')[:5]])}")
    elif a.mode == "kiln-seeds":
        X, _ = counts(a.reviews)
        km = KMeans(10, init=X[KILN_SEED_ROWS[a.seed]].toarray(), n_init=1).fit(X)
        print(f"from kiln's Seed {a.seed} centres: {km.n_iter_} iterations, inertia {km.inertia_:.10g}")
    else:
        X, _ = counts(a.reviews)
        start = time.perf_counter()
        km = KMeans(a.k, n_init=1, random_state=a.seed).fit(X)
        took = time.perf_counter() - start
        print(f"K={a.k} seed={a.seed}: {took:.3f} s, {km.n_iter_} iterations, inertia {km.inertia_:.10g}, "
              f"{took / km.n_iter_ * 1000:.1f} ms per iteration")


main()
