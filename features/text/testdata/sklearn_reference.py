#!/usr/bin/python3
"""Reference values for features/text, from scikit-learn 1.2.1 on the 50,000 IMDB reviews
(data/imdb/reviews.json, '<br />' -> ' ', same order as internal/realdata.IMDB).

usage: /usr/bin/python3 sklearn_reference.py REVIEWS.json OUTDIR [binary counts default maxfeat bigram tfidf hashing]

Prints, per case, the shape, nnz, sum, and the sha256 of the vocabulary (terms in column order,
each followed by a newline) and of the CSR arrays (indptr, indices, data with sorted indices,
each element a little-endian int64), plus sampled entries; writes the gzipped vocabularies,
idf vectors and TF-IDF column sums to OUTDIR."""
import json, hashlib, gzip, sys, time
import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, HashingVectorizer

docs = [r['t'].replace('<br />', ' ') for r in json.load(open(sys.argv[1]))]
out = sys.argv[2] + '/'

def terms_of(vec):
    t = [None] * len(vec.vocabulary_)
    for w, i in vec.vocabulary_.items(): t[i] = w
    return t

def vocab_hash(terms):
    return hashlib.sha256(('\n'.join(terms) + '\n').encode('utf-8')).hexdigest()

def mat_hash(X):
    X = X.tocsr(); X.sort_indices()
    h = hashlib.sha256()
    h.update(np.asarray(X.indptr, dtype='<i8').tobytes())
    h.update(np.asarray(X.indices, dtype='<i8').tobytes())
    h.update(np.asarray(X.data, dtype='<i8').tobytes())
    return h.hexdigest()

def report(name, vec, X, save_vocab=False):
    terms = terms_of(vec)
    print(f'{name}: shape={X.shape} nnz={X.nnz} sum={int(X.sum())} vocab_sha256={vocab_hash(terms)} matrix_sha256={mat_hash(X)} first={terms[:3]} last={terms[-3:]}', flush=True)
    if save_vocab:
        with gzip.open(out + name + '.vocab.txt.gz', 'wt', encoding='utf-8') as f:
            f.write('\n'.join(terms) + '\n')
    return terms

which = sys.argv[3:] or ['binary', 'counts', 'default', 'maxfeat', 'bigram', 'tfidf', 'hashing']
if 'binary' in which:
    v = CountVectorizer(min_df=10, max_df=0.1, binary=True); X = v.fit_transform(docs)
    report('binary_min10_max0.1', v, X, True)
if 'counts' in which or 'tfidf' in which:
    v = CountVectorizer(min_df=10, max_df=0.1); C = v.fit_transform(docs)
    report('counts_min10_max0.1', v, C)
    colsum = np.asarray(C.sum(axis=0)).ravel()
    print('counts colsum first 5', colsum[:5].tolist())
if 'default' in which:
    v = CountVectorizer(); X = v.fit_transform(docs)
    report('default', v, X, True)
if 'maxfeat' in which:
    v = CountVectorizer(max_features=3000); X = v.fit_transform(docs); report('maxfeat3000', v, X)
    v = CountVectorizer(min_df=10, max_df=0.1, binary=True, max_features=5000); X = v.fit_transform(docs); report('binary_maxfeat5000', v, X)
    v = CountVectorizer(max_features=20000, stop_words='english'); X = v.fit_transform(docs); report('stop_maxfeat20000', v, X)
if 'bigram' in which:
    v = CountVectorizer(ngram_range=(1, 2), min_df=20, stop_words='english'); X = v.fit_transform(docs)
    report('bigram_min20_stop', v, X)
    v = CountVectorizer(ngram_range=(2, 3), min_df=5, max_df=0.5); X = v.fit_transform(docs[:10000])
    report('ngram23_min5_first10000', v, X)
if 'tfidf' in which:
    for name, t in [('tfidf', TfidfTransformer()), ('tfidf_sublinear', TfidfTransformer(sublinear_tf=True)),
                    ('tfidf_l1_nosmooth', TfidfTransformer(norm='l1', smooth_idf=False)),
                    ('tfidf_none_noidf', TfidfTransformer(norm=None, use_idf=False))]:
        T = t.fit_transform(C).tocsr(); T.sort_indices()
        with gzip.open(out + name + '.colsum.txt.gz', 'wt') as f:
            f.write('\n'.join('%.17g' % x for x in np.asarray(T.sum(axis=0)).ravel()) + '\n')
        if t.use_idf:
            with gzip.open(out + name + '.idf.txt.gz', 'wt') as f:
                f.write('\n'.join('%.17g' % x for x in t.idf_) + '\n')
        rng = np.random.default_rng(1)
        ks = rng.choice(T.nnz, 40, replace=False); ks.sort()
        rows = np.repeat(np.arange(T.shape[0]), np.diff(T.indptr))
        print(f'{name}: nnz={T.nnz} sum={T.sum():.17g} sumsq={T.multiply(T).sum():.17g}')
        print('  samples', [(int(rows[k]), int(T.indices[k]), '%.17g' % T.data[k]) for k in ks])
if 'hashing' in which:
    for name, h in [('hash_2p18', HashingVectorizer(n_features=2**18)),
                    ('hash_2p20_noalt_nonorm', HashingVectorizer(n_features=2**20, alternate_sign=False, norm=None)),
                    ('hash_1000_bigram_nonorm', HashingVectorizer(n_features=1000, ngram_range=(1, 2), norm=None))]:
        H = h.transform(docs).tocsr(); H.sort_indices()
        hh = hashlib.sha256()
        hh.update(np.asarray(H.indptr, dtype='<i8').tobytes()); hh.update(np.asarray(H.indices, dtype='<i8').tobytes())
        rows = np.repeat(np.arange(H.shape[0]), np.diff(H.indptr))
        rng = np.random.default_rng(2); ks = rng.choice(H.nnz, 30, replace=False); ks.sort()
        print(f'{name}: nnz={H.nnz} structure_sha256={hh.hexdigest()} sum={H.sum():.17g} sumabs={abs(H).sum():.17g}')
        print('  samples', [(int(rows[k]), int(H.indices[k]), '%.17g' % H.data[k]) for k in ks])
