#!/usr/bin/env bash
# Batch scoring benchmark: kiln predict scores the 3,000,000 flights of
# vega-datasets' flights-3m.parquet, and the same rows as CSV, with the model of
# scripts/flightsmodel (a linear regression of the delay on distance, origin and
# destination), streaming in batches. Each run is a fresh process timed by
# /usr/bin/time -v (peak RSS, wall time); the first 300,000 rows are scored too, to
# show that memory does not grow with the input. Rounds are interleaved, each run
# under /tmp/kiln-bench.lock; prints every run, then the medians as a table.
#
#   scripts/bench-predict.sh            # ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
data=data/vega/flights-3m.parquet
[ -f "$data" ] || bash scripts/fetch-data.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/kiln" ./cmd/kiln
go run ./scripts/flightsmodel -data "$data" -o "$tmp/flights.kiln" -csv "$tmp/flights.csv" \
	-head 300000 -head-parquet "$tmp/head.parquet" -head-csv "$tmp/head.csv"

# run LABEL ROWS IN OUT: one timed run; prints "label rows seconds peak_kb".
run() {
	flock /tmp/kiln-bench.lock /usr/bin/time -v "$tmp/kiln" predict -q "$tmp/flights.kiln" "$3" -o "$4" 2>"$tmp/time.txt" ||
		{ cat "$tmp/time.txt" >&2; exit 1; }
	/usr/bin/python3 - "$1" "$2" "$tmp/time.txt" <<'EOF'
import re, sys
label, rows, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t = open(path).read()
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", t)
secs = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
print(f"{label} {rows} {secs:.2f} {kb}")
EOF
}

echo "load before: $(uptime)"
echo "run rows seconds peak_rss_kb"
: >"$tmp/results"
for r in $(seq "$ROUNDS"); do
	run parquet-3m 3000000 "$data" "$tmp/out.parquet" | tee -a "$tmp/results"
	run csv-3m 3000000 "$tmp/flights.csv" "$tmp/out.csv" | tee -a "$tmp/results"
	run parquet-300k 300000 "$tmp/head.parquet" "$tmp/out-head.parquet" | tee -a "$tmp/results"
	run csv-300k 300000 "$tmp/head.csv" "$tmp/out-head.csv" | tee -a "$tmp/results"
done
echo "load after: $(uptime)"
/usr/bin/python3 - "$tmp/results" <<'EOF'
import statistics, sys
runs = [l.split() for l in open(sys.argv[1])]
print("| input | rows | rows/s (median) | wall s (median) | peak RSS MB (median, max) |")
print("|---|---|---|---|---|")
for label in ("parquet-3m", "csv-3m", "parquet-300k", "csv-300k"):
    rs = [r for r in runs if r[0] == label]
    rows = int(rs[0][1])
    secs = statistics.median(float(r[2]) for r in rs)
    kb = [int(r[3]) for r in rs]
    print(f"| {label} | {rows:,} | {rows / secs:,.0f} | {secs:.2f} | {statistics.median(kb) / 1024:.0f} ({max(kb) / 1024:.0f}) |")
EOF
