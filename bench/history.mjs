#!/usr/bin/env node
// Patient.history latency at growing table sizes (issue 4: "history p99 at 1M rows within 1.5× of
// 10k rows"), cold (MySQL) and cached (Redis). Not part of `npm test`: `npm run bench:history`.
//
//   npm run bench:history                                  10k → 100k → 1M, then drops its database
//   node bench/history.mjs --steps 10000,100000 --duration 10 --keep
//
// Method (docs/benchmarks.md):
// - One bench database (default clinicult_bench_visits), grown step by step with the seed generator
//   (subgraphs/visits/src/seed/visits-seed.ts: 20 visits per patient on average, skewed), so each
//   step only adds the difference; ANALYZE TABLE after each step.
// - The real visits service (subgraphs/visits/dist) in a child process over HTTP, with a token
//   signed by a key of the benchmark's own that the service trusts as an extra issuer (as the visits
//   tests do); a DOCTOR of the seeded clinic, so every medical field is resolved and audited.
// - The query the staff app sends for a patient's last 20 visits, through `_entities` as the
//   gateway does, rotating over a random sample of the clinic's patients.
// - cold: the service started without its history cache (`historyCache: false`): every request
//   reads MySQL (the keys from the (clinicId, patientId, finishedAt, id) index, the rows by primary
//   key, the COUNT for totalCount/visitCount). cached: the normal service with every sampled patient's
//   first page already in Redis (warmed by one request each), so every request is a cache hit.
// - autocannon: a warm-up run (discarded), then the measured run; p50/p99 latency and req/s.
// - sql: the cold path's statements alone, one connection, one patient after another (the page's
//   keys from the index, those rows by primary key, the patient's COUNT), timed per patient: what the
//   database costs at each size without HTTP, GraphQL and a busy machine's scheduling around it.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { loadSeeder, progressBar, DEFAULT_SEED_CLINIC } from '../scripts/seed-visits.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { openConnection, dropDatabase, createDatabase } = await import(path.join(root, 'packages/db/dist/index.js'));
const { FACTS_HASH, factKeys } = await import(path.join(root, 'packages/kit/dist/index.js'));
const { permissionsForRoles } = await import(path.join(root, 'packages/rbac/dist/index.js'));
const { historyKeysQuery } = await import(path.join(root, 'subgraphs/visits/dist/index.js')).catch(() => ({}));

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '10000,100000,1000000' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
    sample: { type: 'string', default: '2000' },
    clinic: { type: 'string', default: DEFAULT_SEED_CLINIC },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/clinicult_bench_visits' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    modes: { type: 'string', default: 'sql,cold,cached' },
    keep: { type: 'boolean', default: false },
  },
});
const steps = args.steps.split(',').map(Number);
const modes = args.modes.split(',');
const duration = Number(args.duration);
const warmup = Number(args.warmup);
const connections = Number(args.connections);
const clinicId = args.clinic;
const url = args['database-url'];
const prefix = `bench:${randomUUID()}`;

const QUERY = `query History($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { id visitCount
  history(first: 20) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
    id status reason cancelReason localDate checkedInAt finishedAt doctor { id } nurse { id } timeline { from to at }
    vitals { temperatureC heartRate systolic diastolic spo2 } diagnoses { code description } prescriptions { drug dose frequency } notes } } } } } }`;

const ISSUER = 'https://bench.clinicult.local';
const AUDIENCE = 'clinicult';

