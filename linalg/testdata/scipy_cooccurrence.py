#!/usr/bin/python3
"""Reference word co-occurrence counts for linalg's IMDB tests and examples/cooccurrence:
the binary bag of words B of scikit-learn 1.2.1's CountVectorizer(min_df=10, max_df=0.1,
binary=True), then C = B.T @ B with scipy 1.10.1 (Debian python3-sklearn, python3-scipy),
so that C[x, y] is the number of documents holding both words x and y.

usage, from the repository root:
    /usr/bin/python3 linalg/testdata/scipy_cooccurrence.py data/imdb/reviews.json
    /usr/bin/python3 linalg/testdata/scipy_cooccurrence.py dataset/builtin/data/imdb_sample.csv.gz --top 12
    /usr/bin/python3 linalg/testdata/scipy_cooccurrence.py data/imdb/reviews.json --numba-stacked 13

The documents are a JSON list of {"t": text} (scripts/fetch-data.sh's 50,000 reviews) or a CSV with
a "review" column (the embedded 5,000-review sample), in file order, with every "<br />" replaced
by a space. It prints B's shape and non-zeros and the sum of its squared row lengths (which equals
the sum of all of C), then C's sum, non-zeros and trace, the counts of the word pairs and the row
sums of the words linalg's tests check (--pairs, --rows), and with --top N the N largest entries
above the diagonal (ties by row, then column). C for the 50,000 reviews (113.5 million non-zeros)
takes about 3 GB.

--numba-stacked R instead times the loop of Effective Data Science Infrastructure's Listing 5.10
compiled by Numba (Debian python3-numba 0.56.4) on B stacked R times (R x 50,000 documents, the
same vocabulary), its dense int32 output allocated and zeroed before the timer, as
BenchmarkCooccurrenceStacked13 runs kiln's kernel, and prints the seconds and the checksum.
"""
import argparse
import json
import time

import numpy as np
import pandas as pd
import scipy.sparse
from sklearn.feature_extraction.text import CountVectorizer

PAIRS = ("hitchcock:vertigo kubrick:shining sequel:remake excellent:boring hitchcock:zombie horror:gore "
         "zombie:zombies worst:waste oscar:performance cat:dog 00:zulu horror:horror wonderful:wonderful "
         "hitchcock:hitchcock")


def documents(path):
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            texts = [r["t"] for r in json.load(f)]
    else:
        texts = pd.read_csv(path)["review"].tolist()
    return [t.replace("<br />", " ") for t in texts]


def pair_loop(indptr, indices, out):
    # Listing 5.10's loop: every pair of words within each document, the diagonal once.
    for d in range(len(indptr) - 1):
        words = indices[indptr[d]:indptr[d + 1]]
        for i in range(len(words)):
            x = words[i]
            out[x, x] += 1
            for j in range(i + 1, len(words)):
                y = words[j]
                out[x, y] += 1
                out[y, x] += 1


def time_numba(B, repeat):
    from numba import njit
    B = scipy.sparse.vstack([B] * repeat).tocsr()
    B.sort_indices()
    loop = njit(pair_loop)
    m = B.shape[1]
    out = np.zeros((m, m), dtype=np.int32)
    loop(B.indptr[:2], B.indices, out)  # compile outside the timer
    out[:] = 0
    start = time.perf_counter()
    loop(B.indptr, B.indices, out)
    took = time.perf_counter() - start
    print(f"Numba loop on {B.shape[0]} documents: {took:.3f} s, checksum {int(out.sum(dtype=np.int64))}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("documents")
    ap.add_argument("--pairs", default=PAIRS, help="space-separated x:y word pairs to print C[x, y] of")
    ap.add_argument("--rows", default="hitchcock,zombie,00", help="comma-separated words to print row sums of")
    ap.add_argument("--top", type=int, default=0)
    ap.add_argument("--numba-stacked", type=int, default=0)
    a = ap.parse_args()

    cv = CountVectorizer(min_df=10, max_df=0.1, binary=True)
    B = cv.fit_transform(documents(a.documents)).tocsr()
    lengths = np.diff(B.indptr).astype(np.int64)
    print(f"B: {B.shape[0]} x {B.shape[1]}, {B.nnz} non-zeros, sum of squared row lengths {int((lengths ** 2).sum())}")
    if a.numba_stacked:
        time_numba(B, a.numba_stacked)
        return

    index = cv.vocabulary_
    terms = cv.get_feature_names_out()
    C = (B.T @ B).tocsr()
    print(f"C: sum {int(C.sum(dtype=np.int64))}, {C.nnz} non-zeros, trace {int(C.diagonal().sum())}")
    for pair in a.pairs.split():
        x, y = pair.split(":")
        if x in index and y in index:
            print(f"C[{x}, {y}] = {C[index[x], index[y]]}")
    for w in a.rows.split(","):
        if w in index:
            print(f"row {w} sums to {int(C[index[w]].sum())}")
    if a.top:
        U = scipy.sparse.triu(C, k=1).tocoo()
        order = np.lexsort((U.col, U.row, -U.data))[:a.top]
        print("largest above the diagonal:", ", ".join(f"{terms[U.row[k]]} {terms[U.col[k]]} {U.data[k]}" for k in order))


main()
