#!/usr/bin/env bash
# bench.sh: kiln against its references, side by side, in one command. It builds kiln's
# benchmark binaries, installs the references (npm: Polars and DuckDB, versions pinned in
# bench/js/package.json; Debian: pandas, scikit-learn, scipy, Numba), fetches the data, then
# runs bench/run.py: interleaved rounds of fresh processes, peak RSS of each, the machine's
# description and measured page-fault cost, and the tables of BENCHMARKS.md (the section
# between the bench markers is replaced; bench/last-run.json keeps the raw figures).
#
#   scripts/bench.sh [--rounds N] [--only csv,jsonl,parquet,dfs,dfs10x,cooc,countvec,ops,models,persist] [--deadline HH:MM]
#
# The run holds the lock file $KILN_BENCH_LOCK (default /tmp/kiln-bench.lock) so that two
# benchmark runs on one machine never overlap. About 10 minutes a round on 2 quiet cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export KILN_DATA=${KILN_DATA:-$root/data}
bash scripts/fetch-data.sh --jsonl

if ! /usr/bin/python3 -c 'import pandas, sklearn, scipy, numba' 2>/dev/null; then
  echo "== installing the Python references (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pandas python3-sklearn python3-scipy python3-numba > /dev/null
fi
if [ ! -d bench/js/node_modules/nodejs-polars ] || [ ! -d bench/js/node_modules/@duckdb/node-api ]; then
  echo "== installing Polars and DuckDB (npm)"
  (cd bench/js && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
echo "== building kiln's benchmark binaries"
go test -c -o "$bin/dataset.test" ./dataset
go test -c -o "$bin/parquet.test" ./dataset/parquet
go test -c -o "$bin/dfs.test" ./features/dfs
go test -c -o "$bin/linalg.test" ./linalg
go test -c -o "$bin/text.test" ./features/text
go test -c -o "$bin/models.test" ./models
go test -c -o "$bin/persist.test" ./persist
gzip -dc dataset/builtin/data/nycflights13/flights.csv.gz > "$bin/flights.csv"

echo "== running (waiting for ${KILN_BENCH_LOCK:-/tmp/kiln-bench.lock})"
flock "${KILN_BENCH_LOCK:-/tmp/kiln-bench.lock}" \
  /usr/bin/python3 bench/run.py --bin "$bin" --data "$KILN_DATA" --flights "$bin/flights.csv" "$@"
echo "== BENCHMARKS.md updated"
