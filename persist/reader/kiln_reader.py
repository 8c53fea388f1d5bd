#!/usr/bin/env python3
"""The reference reader of kiln's .kiln bundles, in Python 3 with numpy alone.

It checks a bundle as kiln's own loader does (both SHA-256 digests, the
header's structure, every size against the bytes that back it; see
persist/FORMAT.md) and scores it: every step kind kiln saves except feature
definitions (dfs.Definitions: FORMAT.md says why) is reimplemented here from the
format's specification, so that a bundle can be used, and checked, without
kiln. kiln's tests run it on every golden bundle and require its predictions
to equal kiln's within 1e-12.

    import kiln_reader
    model = kiln_reader.load("model.kiln")
    model.predict({"rooms": [3.0, None], "ocean": ["INLAND", "ISLAND"]})
    model.predict_proba({"review": ["a fine film", "dull"]})

Columns are given as a dict of name -> list (None is a missing cell);
numbers, bools, strings (or bytes, decoded as the vectorizer's
decode_errors says) and timestamps (int nanoseconds since the epoch, UTC).

Command line (what kiln's tests run):

    kiln_reader.py MODEL.kiln INPUT.json    prints predictions, probabilities
                                            and features as JSON
    kiln_reader.py --check MODEL.kiln       loads only: prints "ok" or why not
"""

import base64
import datetime
import decimal
import hashlib
import json
import math
import re
import struct
import sys

import numpy as np

FORMAT_MAJOR = 1
MAX_HEADER_BYTES = 100 << 20
MAX_RANK = 8
DTYPES = {"F64": "<f8", "F32": "<f4", "I64": "<i8", "I32": "<i4", "U8": "u1", "BOOL": "?"}
SIZES = {"F64": 8, "F32": 4, "I64": 8, "I32": 4, "U8": 1, "BOOL": 1}
EPS = 2.220446049250313e-16  # float64 machine epsilon, R's DBL_EPSILON


class BundleError(ValueError):
    """The bytes are not a kiln bundle this reader accepts (kiln's ErrCorrupt)."""


class UnsupportedVersion(BundleError):
    """The bundle's major version is newer than this reader's."""


class ScoringError(ValueError):
    """The input cannot be scored (a missing column, a missing cell, ...)."""


# ---------------------------------------------------------------------------
# The container: FORMAT.md's Layout, Metadata and Limits.

def read_bundle(source):
    """Returns (manifest, tensors) of a bundle given as a path or bytes, after
    every check of FORMAT.md's "Limits and errors" that does not need a step."""
    buf = source if isinstance(source, (bytes, bytearray)) else open(source, "rb").read()
    if len(buf) < 8:
        raise BundleError("%d bytes are too short for a kiln bundle" % len(buf))
    (n,) = struct.unpack("<Q", buf[:8])
    if n < 2 or n > MAX_HEADER_BYTES or n > len(buf) - 8:
        raise BundleError("header length %d is impossible for a %d-byte file" % (n, len(buf)))
    header, data = bytes(buf[8:8 + n]), bytes(buf[8 + n:])
    key = b'"kiln.header_sha256":"'
    at = header.find(key)
    if at < 0 or header.find(key, at + 1) >= 0:
        raise BundleError("header digest missing or repeated")
    at += len(key)
    if len(header) - at < 65 or header[at + 64:at + 65] != b'"':
        raise BundleError("header digest is not 64 characters long")
    if hashlib.sha256(header[:at] + b"0" * 64 + header[at + 64:]).hexdigest().encode() != header[at:at + 64]:
        raise BundleError("header checksum mismatch")
    try:
        text = header.decode("utf-8")
        entries = json.loads(text, object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError) as e:
        raise BundleError("header: %s" % e)
    if not isinstance(entries, dict):
        raise BundleError("header is not a JSON object")
    meta = entries.pop("__metadata__", None)
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise BundleError("header has no __metadata__ map of strings")
    if hashlib.sha256(data).hexdigest() != meta.get("kiln.data_sha256"):
        raise BundleError("data checksum mismatch")
    manifest = _manifest(meta.get("kiln.manifest", ""))
    tensors, spans = {}, []
    for name, e in entries.items():
        if name == "" or not isinstance(e, dict) or set(e) != {"dtype", "shape", "data_offsets"}:
            raise BundleError("tensor %r: malformed header entry" % name)
        dtype, shape, offs = e["dtype"], e["shape"], e["data_offsets"]
        if dtype not in DTYPES:
            raise BundleError("tensor %r: unknown dtype %r" % (name, dtype))
        if not _ints(shape) or len(shape) > MAX_RANK or any(d < 0 for d in shape):
            raise BundleError("tensor %r: bad shape %r" % (name, shape))
        if not _ints(offs) or len(offs) != 2 or not 0 <= offs[0] <= offs[1] <= len(data):
            raise BundleError("tensor %r: byte range %r outside the %d-byte data section" % (name, offs, len(data)))
        count = math.prod(shape)
        if count * SIZES[dtype] != offs[1] - offs[0]:
            raise BundleError("tensor %r: shape %r of %s does not fill %d bytes" % (name, shape, dtype, offs[1] - offs[0]))
        tensors[name] = np.frombuffer(data, dtype=DTYPES[dtype], count=count, offset=offs[0]).reshape(shape)
        spans.append((offs[0], offs[1], name))
    at = 0
    for begin, end, name in sorted(spans):
        if begin != at:
            raise BundleError("tensor %r: %s at byte %d" % (name, "overlap" if begin < at else "gap", begin))
        at = end
    if at != len(data):
        raise BundleError("%d trailing bytes after the last tensor" % (len(data) - at))
    return manifest, tensors


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise BundleError("a key is repeated in the header")
    return dict(pairs)