async function issuer() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const kid = `bench-${randomUUID()}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ iat_ms: now * 1000, cid: clinicId, roles: ['DOCTOR'], permissions: permissionsForRoles(['DOCTOR']) })
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setSubject(randomUUID())
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + 3600 * 6)
    .sign(privateKey);
  return { jwk, token };
}

async function query(sql, params = []) {
  const conn = await openConnection(url);
  try {
    return await conn.query(sql, params);
  } finally {
    await conn.end();
  }
}

async function startService(cache, jwk) {
  const child = fork(path.join(root, 'bench/lib/visits-child.mjs'), [], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      REDIS_URL: args['redis-url'],
      BENCH_JWK: JSON.stringify(jwk),
      BENCH_ISSUER: ISSUER,
      BENCH_AUDIENCE: AUDIENCE,
      BENCH_CACHE: cache ? 'on' : 'off',
      BENCH_PREFIX: prefix,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const serviceUrl = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`visits service exited (${code})`)));
  });
  return {
    url: `${serviceUrl}/graphql`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.send('stop');
      }),
  };
}

const bodyFor = (patientId) => JSON.stringify({ query: QUERY, variables: { r: [{ __typename: 'Patient', id: patientId }] } });

async function post(serviceUrl, token, body) {
  const response = await fetch(serviceUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  return response.json();
}

function run(serviceUrl, token, bodies, seconds) {
  let i = 0;
  let graphqlErrors = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: serviceUrl,
        connections,
        duration: seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        requests: [
          {
            setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }),
            onResponse: (_status, body) => {
              if (body.includes('"errors"')) graphqlErrors += 1;
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve({ result, graphqlErrors })),
    );
  });
}

/** The cold path's three statements per patient on one connection (a pass to warm up, then timed). */
async function sqlPath(patients) {
  const conn = await openConnection(url);
  const times = [];
  try {
    for (const pass of [0, 1]) {
      for (const patientId of patients) {
        const started = process.hrtime.bigint();
        const keys = await conn.query(
          'SELECT id FROM HistoricVisit WHERE clinicId = ? AND patientId = ? ORDER BY finishedAt DESC, id DESC LIMIT 21',
          [clinicId, patientId],
        );
        const ids = keys.map((k) => k.id);
        await conn.query(`SELECT * FROM HistoricVisit WHERE clinicId = ? AND id IN (${ids.map(() => '?').join(',')})`, [clinicId, ...ids]);
        await conn.query('SELECT COUNT(*) AS n FROM HistoricVisit WHERE clinicId = ? AND patientId = ?', [clinicId, patientId]);
        if (pass === 1) times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }
  } finally {
    await conn.end();
  }
  times.sort((x, y) => x - y);
  const at = (q) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2));
  const total = times.reduce((sum, t) => sum + t, 0);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), avg: Number((total / times.length).toFixed(2)), rps: Math.round(times.length / (total / 1000)), requests: times.length, errors: 0, cachedEntries: null };
}

async function cleanRedis(redis) {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

async function main() {
  const redis = new Redis(args['redis-url']);
  // the session check: as auth does at start (tests do the same with markSessionFactsReady)
  await redis.hset(FACTS_HASH, factKeys.ready, String(Date.now()));
  const { jwk, token } = await issuer();
  const { seedVisits } = await loadSeeder();
  await createDatabase(url).catch(() => undefined);
  const results = [];
  console.log(`bench: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; database ${url}`);
  try {
    for (const target of steps) {
      const [{ n }] = await query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', ['HistoricVisit']);
      const have = n > 0 ? Number((await query('SELECT COUNT(*) AS n FROM HistoricVisit WHERE clinicId = ?', [clinicId]))[0].n) : 0;
      if (have < target) {
        const add = target - have;
        console.log(`\nstep ${target}: seeding ${add} visits (have ${have})`);
        const bar = await progressBar(add);
        try {
          const seeded = await seedVisits({ url, clinicId, count: add, onProgress: (w) => bar.update(w) });
          bar.stop();
          console.log(`  ${seeded.visits} visits in ${(seeded.millis / 1000).toFixed(1)} s (${Math.round(seeded.visits / (seeded.millis / 1000))} rows/s)`);
        } finally {
          bar.stop();
        }
      }
      await query('ANALYZE TABLE HistoricVisit');
      await query('ANALYZE TABLE VisitDiagnosis');
      const rows = Number((await query('SELECT COUNT(*) AS n FROM HistoricVisit'))[0].n);
      const patients = (await query('SELECT patientId FROM (SELECT DISTINCT patientId FROM HistoricVisit WHERE clinicId = ?) p ORDER BY RAND() LIMIT ?', [clinicId, Number(args.sample)])).map((r) => r.patientId);
      const bodies = patients.map(bodyFor);
      const [size] = await query("SELECT ROUND((data_length + index_length) / 1048576) AS mb FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'HistoricVisit'");
      let plan = null;
      if (historyKeysQuery) {
        const sql = historyKeysQuery(clinicId, patients[0], { take: 21 });
        [plan] = await query(`EXPLAIN ${sql.sql}`, sql.values);
      }
      console.log(`step ${target}: ${rows} rows (${size.mb} MB with indexes), ${patients.length} patients sampled; history keys use ${plan?.key} (${plan?.Extra})`);
      for (const mode of modes) {
        if (mode === 'sql') {
          results.push({ rows, mode, ...(await sqlPath(patients)), load: os.loadavg()[0] });
          const r = results.at(-1);
          console.log(`  sql    p50 ${r.p50} ms  p90 ${r.p90} ms  p99 ${r.p99} ms  avg ${r.avg} ms  ${r.rps} patients/s  (${r.requests} patients, one connection; load ${r.load.toFixed(1)})`);
          continue;
        }
        const service = await startService(mode === 'cached', jwk);
        try {
          const probe = await post(service.url, token, bodies[0]);
          if (probe.errors) throw new Error(`the history query failed: ${JSON.stringify(probe.errors)}`);
          if (mode === 'cached') {
            // one request per sampled patient fills its entry
            for (let k = 0; k < bodies.length; k += 20) await Promise.all(bodies.slice(k, k + 20).map((b) => post(service.url, token, b)));
          }
          await run(service.url, token, bodies, warmup);
          const { result, graphqlErrors } = await run(service.url, token, bodies, duration);
          let cachedEntries = null;
          if (mode === 'cached') {
            const keys = patients.map((p) => `${prefix}:history:${clinicId}:${p}`);
            cachedEntries = (await redis.exists(...keys));
          }
          const row = {
            rows,
            mode,
            p50: result.latency.p50,
            p90: result.latency.p90,
            p99: result.latency.p99,
            avg: result.latency.average,
            rps: result.requests.average,
            requests: result.requests.total,
            errors: result.errors + result.timeouts + result.non2xx + graphqlErrors,
            cachedEntries,
            load: os.loadavg()[0],
          };
          results.push(row);
          console.log(`  ${mode.padEnd(6)} p50 ${row.p50} ms  p90 ${row.p90} ms  p99 ${row.p99} ms  avg ${row.avg} ms  ${row.rps} req/s  (${row.requests} requests, ${row.errors} errors${cachedEntries === null ? '' : `, ${cachedEntries}/${patients.length} entries in Redis`}; load ${row.load.toFixed(1)})`);
        } finally {
          // let autocannon's last requests finish before the service closes its pool
          await new Promise((resolve) => setTimeout(resolve, 1000));
          await service.stop();
          await cleanRedis(redis);
        }
      }
    }
  } finally {
    await cleanRedis(redis).catch(() => undefined);
    redis.disconnect();
    if (!args.keep) {
      await dropDatabase(url);
      console.log(`\ndropped ${url.replace(/\/\/[^@]*@/, '//')}`);
    }
  }

  console.log('\n| rows | mode | p50 ms | p90 ms | p99 ms | avg ms | req/s | errors | load (1 min) |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) console.log(`| ${r.rows} | ${r.mode} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.avg} | ${r.rps} | ${r.errors} | ${r.load.toFixed(1)} |`);
  const smallest = Math.min(...results.map((r) => r.rows));
  const largest = Math.max(...results.map((r) => r.rows));
  for (const mode of modes) {
    const lo = results.find((r) => r.rows === smallest && r.mode === mode);
    const hi = results.find((r) => r.rows === largest && r.mode === mode);
    if (!lo || !hi || lo === hi) continue;
    const ratio = hi.p99 / lo.p99;
    console.log(`${mode}: p99 at ${largest} rows is ${ratio.toFixed(2)}× the p99 at ${smallest} rows — target ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'MISSED'}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
