#!/usr/bin/python3
"""Reference optima for models' Newton solver tests: scikit-learn 1.2.1 (Debian
python3-sklearn) LogisticRegression(solver="newton-cg", tol=1e-12), whose
answer is the optimum to about 1e-10, on the embedded data.
usage (from the repository root): /usr/bin/python3 models/testdata/sklearn_newton.py
Prints intercept(s) then coefficients, per class row, at 13 significant digits.
"""
import numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression

data = "dataset/builtin/data"
bc = pd.read_csv(f"{data}/breast_cancer.csv")
yb = bc["target"].values
Xb = bc.drop(columns=["target", "target_name"]).values.astype(float)
Xb = (Xb - Xb.mean(0)) / Xb.std(0)
iris = pd.read_csv(f"{data}/iris.csv")
Xi = iris.iloc[:, :4].values.astype(float)
yi = iris["Species"].map({"setosa": 0, "versicolor": 1, "virginica": 2}).values


def show(name, m):
    rows = [np.r_[b, w] for b, w in zip(m.intercept_, m.coef_)]
    print(name, "n_iter", m.n_iter_)
    print(", ".join(f"{v:.13g}" for r in rows for v in r))


opts = dict(solver="newton-cg", tol=1e-12, max_iter=1000)
show("breast cancer, C=1", LogisticRegression(C=1.0, **opts).fit(Xb, yb))
show("breast cancer, balanced, C=1", LogisticRegression(C=1.0, class_weight="balanced", **opts).fit(Xb, yb))
show("iris raw, multinomial, C=1", LogisticRegression(C=1.0, **opts).fit(Xi, yi))
show("iris standardized, no intercept, C=0.3", LogisticRegression(C=0.3, fit_intercept=False, **opts).fit((Xi - Xi.mean(0)) / Xi.std(0), yi))
