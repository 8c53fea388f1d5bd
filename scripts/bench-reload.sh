#!/usr/bin/env bash
# Hot reload under load: `kiln serve` follows the production alias
# of a registry (polling it every POLL) while scripts/reloadload keeps
# CLIENTS clients (one connection each) scoring one-row requests without
# pause, first for DURATION with no promotions, then for DURATION while it
# publishes a new version and promotes the alias to it every EVERY. Every
# answer is checked (status 200, a version in the header and the same in the
# body, never older than the same client's previous answer). Both the row
# endpoint and the Open Inference Protocol are run. Exits 1 on any failure.
#
#   scripts/bench-reload.sh                 # CLIENTS=32 DURATION=20s EVERY=100ms POLL=20ms
#
# The whole run holds /tmp/kiln-bench.lock, so that no two benchmarks of the
# machine's sessions overlap.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-32}
DURATION=${DURATION:-20s}
EVERY=${EVERY:-100ms}
POLL=${POLL:-20ms}
PORT=${PORT:-18082}
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

go build -o "$tmp/kiln" ./cmd/kiln
go build -o "$tmp/publish" ./examples/serve
go build -o "$tmp/reloadload" ./scripts/reloadload
"$tmp/publish" -publish -registry "$tmp/reg" >/dev/null # housing@1, production -> 1
"$tmp/kiln" serve -alias production -poll "$POLL" -addr "127.0.0.1:$PORT" "$tmp/reg" 2>"$tmp/kiln.log" &
pid=$!
for _ in $(seq 100); do curl -sf -o /dev/null "127.0.0.1:$PORT/v2/health/ready" && break; sleep 0.2; done

row='{"longitude":-122.23,"latitude":37.88,"housing_median_age":41,"total_rooms":880,"total_bedrooms":129,"population":322,"households":126,"median_income":8.3252,"ocean_proximity":"NEAR BAY"}'
echo "{\"rows\":[$row]}" >"$tmp/rows.json"
/usr/bin/python3 - "$row" >"$tmp/oip.json" <<'EOF'
import json, sys
row = json.loads(sys.argv[1])
print(json.dumps({"inputs": [{"name": k, "shape": [1], "datatype": "BYTES" if isinstance(v, str) else "FP64", "data": [v]}
                             for k, v in row.items()]}))
EOF

status=0
flock /tmp/kiln-bench.lock sh -c '
	echo "load before: $(uptime)"
	for ep in rows oip; do
		path=/models/housing/predict
		[ "$ep" = oip ] && path=/v2/models/housing/infer
		echo "== $ep ($path), $2 clients, kiln serve -poll $4"
		"$1/reloadload" -url "http://127.0.0.1:$5" -path "$path" -body "$1/$ep.json" -registry "$1/reg" \
			-model housing -alias production -c "$2" -d "$3" -every "$6" || exit 1
	done
	echo "load after: $(uptime)"
' sh "$tmp" "$CLIENTS" "$DURATION" "$POLL" "$PORT" "$EVERY" || status=1
if grep -q 'level=ERROR' "$tmp/kiln.log"; then
	echo "server errors:"; grep 'level=ERROR' "$tmp/kiln.log" | head; status=1
fi
exit $status