def _ints(v):
    return isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v)


def _manifest(text):
    if not text:
        raise BundleError("no kiln.manifest in the header metadata: not a kiln bundle")
    try:
        m = json.loads(text)
    except ValueError as e:
        raise BundleError("manifest: %s" % e)
    if not isinstance(m, dict) or m.get("format") != "kiln":
        raise BundleError("not a kiln bundle")
    v = m.get("version") or {}
    if v.get("major", 0) > FORMAT_MAJOR:
        raise UnsupportedVersion("format %s.%s is newer than this reader (%d): use a newer reader"
                                 % (v.get("major"), v.get("minor"), FORMAT_MAJOR))
    if v.get("major", 0) < 1:
        raise BundleError("invalid format version %r" % v)
    names = [s.get("name") for s in m.get("steps") or []]
    if not names or not all(names) or len(set(names)) != len(names) or not all(s.get("kind") for s in m["steps"]):
        raise BundleError("manifest steps lack a kind or a name, or repeat a name")
    return m


def strings(tensors, name):
    """The strings stored as NAME.bytes and NAME.offsets, checked before slicing."""
    text, offs = _tensor(tensors, name + ".bytes", "u1"), _tensor(tensors, name + ".offsets", "<i8")
    if text.ndim != 1 or offs.ndim != 1 or len(offs) == 0 or offs[0] != 0 or offs[-1] != len(text) \
            or np.any(np.diff(offs) < 0):
        raise BundleError("strings %r: offsets do not span the text" % name)
    raw = text.tobytes()
    try:
        return [raw[offs[i]:offs[i + 1]].decode("utf-8") for i in range(len(offs) - 1)]
    except UnicodeDecodeError:
        raise BundleError("strings %r: not UTF-8" % name)


def _tensor(tensors, name, dtype, ndim=None):
    t = tensors.get(name)
    if t is None:
        raise BundleError("no tensor %r" % name)
    if t.dtype != np.dtype(dtype):
        raise BundleError("tensor %r is %s, want %s" % (name, t.dtype, dtype))
    if ndim is not None and t.ndim != ndim:
        raise BundleError("tensor %r has shape %r" % (name, t.shape))
    return t


def _finite(name, v):
    if not np.all(np.isfinite(v)):
        raise BundleError("tensor %r holds NaN or infinity" % name)
    return v


# ---------------------------------------------------------------------------
# Sparse rows, as the text steps give them (kiln's *sparse.CSR): entries
# stored in column order, zeros that a step stored kept.

