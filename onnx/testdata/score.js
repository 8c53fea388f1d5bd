// Scores ONNX models with ONNX Runtime (npm onnxruntime-node), for the onnx
// package's acceptance test.
//
//   node score.js JOBS.json RESULTS.json
//
// JOBS.json is a list of {"model": PATH, "inputs": {NAME: {"type", "dims",
// "data"}}}; a null in a double tensor's data stands for NaN. RESULTS.json
// gets one object per job: {OUTPUT: {"type", "dims", "data"}}, int64 values
// as decimal strings, NaN as null.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function tensor(t) {
  switch (t.type) {
    case 'double':
      return new ort.Tensor('float64', Float64Array.from(t.data, v => (v === null ? NaN : v)), t.dims);
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(t.data, v => BigInt(v)), t.dims);
    case 'bool':
      return new ort.Tensor('bool', Uint8Array.from(t.data, v => (v ? 1 : 0)), t.dims);
    case 'string':
      return new ort.Tensor('string', t.data, t.dims);
  }
  throw new Error('unknown input type ' + t.type);
}

async function main() {
  const [jobsPath, resultsPath] = process.argv.slice(2);
  const jobs = JSON.parse(fs.readFileSync(jobsPath, 'utf8'));
  const results = [];
  for (const job of jobs) {
    const session = await ort.InferenceSession.create(job.model);
    const feeds = {};
    for (const [name, t] of Object.entries(job.inputs)) {
      feeds[name] = tensor(t);
    }
    const out = await session.run(feeds);
    const res = {};
    for (const [name, t] of Object.entries(out)) {
      let data = Array.from(t.data, v => (typeof v === 'bigint' ? v.toString() : v));
      if (t.type === 'bool') {
        data = data.map(v => Boolean(v));
      }
      res[name] = { type: t.type, dims: t.dims, data };
    }
    results.push(res);
    await session.release();
  }
  fs.writeFileSync(resultsPath, JSON.stringify(results));
  console.log('onnxruntime-node ' + ort.env.versions.node + ': scored ' + jobs.length + ' models');
}

main().catch(err => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
