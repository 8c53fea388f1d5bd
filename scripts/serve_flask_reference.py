"""Reference model endpoint for the serving benchmark: Flask + numpy serving
the same .kiln bundle as kiln's server, the way chapter 2 of 'Data Science in
Production' serves a model (a Flask app under gunicorn).

The bundle is read with the container reader of persist/reader/kiln_reader.py
(FORMAT.md's reference reader, numpy only), and scored as FORMAT.md says: a
features.Table step (numeric columns imputed and scaled, categorical columns
one-hot) followed by a LinearRegression.

    KILN_BUNDLE=reg/housing/1/model.kiln KILN_MODEL=housing KILN_VERSION=1 \
        gunicorn -w 2 -b 127.0.0.1:18081 --chdir scripts serve_flask_reference:app

Routes, answering as kiln's do:
    POST /models/NAME/predict   {"rows": [{"column": value, ...}, ...]}
    POST /v2/models/NAME/infer  Open Inference Protocol, one tensor per column
"""
import os
import sys

import flask
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def load_reader():
    sys.path.insert(0, os.path.join(HERE, "..", "persist", "reader"))
    import kiln_reader
    return kiln_reader.read_bundle


def strings(tensors, name):
    data, offsets = tensors[name + ".bytes"].tobytes(), tensors[name + ".offsets"]
    return [data[offsets[i]:offsets[i + 1]].decode() for i in range(len(offsets) - 1)]


class Model:
    def __init__(self, path):
        manifest, t = load_reader()(path)
        table, last = manifest["steps"][0], manifest["steps"][-1]
        if table["kind"] != "features.Table" or last["kind"] != "models.LinearRegression":
            raise ValueError("this reference scores a features.Table + LinearRegression bundle")
        n = table["name"]
        self.numeric = strings(t, n + ".numeric")
        stats = t[n + ".numeric_stats"].reshape(len(self.numeric), 3)
        self.fill, self.center, self.divisor = stats[:, 0], stats[:, 1], stats[:, 2]
        self.impute = table["params"].get("impute") or [False] * len(self.numeric)
        self.categorical = strings(t, n + ".categorical")
        self.levels = [{lv: j for j, lv in enumerate(strings(t, f"{n}.levels.{i}"))} for i in range(len(self.categorical))]
        self.unknown = table["params"].get("unknown") or [False] * len(self.categorical)
        self.coef = t[last["name"] + ".coef"]
        self.intercept = t[last["name"] + ".intercept"][0]
        self.output = manifest["outputs"].get("name", "prediction")
        self.inputs = [f["name"] for f in manifest["inputs"]]

    def matrix(self, columns, rows):
        """columns: name -> list of values (None for null)."""
        blocks = []
        for j, name in enumerate(self.numeric):
            v = np.array([np.nan if x is None else x for x in columns[name]], dtype=float)
            if np.isnan(v).any():
                if not self.impute[j]:
                    raise ValueError(f"column {name!r}: null")
                v = np.where(np.isnan(v), self.fill[j], v)
            blocks.append(((v - self.center[j]) / self.divisor[j])[:, None])
        for i, name in enumerate(self.categorical):
            lv = self.levels[i]
            block = np.zeros((rows, len(lv) + (1 if self.unknown[i] else 0)))
            for r, x in enumerate(columns[name]):
                if x is None:
                    continue
                k = lv.get(str(x))
                if k is not None:
                    block[r, k] = 1
                elif self.unknown[i]:
                    block[r, -1] = 1
            blocks.append(block)
        return np.hstack(blocks)

    def predict(self, columns, rows):
        y = self.matrix(columns, rows) @ self.coef + self.intercept
        if not np.isfinite(y).all():
            raise ValueError("a prediction is not finite")
        return y


MODEL = Model(os.environ["KILN_BUNDLE"])
NAME = os.environ.get("KILN_MODEL", "model")
VERSION = os.environ.get("KILN_VERSION", "1")
app = flask.Flask(__name__)


def error(msg, status=400):
    return flask.jsonify({"error": msg, "model": NAME, "version": VERSION}), status


@app.post("/models/<name>/predict")
def rows(name):
    body = flask.request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("rows"), list) or not body["rows"]:
        return error('the body is {"rows": [{"column": value, ...}, ...]}')
    rows = body["rows"]
    try:
        columns = {c: [r[c] for r in rows] for c in MODEL.inputs}
        y = MODEL.predict(columns, len(rows))
    except (KeyError, TypeError, ValueError) as e:
        return error(f"bad rows: {e}")
    return flask.jsonify({"model": NAME, "version": VERSION, "predictions": y.tolist()})


@app.post("/v2/models/<name>/infer")
def infer(name):
    body = flask.request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        return error('the inference request has no "inputs"')
    try:
        columns = {t["name"]: list(np.ravel(np.array(t["data"], dtype=object))) for t in body["inputs"]}
        n = len(columns[MODEL.inputs[0]])
        y = MODEL.predict(columns, n)
    except (KeyError, TypeError, ValueError) as e:
        return error(f"bad inputs: {e}")
    out = {"name": MODEL.output, "datatype": "FP64", "shape": [n], "data": y.tolist()}
    return flask.jsonify({"model_name": NAME, "model_version": VERSION, "id": body.get("id", ""), "outputs": [out]})