class CSR:
    def __init__(self, n_cols, rows):
        self.n_cols = n_cols
        self.rows = rows  # per row: (columns ascending, values), numpy arrays

    @property
    def shape(self):
        return len(self.rows), self.n_cols

    def dense(self):
        out = np.zeros(self.shape)
        for i, (cols, vals) in enumerate(self.rows):
            out[i, cols] = vals
        return out

    def times_transposed(self, w):
        """X @ w.T for a dense w of shape (k, n_cols)."""
        out = np.zeros((len(self.rows), w.shape[0]))
        for i, (cols, vals) in enumerate(self.rows):
            out[i] = w[:, cols] @ vals
        return out


def as_csr(x):
    """A dense matrix's non-zeros as CSR rows, as kiln's text steps read one."""
    if isinstance(x, CSR):
        return x
    rows = []
    for r in x:
        cols = np.nonzero(r)[0]
        rows.append((cols, r[cols].astype(float)))
    return CSR(x.shape[1], rows)


def width(x):
    return x.shape[1]


def times_transposed(x, w):
    return x.times_transposed(w) if isinstance(x, CSR) else np.asarray(x, float) @ w.T


def normalize_rows(m, norm):
    """sklearn.preprocessing.normalize over the stored entries, in column order;
    rows whose norm is zero are left alone."""
    if norm == "none":
        return m
    out = []
    for cols, vals in m.rows:
        vals = vals.copy()
        total = 0.0
        for v in vals:
            total += v * v if norm == "l2" else abs(v)
        if total != 0:
            if norm == "l2":
                total = math.sqrt(total)
            vals = np.array([v / total for v in vals])
        out.append((cols, vals))
    return CSR(m.n_cols, out)


# ---------------------------------------------------------------------------
# Text: kiln's analyzer is scikit-learn's default one, which is Python's:
# str.lower() then the token pattern (?u)\b\w\w+\b (kiln matches Python
# 3.11's Unicode 14.0 character classes on every code point).

TOKEN = re.compile(r"(?u)\b\w\w+\b")
DECODE_ERRORS = {"strict": "strict", "replace": "replace", "ignore": "ignore"}


def analyze(doc, p, stop):
    if isinstance(doc, (bytes, bytearray)):
        try:
            doc = bytes(doc).decode("utf-8", DECODE_ERRORS[p.get("decode_errors", "strict")])
        except UnicodeDecodeError as e:
            raise ScoringError("invalid UTF-8 at byte %d" % e.start)
    if not p.get("keep_case"):
        doc = doc.lower()
    tokens = TOKEN.findall(doc)
    if stop:
        tokens = [t for t in tokens if t not in stop]
    low, high = ngram_range(p)
    for k in range(low, min(high, len(tokens)) + 1):
        for i in range(len(tokens) - k + 1):
            yield " ".join(tokens[i:i + k])


def ngram_range(p):
    r = p.get("ngram_range") or [0, 0]
    if r == [0, 0]:  # format 1.0's spelling of the default
        return 1, 1
    if r[0] < 1 or r[1] < r[0]:
        raise BundleError("ngram_range %r" % r)
    return r[0], r[1]


