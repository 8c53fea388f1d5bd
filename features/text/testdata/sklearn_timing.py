#!/usr/bin/python3
"""The scikit-learn side of BenchmarkCountVectorizerIMDB: times
CountVectorizer(min_df=10, max_df=0.1, binary=True).fit_transform on the 50,000
IMDB reviews ("<br />" -> " "), the binary bag of words of the co-occurrence references.

usage: /usr/bin/python3 sklearn_timing.py data/imdb/reviews.json [REPEAT]
Prints each run's seconds, the median, the matrix shape and nnz, and the peak RSS."""
import json, resource, statistics, sys, time
from sklearn.feature_extraction.text import CountVectorizer

docs = [r['t'].replace('<br />', ' ') for r in json.load(open(sys.argv[1]))]
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
times = []
for _ in range(repeat):
    t = time.perf_counter()
    X = CountVectorizer(min_df=10, max_df=0.1, binary=True).fit_transform(docs)
    times.append(time.perf_counter() - t)
print('runs', ' '.join('%.3f' % t for t in times))
print('median %.3f s  shape %s  nnz %d  peak RSS %.0f MB' % (statistics.median(times), X.shape, X.nnz,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
