#!/usr/bin/env node
// FHIR facade vs GraphQL: Patient read and Patient search throughput through the gateway
// (issue 6). Not part of `npm test`. Against a running platform (`npm start`: demo data):
//
//   node bench/fhir.mjs                                  http://127.0.0.1:4000, doctor@demo.clinicult.test
//   node bench/fhir.mjs --url http://127.0.0.1:4000 --duration 15 --connections 8 --json
//
// Method (docs/benchmarks.md, "FHIR vs GraphQL"):
// - One login (the demo DOCTOR; DEMO_PASSWORD or the demo default), its bearer token on every request.
// - A sample of the clinic's patients (GraphQL `patients(first: 100)`), rotated per request.
// - read:   GET /fhir/Patient/{id}                     vs POST /graphql patient(id) with the fields the
//           FHIR Patient is built from (the facade's own selection).
// - search: GET /fhir/Patient?family=<prefix>&_count=20 vs POST /graphql patients(filter: { familyName },
//           first: 20) with the same fields and totalCount; prefixes from the sample's family names.
// - autocannon: a warm-up run (discarded), then the measured run; req/s (mean), p50/p99 latency (ms).
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { demoPassword } from '../scripts/seed.mjs';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000' },
    email: { type: 'string', default: 'doctor@demo.clinicult.test' },
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '8' },
    json: { type: 'boolean', default: false },
  },
});
const base = args.url.replace(/\/+$/, '');
const duration = Number(args.duration);
const warmup = Number(args.warmup);
const connections = Number(args.connections);

const PATIENT_FIELDS = `id mrn nationalId givenName familyName birthDate gender phone email
  address { line1 line2 city postalCode region country } emergencyContact { name relationship phone }
  version updatedAt`;

async function gql(query, variables = {}, token) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const login = await gql(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, {
  e: args.email,
  p: demoPassword(),
});
const token = login.login.token;
const sample = (await gql(`{ patients(first: 100) { edges { node { id familyName } } } }`, {}, token)).patients.edges.map((e) => e.node);
if (sample.length === 0) throw new Error('no patients: start the platform with its demo data (npm start)');
const prefixes = [...new Set(sample.map((p) => p.familyName.slice(0, 3)))];

const auth = { authorization: `Bearer ${token}` };
const rotating = (list, build) => {
  let i = 0;
  return (request) => ({ ...request, ...build(list[i++ % list.length]) });
};
const scenarios = {
  'read FHIR': {
    method: 'GET',
    headers: { ...auth, accept: 'application/fhir+json' },
    setupRequest: rotating(sample, (p) => ({ path: `/fhir/Patient/${p.id}` })),
  },
  'read GraphQL': {
    method: 'POST',
    path: '/graphql',
    headers: { ...auth, 'content-type': 'application/json' },
    setupRequest: rotating(sample, (p) => ({
      body: JSON.stringify({ query: `query($id: ID!) { patient(id: $id) { ${PATIENT_FIELDS} } }`, variables: { id: p.id } }),
    })),
  },
  'search FHIR': {
    method: 'GET',
    headers: { ...auth, accept: 'application/fhir+json' },
    setupRequest: rotating(prefixes, (f) => ({ path: `/fhir/Patient?family=${encodeURIComponent(f)}&_count=20` })),
  },
  'search GraphQL': {
    method: 'POST',
    path: '/graphql',
    headers: { ...auth, 'content-type': 'application/json' },
    setupRequest: rotating(prefixes, (f) => ({
      body: JSON.stringify({
        query: `query($f: PatientFilter, $n: Int) { patients(filter: $f, first: $n) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${PATIENT_FIELDS} } } } }`,
        variables: { f: { familyName: f }, n: 20 },
      }),
    })),
  },
};

function run(options, seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url: base, connections, duration: seconds, requests: [options] }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

// every scenario answers 200 once before it is measured (a benchmark of refusals measures nothing)
for (const [name, options] of Object.entries(scenarios)) {
  const request = options.setupRequest({ method: options.method, path: options.path, headers: options.headers });
  const response = await fetch(`${base}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
  if (response.status !== 200) throw new Error(`${name}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
  const body = await response.json();
  if (body.errors) throw new Error(`${name}: ${JSON.stringify(body.errors).slice(0, 300)}`);
}

const results = [];
for (const [name, options] of Object.entries(scenarios)) {
  if (warmup > 0) await run(options, warmup);
  const r = await run(options, duration);
  const non2xx = (r.non2xx ?? 0) + (r.errors ?? 0);
  results.push({ scenario: name, reqPerSec: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, failed: non2xx });
  if (!args.json) console.log(`${name.padEnd(15)} ${String(Math.round(r.requests.average)).padStart(6)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  (${r.requests.total} requests, ${non2xx} failed)`);
}
if (args.json) console.log(JSON.stringify({ date: new Date().toISOString(), url: base, connections, duration, results }, null, 2));