def murmur3_32(data, seed=0):
    """MurmurHash3_x86_32, scikit-learn's murmurhash3_32, unsigned."""
    m = 0xFFFFFFFF

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & m

    c1, c2 = 0xCC9E2D51, 0x1B873593
    h, n = seed, len(data)
    for i in range(0, n - n % 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = rotl((k * c1) & m, 15) * c2 & m
        h = rotl(h ^ k, 13)
        h = (h * 5 + 0xE6546B64) & m
    tail, k = data[n - n % 4:], 0
    if len(tail) == 3:
        k ^= tail[2] << 16
    if len(tail) >= 2:
        k ^= tail[1] << 8
    if len(tail) >= 1:
        k ^= tail[0]
        h ^= rotl((k * c1) & m, 15) * c2 & m
    h ^= n
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & m
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & m
    return h ^ (h >> 16)


def fnv1a_32(data):
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


class CountVectorizer:
    def __init__(self, b, name, p, version):
        self.p = p
        terms = strings(b, name + ".vocabulary")
        self.index = {t: j for j, t in enumerate(terms)}
        if len(self.index) == 0 or len(self.index) != len(terms):
            raise BundleError("the vocabulary is empty or repeats a term")
        ngram_range(p)
        self.stop = set(strings(b, name + ".stop_words"))
        self.width = len(self.index)

    def transform(self, docs):
        rows = []
        for d in docs:
            counts = {}
            for term in analyze(d, self.p, self.stop):
                j = self.index.get(term)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            cols = np.array(sorted(counts), dtype=int)
            vals = np.array([1.0 if self.p.get("binary") else float(counts[j]) for j in cols])
            rows.append((cols, vals))
        return CSR(self.width, rows)


class HashingVectorizer:
    def __init__(self, b, name, p, version):
        self.p = p
        self.n = p.get("n_features") or 1 << 20  # 0: format 1.0's default
        if not 1 <= self.n <= 2 ** 31 - 1:
            raise BundleError("n_features %r" % self.n)
        self.stop = set(strings(b, name + ".stop_words"))
        self.width = self.n
        ngram_range(p)

    def transform(self, docs):
        rows = []
        for d in docs:
            sums = {}
            for term in analyze(d, self.p, self.stop):
                h = murmur3_32(term.encode("utf-8"))
                if h >= 1 << 31:
                    h -= 1 << 32
                col = abs(h) % self.n
                v = -1 if h < 0 and not self.p.get("no_alternate_sign") else 1
                sums[col] = sums.get(col, 0) + v  # a sum of zero stays stored
            cols = np.array(sorted(sums), dtype=int)
            vals = np.array([1.0 if self.p.get("binary") else float(sums[c]) for c in cols])
            rows.append((cols, vals))
        return normalize_rows(CSR(self.n, rows), self.p.get("norm", "l2"))


class TfidfTransformer:
    def __init__(self, b, name, p, version):
        self.p = p
        self.idf = _finite(name + ".idf", _tensor(b, name + ".idf", "<f8", 1))
        if self.p.get("norm") not in ("l2", "l1", "none"):
            raise BundleError("norm %r" % self.p.get("norm"))

    def transform(self, x):
        m = as_csr(x)
        if not self.p.get("no_idf") and len(self.idf) != m.n_cols:
            raise ScoringError("matrix has %d columns, fitted on %d" % (m.n_cols, len(self.idf)))
        rows = []
        for cols, vals in m.rows:
            out = []
            for j, v in zip(cols, vals):
                if not math.isfinite(v):
                    raise ScoringError("value %r" % v)
                if self.p.get("sublinear_tf") and v != 0:
                    if v < 0:
                        raise ScoringError("negative count %r with sublinear_tf" % v)
                    v = math.log(v) + 1
                if not self.p.get("no_idf"):
                    v *= self.idf[j]
                out.append(v)
            rows.append((cols, np.array(out, dtype=float)))
        return normalize_rows(CSR(m.n_cols, rows), self.p["norm"])


# ---------------------------------------------------------------------------
# Tables: features.Table.

def go_float(v):
    """A float64 as kiln's dataset prints it: Go's strconv.FormatFloat(v, 'g', -1, 64)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Inf" if v > 0 else "-Inf"
    if v == 0:
        return "-0" if math.copysign(1, v) < 0 else "0"
    # repr's digits are the shortest that round-trip, as Go's shortest mode.
    sign, digits, exp = decimal.Decimal(repr(v)).as_tuple()
    ds = "".join(map(str, digits)).lstrip("0")
    kept = ds.rstrip("0")
    exp += len(ds) - len(kept)
    ds = kept
    dp = len(ds) + exp  # the value is 0.DS x 10^dp
    out = "-" if sign else ""
    e = dp - 1
    if e < -4 or e >= 6:  # Go's %e threshold in shortest mode
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return out + "%se%s%02d" % (mant, "-" if e < 0 else "+", abs(e))
    if dp <= 0:
        return out + "0." + "0" * -dp + ds
    if dp >= len(ds):
        return out + ds + "0" * (dp - len(ds))
    return out + ds[:dp] + "." + ds[dp:]


def go_time(ns):
    """Nanoseconds since the epoch as Go's time.RFC3339Nano in UTC."""
    s, frac = divmod(int(ns), 10 ** 9)
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=s)
    out = t.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        out += "." + ("%09d" % frac).rstrip("0")
    return out + "Z"


