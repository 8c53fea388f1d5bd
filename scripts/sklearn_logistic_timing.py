#!/usr/bin/python3
"""scikit-learn side of models' BenchmarkLogisticBreastCancer (models/bench_test.go).

Fits scikit-learn's LogisticRegression(C=1, max_iter=1000, tol=1e-10) with the
lbfgs solver on the standardized breast cancer data (569 x 30, each column
centred and divided by its population standard deviation, as the Go benchmark
does) and prints the median of several fits in one process (the first fit, which
pays for imports and caches, is timed apart):

    /usr/bin/python3 scripts/sklearn_logistic_timing.py dataset/builtin/data/breast_cancer.csv [--repeat 20]

It also prints the iterations, the objective (sum of log-losses + ||w||^2 / 2)
and the largest gradient component, to compare with kiln's two solvers.
"""
import argparse
import statistics
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression


def objective(m, X, y):
    z = X @ m.coef_.ravel() + m.intercept_[0]
    loss = np.sum(np.logaddexp(0, z) - y * z) + 0.5 * np.sum(m.coef_ ** 2)
    r = 1 / (1 + np.exp(-z)) - y
    grad = np.r_[X.T @ r + m.coef_.ravel(), r.sum()]
    return loss, np.abs(grad).max()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    bc = pd.read_csv(args.csv)
    y = bc["target"].values.astype(float)
    X = bc.drop(columns=["target", "target_name"]).values.astype(float)
    X = (X - X.mean(0)) / X.std(0)
    times = []
    for i in range(args.repeat + 1):
        t = time.perf_counter()
        m = LogisticRegression(C=1.0, max_iter=1000, tol=1e-10).fit(X, y)
        dt = time.perf_counter() - t
        if i == 0:
            first = dt
        else:
            times.append(dt)
    loss, gmax = objective(m, X, y)
    print(f"scikit-learn {sklearn.__version__} lbfgs breast cancer: median {statistics.median(times) * 1e3:.3f} ms "
          f"over {args.repeat} fits (first fit {first * 1e3:.3f} ms); n_iter {m.n_iter_[0]}, "
          f"objective {loss:.12f}, max |gradient| {gmax:.2e}")


if __name__ == "__main__":
    main()
