#!/usr/bin/python3
"""The scikit-learn 1.2.1 values (Debian python3-sklearn) that linear_test.go,
logistic_test.go and imdb_test.go compare kiln's models with.

usage, from the repository root:
    /usr/bin/python3 models/testdata/sklearn_reference.py [data/imdb/reviews.json]

Without an argument it fits the embedded data sets (dataset/builtin/data) in a
second or two; with the 50,000 IMDB reviews (scripts/fetch-data.sh) it also
fits the sentiment task of imdb_test.go (about a minute). Each case prints its
name, scikit-learn's n_iter_ for logistic fits, then the intercept(s) and
coefficients, class row after class row, at 19 significant digits. The fits
that models' benchmarks time (California OLS, breast cancer at C=1, IMDB) also
print the seconds of the fit alone, the data loaded outside the timer.
"""
import sys
import time

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import log_loss, r2_score, roc_auc_score

DATA = "dataset/builtin/data"


def show(name, m, extra=""):
    b = np.atleast_1d(m.intercept_)
    w = np.atleast_2d(m.coef_)
    it = getattr(m, "n_iter_", None)
    print(name + (f", n_iter_ {int(np.max(it))}" if it is not None else "") + extra)
    print("  " + ", ".join(f"{v:.19g}" for r in range(len(w)) for v in np.r_[b[r], w[r]]))


def timed_fit(m, X, y):
    start = time.perf_counter()
    m.fit(X, y)
    return m, f", fit {time.perf_counter() - start:.4f} s"


def population_standardize(X):
    return (X - X.mean(0)) / X.std(0)


def linear():
    # California housing: rows with a missing total_bedrooms dropped, ocean_proximity
    # one-hot with its first level dropped (pandas.get_dummies' column order).
    ca = pd.read_csv(f"{DATA}/california_housing.csv.gz").dropna()
    y = ca["median_house_value"].values
    X = pd.get_dummies(ca.drop(columns=["median_house_value"]), columns=["ocean_proximity"],
                       drop_first=True).astype(float).values
    m, took = timed_fit(LinearRegression(), X, y)
    show(f"OLS California housing ({len(y)} rows)", m, f", R2 {r2_score(y, m.predict(X)):.10f}{took}")

    mt = pd.read_csv(f"{DATA}/mtcars.csv")
    Xm, ym = mt[["wt", "hp", "disp"]].values.astype(float), mt["mpg"].values
    show("mtcars ridge alpha 10", Ridge(alpha=10).fit(Xm, ym))
    show("mtcars ridge alpha 10, no intercept", Ridge(alpha=10, fit_intercept=False).fit(Xm, ym))
    show("mtcars OLS, no intercept", LinearRegression(fit_intercept=False).fit(Xm, ym))
    dup = np.c_[Xm[:, 0], Xm[:, 1], 2 * Xm[:, 0]]
    m = LinearRegression().fit(dup, ym)
    show("mtcars OLS on [wt, hp, 2*wt]", m, f", rank_ {m.rank_}")

    # load_diabetes' scaling of the raw data: centre each column, divide by its L2 norm.
    di = pd.read_csv(f"{DATA}/diabetes_raw.csv")
    Xd = di.drop(columns=["target"]).values.astype(float)
    Xd = Xd - Xd.mean(0)
    Xd = Xd / np.sqrt((Xd ** 2).sum(0))
    show("diabetes OLS", LinearRegression().fit(Xd, di["target"].values))


def logistic():
    bc = pd.read_csv(f"{DATA}/breast_cancer.csv")
    yb = bc["target"].values
    Xb = population_standardize(bc.drop(columns=["target", "target_name"]).values.astype(float))
    tight = dict(max_iter=1000, tol=1e-10)
    m, took = timed_fit(LogisticRegression(C=1.0, **tight), Xb, yb)
    show("breast cancer, C=1", m, f", training log-loss {log_loss(yb, m.predict_proba(Xb)):.8f}{took}")
    show("breast cancer, balanced", LogisticRegression(C=1.0, class_weight="balanced", **tight).fit(Xb, yb))
    show("breast cancer, first five columns, C=0.5, class_weight {0: 3}",
         LogisticRegression(C=0.5, class_weight={0: 3.0}, **tight).fit(Xb[:, :5], yb))

    ir = pd.read_csv(f"{DATA}/iris.csv")
    Xi = ir.iloc[:, :4].values.astype(float)
    yi = ir["Species"].map({"setosa": 0, "versicolor": 1, "virginica": 2}).values
    Xs = population_standardize(Xi)
    show("iris standardized, defaults", LogisticRegression().fit(Xs, yi))
    show("iris standardized, max_iter 1000, tol 1e-10", LogisticRegression(**tight).fit(Xs, yi))
    show("iris standardized, class_weight {0: 2, 2: 0.5}",
         LogisticRegression(class_weight={0: 2.0, 2: 0.5}).fit(Xs, yi))
    show("iris standardized, no intercept, C=0.3", LogisticRegression(fit_intercept=False, C=0.3).fit(Xs, yi))
    show("iris raw, max_iter 1000, tol 1e-10", LogisticRegression(**tight).fit(Xi, yi))


def imdb(path):
    # The original train blocks (reviews 12,500-24,999 and 37,500-49,999 of the file) for
    # fitting, the test blocks for scoring; the bag of words is fitted on the training reviews.
    import json
    from sklearn.feature_extraction.text import CountVectorizer
    rows = json.load(open(path, encoding="utf-8"))
    docs = [r["t"].replace("<br />", " ") for r in rows]
    label = np.array([r["s"] for r in rows])
    train = np.r_[12500:25000, 37500:50000]
    test = np.r_[0:12500, 25000:37500]
    cv = CountVectorizer(min_df=10, max_df=0.1, binary=True)
    Xtr = cv.fit_transform([docs[i] for i in train]).astype(float)
    Xte = cv.transform([docs[i] for i in test]).astype(float)
    m, took = timed_fit(LogisticRegression(C=1.0, max_iter=1000), Xtr, label[train])
    auc = roc_auc_score(label[test], m.predict_proba(Xte)[:, 1])
    print(f"IMDB sentiment: vocabulary {Xtr.shape[1]}, n_iter_ {m.n_iter_[0]}, test ROC AUC {auc:.6f}{took}")


linear()
logistic()
if len(sys.argv) > 1:
    imdb(sys.argv[1])