def cell_text(value, typ):
    """The text a categorical cell is compared by (None for a missing cell)."""
    if value is None:
        return None
    if typ == "string":
        return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value
    if typ == "bool":
        return "true" if value else "false"
    if typ == "int64":
        return str(int(value))
    if typ == "timestamp":
        return go_time(value)
    return go_float(float(value))


def number(value, typ):
    """A numeric cell as a float, as kiln's Column.FloatAt; None when missing."""
    if value is None:
        return None
    if typ not in ("float64", "int64", "bool"):
        raise ScoringError("a %s column is not numeric" % typ)
    return float(value)


class Table:
    def __init__(self, b, name, p, version):
        self.numeric = strings(b, name + ".numeric")
        stats = _tensor(b, name + ".numeric_stats", "<f8", 2)
        if stats.shape != (len(self.numeric), 3):
            raise BundleError("numeric_stats has shape %r" % (stats.shape,))
        self.stats = stats
        self.impute = p.get("impute") or []
        self.categorical = strings(b, name + ".categorical")
        self.unknown = p.get("unknown") or []
        if len(self.impute) != len(self.numeric) or len(self.unknown) != len(self.categorical):
            raise BundleError("params describe other columns than the tensors")
        self.levels = [strings(b, "%s.levels.%d" % (name, i)) for i in range(len(self.categorical))]
        self.hashed = strings(b, name + ".hashed")
        self.buckets = p.get("hash_buckets") or 0
        self.names = strings(b, name + ".names")
        self.width = len(self.numeric) + sum(len(l) + u for l, u in zip(self.levels, self.unknown)) \
            + (self.buckets if self.hashed else 0)
        if self.width != len(self.names) or (self.hashed and self.buckets <= 0) \
                or not 0 <= self.buckets <= len(self.names):
            raise BundleError("table describes %d columns but names %d" % (self.width, len(self.names)))

    def columns(self):
        return self.numeric + self.categorical + self.hashed

    def transform(self, frame):
        rows = frame.rows()
        if rows == 0:
            raise ScoringError("no rows")
        out = np.zeros((rows, self.width))
        at = 0
        for j, name in enumerate(self.numeric):
            values, typ = frame.column(name)
            fill, center, divisor = self.stats[j]
            for i, v in enumerate(values):
                x = number(v, typ)
                if x is None or math.isnan(x):
                    if not self.impute[j]:
                        raise ScoringError("column %r row %d is missing" % (name, i))
                    x = fill
                elif math.isinf(x):
                    raise ScoringError("column %r row %d is infinite" % (name, i))
                out[i, at] = (x - center) / divisor
            at += 1
        for c, name in enumerate(self.categorical):
            values, typ = frame.column(name)
            index = {level: k for k, level in enumerate(self.levels[c])}
            for i, v in enumerate(values):
                s = cell_text(v, typ)
                if s is None:
                    continue
                if s in index:
                    out[i, at + index[s]] = 1
                elif self.unknown[c]:
                    out[i, at + len(self.levels[c])] = 1
            at += len(self.levels[c]) + self.unknown[c]
        for name in self.hashed:
            values, typ = frame.column(name)
            for i, v in enumerate(values):
                s = cell_text(v, typ)
                if s is None:
                    continue
                key = name.encode("utf-8") + b"=" + s.encode("utf-8", "surrogateescape")
                out[i, at + fnv1a_32(key) % self.buckets] += 1
        return out


# ---------------------------------------------------------------------------
# Models.

class LinearRegression:
    def __init__(self, b, name, p, version):
        self.coef = _finite(name + ".coef", _tensor(b, name + ".coef", "<f8", 1))
        self.intercept = _finite(name + ".intercept", _tensor(b, name + ".intercept", "<f8", 1))
        if len(self.intercept) != 1:
            raise BundleError("intercept has %d entries" % len(self.intercept))

    def predict(self, x):
        _check_width(x, len(self.coef))
        return times_transposed(x, self.coef[None, :])[:, 0] + self.intercept[0]


