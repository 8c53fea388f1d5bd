#!/usr/bin/env bash
# Serving benchmark: kiln's server (package serve, through
# examples/serve) against the Flask + gunicorn (2 workers) reference of
# scripts/serve_flask_reference.py, serving THE SAME bundle, both on
# 127.0.0.1, loaded by wrk -t2 -c32 in bounded runs, interleaved, for
# one-row requests of the Open Inference Protocol and of the row endpoint.
#
#   scripts/bench-serve.sh              # ROUNDS=3 DURATION=10s
#   ROUNDS=5 DURATION=20s scripts/bench-serve.sh
#   PIN=1 scripts/bench-serve.sh        # wrk on core 0, both servers on core 1
#
# With PIN=1 the load generator and the server under test no longer compete
# for a core: wrk runs on CPU 0 and each server (kiln's, and gunicorn with its
# two workers) on CPU 1, the same for both, so a latency figure is the
# server's rather than the wait for a core that wrk holds.
#   KILN_GOMAXPROCS=1 scripts/bench-serve.sh   # the Go server's GOMAXPROCS (default: Go's, the cores)
#
# wrk runs on the same two cores as the servers, so each run also reports
# the CPU the server (all its processes) and wrk used, in cores.
#
# Needs Debian's python3-flask, python3-numpy, gunicorn and wrk. Each wrk run
# holds /tmp/kiln-bench.lock so that no two benchmarks of the machine's
# sessions overlap. Prints one line per run, then medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
KILN_GOMAXPROCS=${KILN_GOMAXPROCS:-}
KILN_PORT=${KILN_PORT:-18080}
FLASK_PORT=${FLASK_PORT:-18081}
PIN=${PIN:-0}
server_cpu=() wrk_cpu=()
if [ "$PIN" = 1 ]; then server_cpu=(taskset -c 1) wrk_cpu=(taskset -c 0); fi
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE # through cleanup: no server left running

go build -o "$tmp/serve" ./examples/serve
"$tmp/serve" -publish -registry "$tmp/reg" >/dev/null
env ${KILN_GOMAXPROCS:+GOMAXPROCS=$KILN_GOMAXPROCS} "${server_cpu[@]}" "$tmp/serve" -registry "$tmp/reg" -addr "127.0.0.1:$KILN_PORT" 2>"$tmp/kiln.log" &
pids+=($!)
kiln_pid=$!
KILN_BUNDLE="$tmp/reg/housing/1/model.kiln" KILN_MODEL=housing KILN_VERSION=1 \
	"${server_cpu[@]}" /usr/bin/gunicorn -w 2 -b "127.0.0.1:$FLASK_PORT" --chdir scripts serve_flask_reference:app 2>"$tmp/flask.log" &
pids+=($!)
flask_pid=$!
for port in "$KILN_PORT" "$FLASK_PORT"; do
	for _ in $(seq 100); do curl -sf -o /dev/null "127.0.0.1:$port/v2/health/live" -X GET 2>/dev/null && break
		curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$port/models/housing/predict" -X POST -d '{}' 2>/dev/null | grep -q 400 && break
		sleep 0.2; done
done
# Both must be up: a server that did not start says why in its log.
curl -s -o /dev/null "127.0.0.1:$KILN_PORT/v2/health/live" || { echo "kiln's server did not start:"; cat "$tmp/kiln.log"; exit 1; }
curl -s -o /dev/null "127.0.0.1:$FLASK_PORT/" || { echo "the Flask reference did not start:"; tail -20 "$tmp/flask.log"; exit 1; }
# ... and be the servers started here, not others on the same ports.
for p in "$kiln_pid" "$flask_pid"; do
	kill -0 "$p" 2>/dev/null || { echo "a server exited (is its port taken?):"; tail -5 "$tmp/kiln.log" "$tmp/flask.log"; exit 1; }
done

row='{"longitude":-122.23,"latitude":37.88,"housing_median_age":41,"total_rooms":880,"total_bedrooms":129,"population":322,"households":126,"median_income":8.3252,"ocean_proximity":"NEAR BAY"}'
rows_body="{\"rows\":[$row]}"
oip_body='{"inputs":['
sep=''
for kv in longitude:-122.23 latitude:37.88 housing_median_age:41 total_rooms:880 total_bedrooms:129 population:322 households:126 median_income:8.3252; do
	oip_body+="$sep{\"name\":\"${kv%%:*}\",\"shape\":[1],\"datatype\":\"FP64\",\"data\":[${kv#*:}]}"
	sep=','
done
oip_body+=',{"name":"ocean_proximity","shape":[1],"datatype":"BYTES","data":["NEAR BAY"]}]}'