class GLM(LinearRegression):
    def __init__(self, b, name, p, version):
        super().__init__(b, name, p, version)
        self.family = p.get("family")
        if self.family not in ("gaussian", "binomial", "poisson"):
            raise BundleError("family %r" % self.family)

    def predict(self, x):
        eta = super().predict(x)
        if self.family == "binomial":  # R's logit_linkinv, with its clamp at |eta| > 30
            e = np.where(eta < -30, EPS, np.where(eta > 30, 1 / EPS, np.exp(np.clip(eta, -30, 30))))
            return e / (1 + e)
        if self.family == "poisson":
            return np.maximum(np.exp(eta), EPS)
        return eta


class LogisticRegression:
    def __init__(self, b, name, p, version):
        self.coef = _finite(name + ".coef", _tensor(b, name + ".coef", "<f8", 2))
        if self.coef.shape[0] < 1 or self.coef.shape[1] < 1:
            raise BundleError("coef has shape %r" % (self.coef.shape,))
        self.intercept = _finite(name + ".intercept", _tensor(b, name + ".intercept", "<f8", 1))
        self.classes = _finite(name + ".classes", _tensor(b, name + ".classes", "<f8", 1))
        rows = 1 if len(self.classes) == 2 else len(self.classes)
        if len(self.intercept) != self.coef.shape[0] or self.coef.shape[0] != rows:
            raise BundleError("coef rows, intercepts and classes disagree")

    def decision(self, x):
        _check_width(x, self.coef.shape[1])
        return times_transposed(x, self.coef) + self.intercept

    def predict_proba(self, x):
        z = self.decision(x)
        if self.coef.shape[0] == 1:
            p1 = np.array([sigmoid(v) for v in z[:, 0]])
            return np.column_stack([1 - p1, p1])
        out = np.empty_like(z)
        for i, row in enumerate(z):
            e = [math.exp(v - max(row)) for v in row]
            total = sum(e)
            out[i] = [v / total for v in e]
        return out

    def predict(self, x):
        z = self.decision(x)
        if self.coef.shape[0] == 1:
            return np.where(z[:, 0] > 0, self.classes[1], self.classes[0])
        return self.classes[np.argmax(z, axis=1)]  # ties to the first class


def sigmoid(z):
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)


class KMeans:
    def __init__(self, b, name, p, version):
        k = p.get("k")
        c = _finite(name + ".centroids", _tensor(b, name + ".centroids", "<f8", 2))
        if not isinstance(k, int) or k < 1 or c.shape[0] != k or c.shape[1] < 1:
            raise BundleError("k %r and centroids of shape %r disagree" % (k, c.shape))
        labels = _tensor(b, name + ".labels", "<i8", 1)
        if np.any((labels < 0) | (labels >= k)):
            raise BundleError("a training label is outside [0, k)")
        self.centroids = c
        self.width = k

    def squared_distances(self, x):
        _check_width(x, self.centroids.shape[1])
        c = self.centroids
        if isinstance(x, CSR):  # kiln's sparse path: |x|^2 - 2 x.c + |c|^2, at least 0
            out = np.empty((x.shape[0], len(c)))
            cn = [sum(v * v for v in row) for row in c]
            for i, (cols, vals) in enumerate(x.rows):
                xn = sum(v * v for v in vals)
                for j in range(len(c)):
                    dot = sum(v * c[j, col] for col, v in zip(cols, vals))
                    out[i, j] = max(xn - 2 * dot + cn[j], 0)
            return out
        x = np.asarray(x, float)
        if not np.all(np.isfinite(x)):
            raise ScoringError("non-finite value")
        return np.array([[sum((a - b) ** 2 for a, b in zip(row, cen)) for cen in c] for row in x])

    def predict(self, x):
        d = self.squared_distances(x)
        return np.argmin(d, axis=1).astype(float)  # ties to the first centre

    def transform(self, x):
        return np.sqrt(self.squared_distances(x))


def _check_width(x, want):
    if width(x) != want:
        raise ScoringError("input has %d columns, the step was fitted on %d" % (width(x), want))


STEPS = {
    "features.Table": Table,
    "text.CountVectorizer": CountVectorizer,
    "text.HashingVectorizer": HashingVectorizer,
    "text.TfidfTransformer": TfidfTransformer,
    "models.LinearRegression": LinearRegression,
    "models.LogisticRegression": LogisticRegression,
    "models.GLM": GLM,
    "cluster.KMeans": KMeans,
    "cluster.MiniBatchKMeans": KMeans,
}
DOCUMENT_STEPS = ("text.CountVectorizer", "text.HashingVectorizer")
PREDICTORS = ("models.LinearRegression", "models.LogisticRegression", "models.GLM", "cluster.KMeans",
              "cluster.MiniBatchKMeans")

PREPROCESSORS = {"br_to_space": lambda s: s.replace("<br />", " ") if isinstance(s, str) else s.replace(b"<br />", b" ")}


# ---------------------------------------------------------------------------
# Pipelines.

class Frame:
    """Named columns of equal length: name -> (values, type)."""

    def __init__(self, columns, types=None):
        self.cols = {}
        for name, values in columns.items():
            values = list(values)
            typ = (types or {}).get(name) or _guess_type(values)
            self.cols[name] = (values, typ)
        lengths = {len(v) for v, _ in self.cols.values()}
        if len(lengths) > 1:
            raise ScoringError("columns of different lengths")

    def rows(self):
        return len(next(iter(self.cols.values()))[0]) if self.cols else 0

    def column(self, name):
        if name not in self.cols:
            raise ScoringError("input column %r is missing" % name)
        return self.cols[name]


def _guess_type(values):
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            return "bool"
        if isinstance(v, int):
            return "int64"
        if isinstance(v, float):
            return "float64"
        return "string"
    return "float64"


class Pipeline:
    """A loaded bundle: its manifest, tensors and steps."""

    def __init__(self, manifest, tensors, preprocessors=None):
        self.manifest, self.tensors = manifest, tensors
        version = (manifest["version"]["major"], manifest["version"]["minor"])
        self.kinds = [s["kind"] for s in manifest["steps"]]
        self.names = [s["name"] for s in manifest["steps"]]
        for kind in self.kinds:
            if kind not in STEPS:
                raise BundleError("step kind %r is not read by this reader (dfs.Definitions needs kiln)" % kind)
        self.steps = [STEPS[s["kind"]](tensors, s["name"], s.get("params") or {}, version) for s in manifest["steps"]]
        head = (manifest["steps"][0].get("params") or {}).get("pipeline") or {}
        self.inputs = manifest.get("inputs") or []
        self.text_column = head.get("text_column", "")
        if self.kinds[0] in DOCUMENT_STEPS and not self.text_column:
            strs = [f["name"] for f in self.inputs if f["type"] == "string"]  # format 1.0
            self.text_column = strs[0] if len(strs) == 1 else ""
        self.preprocess = None
        name = head.get("text_preprocess", "")
        if name:
            known = dict(PREPROCESSORS, **(preprocessors or {}))
            if name not in known:
                raise ScoringError("text preprocessor %r is not known: pass it in preprocessors" % name)
            self.preprocess = known[name]
        self.predicts = self.kinds[-1] in PREDICTORS
        self.outputs = self._outputs(manifest.get("outputs") or {})

    def _outputs(self, o):
        o = dict(o)
        last = self.kinds[-1]
        kind = "features" if not self.predicts else "class" if last == "models.LogisticRegression" \
            else "cluster" if last.startswith("cluster.") else "value"
        o.setdefault("kind", kind)
        if o["kind"] == "class":
            o.setdefault("classes", [float(c) for c in self.steps[-1].classes])
            o.setdefault("type", "float64")
        elif o["kind"] == "cluster":
            o.setdefault("name", "cluster")
            o.setdefault("type", "int64")
        elif o["kind"] == "value":
            o.setdefault("type", "float64")
        return o

    # The input of the first step, and the matrix the last one reads.
    def _run(self, columns, types=None):
        frame = columns if isinstance(columns, Frame) else Frame(columns, types or {f["name"]: f["type"] for f in self.inputs})
        n = len(self.steps) - (1 if self.predicts else 0)
        x = frame
        for i, (kind, step) in enumerate(zip(self.kinds, self.steps)):
            x = self._stage_input(kind, x)
            if i == n:
                break
            x = step.transform(x)
        return x

    def _stage_input(self, kind, x):
        if not isinstance(x, Frame):
            return x
        if kind == "features.Table":
            return x
        if kind in DOCUMENT_STEPS:
            values, typ = x.column(self.text_column)
            if typ != "string":
                raise ScoringError("text column %r is %s" % (self.text_column, typ))
            if any(v is None for v in values):
                raise ScoringError("text column %r has missing documents" % self.text_column)
            return [self.preprocess(v) for v in values] if self.preprocess else list(values)
        # A matrix step on a Frame reads the inputs' numeric columns, in order.
        names = [f["name"] for f in self.inputs] or list(x.cols)
        cols = []
        for name in names:
            values, typ = x.column(name)
            if typ not in ("float64", "int64", "bool"):
                raise ScoringError("column %r is %s, not numeric" % (name, typ))
            if any(v is None for v in values):
                raise ScoringError("column %r has missing cells" % name)
            cols.append([float(v) for v in values])
        return np.array(cols, dtype=float).T.reshape(x.rows(), len(names))

    def transform(self, columns, types=None):
        """The matrix the final predictor reads (or the last step's output)."""
        x = self._run(columns, types)
        return x.dense() if isinstance(x, CSR) else np.asarray(x, float)

    def predict(self, columns, types=None):
        """One prediction per row, typed as the outputs say: labels for a
        classifier (strings, ints, bools or floats), int cluster ids, floats."""
        if not self.predicts:
            raise ScoringError("the last step makes features: use transform")
        pred = self.steps[-1].predict(self._run(columns, types))
        o = self.outputs
        if o["kind"] == "cluster":
            return [int(v) for v in pred]
        if o["kind"] == "class":
            if o["type"] == "string":
                return [o["labels"][int(v)] for v in pred]
            if o["type"] == "bool":
                return [v == 1 for v in pred]
            if o["type"] == "int64":
                return [int(v) for v in pred]
        return [float(v) for v in pred]

    def predict_proba(self, columns, types=None):
        """Class probabilities, one column per class in outputs' order."""
        if self.kinds[-1] != "models.LogisticRegression":
            raise ScoringError("the last step gives no probabilities")
        return self.steps[-1].predict_proba(self._run(columns, types))

    @property
    def classes(self):
        o = self.outputs
        if o["kind"] != "class":
            return None
        if o["type"] == "string":
            return [o["labels"][int(c)] for c in o["classes"]]
        return o["classes"]