# Both servers must answer the same prediction for the same row.
k=$(curl -sf "127.0.0.1:$KILN_PORT/models/housing/predict" -H 'Content-Type: application/json' -d "$rows_body")
f=$(curl -sf "127.0.0.1:$FLASK_PORT/models/housing/predict" -H 'Content-Type: application/json' -d "$rows_body")
/usr/bin/python3 - "$k" "$f" <<'EOF'
import json, sys
k, f = (json.loads(a)["predictions"][0] for a in sys.argv[1:3])
print(f"same model: kiln {k!r}, flask {f!r}")
if abs(k - f) > 1e-9 * abs(k):
    sys.exit("the two servers disagree")
EOF

for name in rows oip; do
	body_var="${name}_body"
	path=/models/housing/predict
	[ "$name" = oip ] && path=/v2/models/housing/infer
	cat >"$tmp/$name.lua" <<EOF
wrk.method = "POST"
wrk.path = "$path"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[${!body_var}]]
EOF
done

# cpu_ticks PID: the CPU time (user + system, in clock ticks) of a process,
# threads included, and of its children, live (gunicorn's workers) or
# exited and reaped. An idle server adds nothing, so it can be read before
# and after waiting for the lock.
cpu_ticks() {
	local t p
	t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat")
	for p in $(pgrep -P "$1" || true); do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}

# run TARGET PORT ENDPOINT PID: one bounded wrk run under the lock; prints
# "target endpoint requests/s p99_ms errors server_cores wrk_cores" (CPU
# time over wrk's duration).
run() {
	local out s0 s1
	s0=$(cpu_ticks "$4")
	out=$(flock /tmp/kiln-bench.lock /usr/bin/time -f "wrk cpu %U %S" "${wrk_cpu[@]}" wrk -t2 -c32 -d"$DURATION" --latency -s "$tmp/$3.lua" "http://127.0.0.1:$2" 2>&1)
	s1=$(cpu_ticks "$4")
	/usr/bin/python3 - "$1" "$3" "$((s1 - s0))" "$(getconf CLK_TCK)" "$DURATION" <<EOF
import re, sys
out = """$out"""
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
p99 = float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)]
errs = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
errs += sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
if errs:
    print(*re.findall(r"(?:Non-2xx.*|Socket errors.*)", out), file=sys.stderr)
d = re.fullmatch(r"([\d.]+)(ms|s|m)", sys.argv[5])
wall = float(d.group(1)) * {"ms": 1e-3, "s": 1, "m": 60}[d.group(2)]
u, s = (float(x) for x in re.search(r"wrk cpu ([\d.]+) ([\d.]+)", out).groups())
print(f"{sys.argv[1]} {sys.argv[2]} {rps:.0f} {p99:.2f} {errs} {int(sys.argv[3]) / int(sys.argv[4]) / wall:.2f} {(u + s) / wall:.2f}")
EOF
}

echo "load before: $(uptime)"
[ "$PIN" = 1 ] && echo "pinned: wrk on CPU 0, each server on CPU 1"
# Go's default GOMAXPROCS is the number of CPUs the process may run on.
echo "kiln's server: GOMAXPROCS ${KILN_GOMAXPROCS:-unset, the default of $("${server_cpu[@]}" nproc)}; Flask: gunicorn -w 2"
echo "target endpoint requests/s p99_ms errors server_cores wrk_cores"
: >"$tmp/results"
for r in $(seq "$ROUNDS"); do
	for ep in oip rows; do
		if [ $((r % 2)) = 1 ]; then order="kiln flask"; else order="flask kiln"; fi
		for target in $order; do
			port=$KILN_PORT pid=$kiln_pid
			[ "$target" = flask ] && port=$FLASK_PORT pid=$flask_pid
			run "$target" "$port" "$ep" "$pid" | tee -a "$tmp/results"
		done
	done
done
echo "load after: $(uptime)"
/usr/bin/python3 - "$tmp/results" <<'EOF'
import statistics, sys
runs = [l.split() for l in open(sys.argv[1])]
for ep in ("oip", "rows"):
    med = {}
    for t in ("kiln", "flask"):
        rs = [r for r in runs if r[0] == t and r[1] == ep]
        med[t] = (statistics.median(float(r[2]) for r in rs), statistics.median(float(r[3]) for r in rs),
                  sum(int(r[4]) for r in rs), max(float(r[3]) for r in rs))
        cpu = statistics.median(float(r[5]) for r in rs), statistics.median(float(r[6]) for r in rs)
        print(f"{ep:4} {t:5}: median {med[t][0]:8.0f} requests/s, median p99 {med[t][1]:6.2f} ms (worst {med[t][3]:.2f}), errors {med[t][2]}; "
              f"CPU: server {cpu[0]:.2f} cores, wrk {cpu[1]:.2f}")
    print(f"{ep:4} kiln/flask: {med['kiln'][0] / med['flask'][0]:.1f}x")
EOF