def load(path, preprocessors=None):
    """Reads, verifies and builds the pipeline of a bundle file."""
    return Pipeline(*read_bundle(path), preprocessors=preprocessors)


# ---------------------------------------------------------------------------
# Command line: the exchange format of kiln's tests. INPUT.json is
# {"columns": [{"name", "type", "values", "valid", "base64"}]}; float64
# values are JSON numbers (exact), strings may be base64 when base64 is true.

def _read_input(path):
    spec = json.load(open(path))
    columns, types = {}, {}
    for c in spec["columns"]:
        values = c["values"]
        if c.get("base64"):
            values = [base64.b64decode(v) for v in values]
        valid = c.get("valid")
        if valid is not None:
            values = [v if ok else None for v, ok in zip(values, valid)]
        columns[c["name"]], types[c["name"]] = values, c["type"]
    return Frame(columns, types)


def _jsonable(x):
    if isinstance(x, np.ndarray):
        return [_jsonable(v) for v in x.tolist()]
    if isinstance(x, list):
        return [_jsonable(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return repr(x)
    return x


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":  # load only: "ok", or the error
        try:
            load(argv[2])
        except BundleError as e:
            print("%s: %s" % (type(e).__name__, e))
            return 1
        print("ok")
        return 0
    if len(argv) != 3:
        sys.stderr.write("usage: kiln_reader.py MODEL.kiln INPUT.json | --check MODEL.kiln\n")
        return 2
    model = load(argv[1])
    frame = _read_input(argv[2])
    out = {"outputs": model.outputs, "transform": _jsonable(model.transform(frame))}
    if model.predicts:
        out["predict"] = _jsonable(model.predict(frame))
    if model.kinds[-1] == "models.LogisticRegression":
        out["proba"] = _jsonable(model.predict_proba(frame))
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
