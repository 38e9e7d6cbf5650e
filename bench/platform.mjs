#!/usr/bin/env node
// The platform benchmark (issue 14): CPU per request, summed over every process, for the requests a
// clinic makes all day. Not part of `npm test`: `npm run bench` against a running `npm start`.
//
//   npm start                       (another terminal; NODE_ENV=production npm start for production mode)
//   npm run bench
//   npm run bench -- --scenarios dashboard,queue --duration 20 --connections 16 --json out.json
//   npm run bench -- --gateways ours,apollo,hive   (the GraphQL scenarios through plain @apollo/gateway
//                                                   and Hive Gateway too, on the same subgraphs)
//   npm run bench -- --baseline b26e577 [--rounds 2] [--mode production|development]
//       (no npm start running: the bench builds <ref> in a scratch folder and brings up each checkout's
//        platform in turn, A/B/A/B, on databases of their own; prints each scenario's ratio)
//
// Scenarios: dashboard, queue, fhir-read, search, fhir-search, login, full-visit (check-in to finish,
// as many visits moving at once as there are connections) and mixed-day (a clinic day's mix).
//
// Method (docs/benchmarks.md):
// - Seeds the demo clinic once (idempotent, marked by MRN prefix BENCH-): `--patients` patients
//   straight into patients' database and `--visits-per-patient` historic visits each into visits'
//   (the visits seed generator, the same ids), and a queue of `--queue` current visits checked in
//   through the API (some in triage with the demo NURSE, some in consultation with the DOCTOR).
// - Each scenario: a warm-up run (discarded), then a measured autocannon run rotating over the
//   seeded patients (one repeated request would measure caches and in-flight deduplication, not work).
// - CPU: utime + stime of every process from /proc/<pid>/stat before and after the measured run:
//   the gateway and each subgraph (found by their listening ports), mariadbd and redis-server. The
//   SQL statements per request are MariaDB's `Questions` counter over the run.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadSeeder } from '../scripts/seed-visits.mjs';
import { databaseUrlFor } from '../scripts/lib/infra.mjs';
import { DEMO, demoPassword } from '../scripts/seed.mjs';
import { median, prepareCheckout, refuseWhenRunning, sideEnv, startPlatform } from './lib/baseline.mjs';
import { clearBenchVisits, REQUESTS_PER_VISIT, visitFlow, visitStepRequest } from './lib/visit-flow.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { openConnection } = await import(path.join(root, 'packages/db/dist/index.js'));

const { values: args } = parseArgs({
  options: {
    gateway: { type: 'string', default: process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000' },
    scenarios: { type: 'string', default: 'dashboard,queue,fhir-read,search,fhir-search,login,full-visit,mixed-day' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    patients: { type: 'string', default: '2000' },
    'visits-per-patient': { type: 'string', default: '20' },
    queue: { type: 'string', default: '15' },
    gateways: { type: 'string', default: 'ours' },
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '2' },
    mode: { type: 'string', default: 'production' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}
const GATEWAY = args.gateway.replace(/\/+$/, '');
/** Where the measured requests go: the platform's gateway, or another one on the same subgraphs (--gateways). */
let target = GATEWAY;
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const PATIENTS = Number(args.patients);
const VISITS_PER_PATIENT = Number(args['visits-per-patient']);
const QUEUE = Number(args.queue);
const MRN_PREFIX = 'BENCH-';

// ---- the platform's processes and their CPU

/** The processes to watch: name → pid, from the listening ports of `npm start` (scripts/lib/services.mjs). */
function platformProcesses() {
  const ports = { gateway: 4000, auth: 4001, users: 4002, patients: 4003, visits: 4004, clinic: 4005, admin: 4006, audit: 4007 };
  const listening = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  const found = {};
  for (const [name, port] of Object.entries(ports)) {
    const line = listening.split('\n').find((l) => new RegExp(`[:.]${port}\\s`).test(l));
    const pid = line?.match(/pid=(\d+)/)?.[1];
    if (pid) found[name] = Number(pid);
  }
  for (const [name, command] of [['mariadb', 'mariadbd'], ['mysqld', 'mysqld'], ['redis', 'redis-server']]) {
    try {
      const pid = execFileSync('pgrep', ['-o', '-x', command], { encoding: 'utf8' }).trim();
      if (pid) found[name] = Number(pid);
    } catch {
      // not running under that name
    }
  }
  return found;
}

/** `npm start`'s supervisor, which pretty-prints every child's logs: shown apart, not in the sum (production ships JSON logs). */
function supervisorProcess() {
  try {
    return Number(execFileSync('pgrep', ['-n', '-f', 'scripts/start.mjs'], { encoding: 'utf8' }).trim()) || undefined;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system) of a process so far, in ms. */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

const snapshot = (procs) => Object.fromEntries(Object.entries(procs).map(([name, pid]) => [name, cpuMs(pid)]));

// ---- GraphQL and sign-in

async function gql(query, variables = {}, token) {
  const response = await fetch(`${GATEWAY}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`${query.slice(0, 60)}…: ${body.errors.map((e) => `${e.extensions?.code}: ${e.message}`).join('; ')}`);
  return body.data;
}

const LOGIN = 'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token clinicId } }';
async function signIn(email) {
  const data = await gql(LOGIN, { e: email, p: demoPassword() });
  if (!data.login.clinicId) throw new Error(`${email} signed in without a clinic`);
  return data.login.token;
}

// ---- the seed

/** A token's claims (read, not verified: the bench's own tokens). */
const claimsOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

async function seed(clinicId, tokens) {
  const patientsDb = await openConnection(databaseUrlFor('patients'));
  try {
    const [{ n }] = await patientsDb.query('SELECT COUNT(*) AS n FROM `Patient` WHERE clinicId = ? AND mrn LIKE ?', [clinicId, `${MRN_PREFIX}%`]);
    const have = Number(n);
    if (have < PATIENTS) {
      const { seedVisits } = await loadSeeder();
      const want = PATIENTS - have;
      process.stdout.write(`seeding ${want} patients with ${VISITS_PER_PATIENT} historic visits each… `);
      const started = Date.now();
      const result = await seedVisits({
        url: databaseUrlFor('visits'),
        clinicId,
        count: want * VISITS_PER_PATIENT,
        patients: want,
        migrate: false,
        timeZone: 'Europe/Madrid',
        // the demo clinic's own staff, so that every visit's nurse and doctor resolve in users
        staff: { doctors: [claimsOf(tokens.doctor).sub], nurses: [claimsOf(tokens.nurse).sub], office: [claimsOf(tokens.office).sub] },
      });
      const given = ['Lucía', 'Hugo', 'Martina', 'Mateo', 'Sofía', 'Leo', 'Julia', 'Daniel', 'Paula', 'Álvaro', 'Carmen', 'Pablo'];
      const family = ['García', 'Rodríguez', 'González', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz'];
      for (let i = 0; i < result.patientIds.length; i += 500) {
        const chunk = result.patientIds.slice(i, i + 500);
        const rows = chunk.map((id, j) => {
          const k = have + i + j;
          return [id, clinicId, `${MRN_PREFIX}${String(k).padStart(6, '0')}`, given[k % given.length], `${family[(k * 7) % family.length]} ${k}`,
            new Date(Date.UTC(1940 + (k % 80), k % 12, 1 + (k % 28))), ['FEMALE', 'MALE', 'OTHER', 'UNKNOWN'][k % 4],
            JSON.stringify(k % 3 === 0 ? [{ substance: 'Penicillin', reaction: 'rash', severity: 'MODERATE' }] : []), 'O+'];
        });
        await patientsDb.batch(
          'INSERT INTO `Patient` (id, clinicId, mrn, givenName, familyName, birthDate, gender, allergies, bloodType, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(3))',
          rows,
        );
      }
      console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const ids = (await patientsDb.query('SELECT id FROM `Patient` WHERE clinicId = ? AND mrn LIKE ? ORDER BY mrn', [clinicId, `${MRN_PREFIX}%`])).map((r) => r.id);
    return ids;
  } finally {
    await patientsDb.end();
  }
}

/** A queue of QUEUE visits: checked in by the front desk, a third in triage, a third in consultation. */
async function fillQueue(ids, tokens) {
  const { queueSize } = await gql('{ queueSize }', {}, tokens.nurse);
  let missing = QUEUE - queueSize;
  if (missing <= 0) return;
  process.stdout.write(`checking in ${missing} visits for the queue… `);
  const waiting = ids.filter((_, i) => i % 97 === 0);
  for (const patientId of waiting) {
    if (missing <= 0) break;
    const data = await gql('mutation ($p: ID!) { checkIn(patientId: $p, reason: "Bench: follow-up") { id } }', { p: patientId }, tokens.office).catch(() => null);
    if (!data) continue; // already in the queue
    missing -= 1;
    const visitId = data.checkIn.id;
    if (missing % 3 !== 0) await gql('mutation ($v: ID!) { startTriage(visitId: $v) { id } }', { v: visitId }, tokens.nurse);
    if (missing % 3 === 1) await gql('mutation ($v: ID!) { startConsultation(visitId: $v) { id } }', { v: visitId }, tokens.doctor);
  }
  console.log('done');
}

// ---- the scenarios

const DASHBOARD = `query Dashboard($id: ID!) {
  patient(id: $id) {
    id mrn givenName familyName birthDate gender bloodType allergies { substance reaction severity }
    currentVisit { id state reason checkedInAt nurse { id displayName } doctor { id displayName } vitals { temperatureC heartRate systolic diastolic spo2 } }
    history(first: 20) {
      totalCount
      edges { node { id status reason checkedInAt finishedAt localDate nurse { id displayName } doctor { id displayName }
        diagnoses { code description } vitals { temperatureC heartRate systolic diastolic spo2 } } }
    }
  }
}`;
// as clinic-web's Queue operation asks it (clients/clinic-web/src/operations/visits.graphql)
const QUEUE_BOARD = `query Queue {
  queue { id state reason stale checkedInAt minutesInState allowedTransitions
    patient { id mrn givenName familyName birthDate gender phone }
    nurse { id displayName } doctor { id displayName } }
  queueSize
}`;
const SEARCH = `query ($s: String) { patients(search: $s, first: 20) { totalCount edges { node { id mrn givenName familyName birthDate gender phone currentVisit { id state } } } } }`;

/** A clinic day, per 100 requests: every workstation polls the board, visits move, charts open, integrations read. */
const CLINIC_DAY = { queue: 30, visit: 25, dashboard: 20, search: 10, 'fhir-read': 8, 'fhir-search': 5, login: 2 };

function scenarios(ids, tokens, freePatients, onError) {
  const pick = () => ids[Math.floor(Math.random() * ids.length)];
  const graphql = (token, body) => ({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }),
  });
  const fhir = (token, pathFor) => ({
    method: 'GET',
    headers: { accept: 'application/fhir+json', authorization: `Bearer ${token}` },
    setupRequest: (request) => ({ ...request, path: pathFor() }),
  });
  const prefixes = ['Gar', 'Rod', 'Gon', 'Fer', 'Lóp', 'Mar', 'Sán', 'Pér', 'Góm', 'Jim', 'Ruiz', 'Luc', 'Hug'];
  const single = {
    dashboard: { what: 'patient + currentVisit + history(first: 20), DOCTOR', request: graphql(tokens.doctor, () => ({ query: DASHBOARD, variables: { id: pick() } })) },
    queue: { what: `queue board (${QUEUE} visits), NURSE`, request: graphql(tokens.nurse, () => ({ query: QUEUE_BOARD })) },
    'fhir-read': { what: 'FHIR GET Patient/{id}, DOCTOR', fhir: true, request: fhir(tokens.doctor, () => `/fhir/Patient/${pick()}`) },
    search: { what: 'patient search by name prefix, OFFICE', request: graphql(tokens.office, () => ({ query: SEARCH, variables: { s: prefixes[Math.floor(Math.random() * prefixes.length)] } })) },
    'fhir-search': { what: 'FHIR GET Encounter?patient={id}, DOCTOR', fhir: true, request: fhir(tokens.doctor, () => `/fhir/Encounter?patient=${pick()}&_count=20`) },
    login: {
      what: 'login (password), the demo staff in turn',
      connections: 4,
      request: {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ query: LOGIN, variables: { e: DEMO.staff[Math.floor(Math.random() * DEMO.staff.length)].email, p: demoPassword() } }) }),
      },
    },
  };
  // visits from check-in to finish, as many at once as there are connections (each request one step)
  const fullVisit = visitFlow(freePatients, tokens, CONNECTIONS);
  const dayVisits = visitFlow(freePatients, tokens, 8);
  return {
    ...single,
    'full-visit': {
      what: `visits check-in → triage → vitals → doctor → consultation (diagnosis, prescription) → finish, ${REQUESTS_PER_VISIT} requests each, OFFICE/NURSE/DOCTOR`,
      flow: fullVisit,
      request: visitStepRequest(fullVisit, onError),
    },
    'mixed-day': {
      what: `a clinic day per 100 requests: ${Object.entries(CLINIC_DAY).map(([k, w]) => `${k} ${w}`).join(', ')}`,
      fhir: true,
      flow: dayVisits,
      request: mixedRequest({ ...Object.fromEntries(Object.entries(single).map(([k, v]) => [k, v.request])), visit: visitStepRequest(dayVisits, onError) }),
    },
  };
}

/** One autocannon request that is, each time, one of `kinds` drawn by CLINIC_DAY's weights. */
function mixedRequest(kinds) {
  const draws = Object.entries(CLINIC_DAY).flatMap(([kind, weight]) => Array(weight).fill(kind));
  return {
    method: 'POST',
    path: '/graphql',
    setupRequest(request, context) {
      const kind = kinds[draws[Math.floor(Math.random() * draws.length)]];
      context.kind = kind;
      const base = { ...request, method: kind.method, path: kind.path ?? request.path, headers: kind.headers, body: undefined };
      return kind.setupRequest ? kind.setupRequest(base, context) : base;
    },
    onResponse(status, body, context) {
      context.kind.onResponse?.(status, body, context);
    },
  };
}

/**
 * One request of a scenario, looked at before it is measured: a benchmark of answers that carry
 * errors (or the gateway's `valueCompletion` complaints about a subgraph's data) measures the wrong thing.
 */
async function probe(name, request) {
  const r = request.setupRequest ? request.setupRequest({ ...request }, {}) : request;
  const response = await fetch(`${target}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
  const text = await response.text();
  const body = text.startsWith('{') ? JSON.parse(text) : {};
  const problems = [...(body.errors ?? []), ...(body.extensions?.valueCompletion ?? [])];
  if (!response.ok || problems.length > 0 || body.resourceType === 'OperationOutcome') {
    throw new Error(`${name}: the answer is not clean (HTTP ${response.status}): ${(problems.length ? JSON.stringify(problems.slice(0, 2)) : text).slice(0, 400)}`);
  }
}

/** Answers with GraphQL errors (HTTP 200) count as errors too, not only non-2xx ones. */
function counted(request, onError) {
  if (request.onResponse) return request;
  return {
    ...request,
    onResponse(status, body) {
      if (status === 200 && body.includes('"errors"')) onError(body);
    },
  };
}

/** One whole visit of a flow, step by step, before a visit scenario is measured. */
async function probeVisit(name, flow) {
  const finished = flow.counts.finished;
  for (let i = 0; i < 20 && flow.counts.finished === finished; i += 1) {
    const step = flow.next();
    if (!step) throw new Error(`${name}: no patient free to check in`);
    const response = await fetch(`${target}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${step.token}` }, body: step.body });
    const text = await response.text();
    if (!flow.answered(step.visit, response.status, text)) throw new Error(`${name}: a visit step failed (HTTP ${response.status}): ${text.slice(0, 400)}`);
  }
}

function run(request, seconds, connections) {
  return new Promise((resolve, reject) => {
    // a progress line on a terminal (the seconds gone of the run), cleared before the result prints
    const started = Date.now();
    const timer = process.stdout.isTTY
      ? setInterval(() => {
          const gone = Math.min(seconds, (Date.now() - started) / 1000);
          const width = 30;
          const done = Math.round((gone / seconds) * width);
          process.stdout.write(`\r  [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${gone.toFixed(0)}/${seconds} s`);
        }, 250)
      : undefined;
    autocannon({ url: target, connections, duration: seconds, requests: [request] }, (error, result) => {
      if (timer) {
        clearInterval(timer);
        process.stdout.write('\r\x1b[2K');
      }
      if (error) reject(error);
      else resolve(result);
    });
  });
}

/** Plain @apollo/gateway or Hive Gateway on the platform's subgraphs (bench/lib/other-gateway.mjs), until stopped. */
async function startOtherGateway(kind) {
  const port = { apollo: 4100, hive: 4101 }[kind];
  if (!port) throw new Error(`unknown gateway ${kind} (ours, apollo, hive)`);
  const child = spawn(process.execPath, [path.join(root, 'bench/lib/other-gateway.mjs'), kind, String(port)], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    if (child.exitCode !== null) throw new Error(`the ${kind} gateway exited (${child.exitCode})`);
    const up = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).then((r) => r.ok, () => false);
    if (up) return { url, pid: child.pid, stop: () => child.kill('SIGTERM') };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`the ${kind} gateway did not answer on ${url} within 20 s`);
}

async function questions(db) {
  const [row] = await db.query("SHOW GLOBAL STATUS LIKE 'Questions'");
  return Number(row.Value);
}

// ---- one platform, measured

/**
 * Signs in, seeds, and measures every wanted scenario through each of `gateways` on the platform that
 * answers at GATEWAY (its databases: DATABASE_URL_<SERVICE>, or clinicult_<service>).
 */
async function benchmarkPlatform(gateways) {
  const doctor = await signIn(DEMO.staff.find((s) => s.role === 'DOCTOR').email);
  const tokens = {
    doctor,
    nurse: await signIn(DEMO.staff.find((s) => s.role === 'NURSE').email),
    office: await signIn(DEMO.staff.find((s) => s.role === 'OFFICE').email),
  };
  const clinicId = claimsOf(doctor).cid;
  if (!clinicId) throw new Error('the DOCTOR token names no clinic');
  const ids = await seed(clinicId, tokens);
  await fillQueue(ids, tokens);

  const procs = platformProcesses();
  const supervisor = supervisorProcess();
  const admin = await openConnection(databaseUrlFor('patients'));
  const auditDb = await openConnection(databaseUrlFor('audit'));
  /** Audit events that occurred in [from, to): what the audit service had to store for the run. */
  async function auditEvents(from, to) {
    const [row] = await auditDb.query('SELECT COUNT(*) AS n FROM AuditEvent WHERE occurredAt >= ? AND occurredAt < ?', [from, to]);
    return Number(row.n);
  }
  const env = execFileSync('sh', ['-c', `tr '\\0' '\\n' < /proc/${procs.gateway}/environ | grep '^NODE_ENV=' || true`], { encoding: 'utf8' }).trim() || 'NODE_ENV unset';
  console.log(`gateway ${GATEWAY} (${env}); ${ids.length} patients; ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s each`);
  console.log(`processes: ${Object.entries(procs).map(([n, p]) => `${n}=${p}`).join(' ')}\n`);

  /** Patients without a current visit, for the visit scenarios to check in. */
  async function patientsOutOfQueue() {
    const inQueue = new Set((await gql('{ queue { patient { id } } }', {}, tokens.nurse)).queue.map((v) => v.patient.id));
    return ids.filter((id) => !inQueue.has(id));
  }
  /** After a run of a visit scenario: its unfinished visits out of the queue, its patients free again. */
  async function settle(flow) {
    const cleared = await clearBenchVisits(gql, tokens);
    flow.reset(await patientsOutOfQueue());
    return cleared;
  }
  const freePatients = await patientsOutOfQueue();
  let errorSample;
  let graphqlErrors = 0;
  const onError = (body) => {
    graphqlErrors += 1;
    errorSample ??= body.slice(0, 300);
  };
  const all = scenarios(ids, tokens, freePatients, onError);
  const results = [];
  for (const name of wanted) if (!all[name]) throw new Error(`unknown scenario ${name} (${Object.keys(all).join(', ')})`);
  for (const gatewayName of gateways) {
    const other = gatewayName === 'ours' ? undefined : await startOtherGateway(gatewayName);
    target = other?.url ?? GATEWAY;
    // the other gateway's CPU stands where the platform's gateway's stood
    const measured = other ? { ...procs, gateway: other.pid } : procs;
    if (other) console.log(`— through ${gatewayName} (${other.url}), the GraphQL scenarios only\n`);
    try {
      for (const name of wanted) {
        if (other && all[name].fhir) continue;
        results.push(await measure(name, all[name], measured, gatewayName));
      }
    } finally {
      other?.stop();
    }
  }

  async function measure(name, scenario, procs, gatewayName) {
    const connections = scenario.connections ?? CONNECTIONS;
    console.log(`${name}: ${scenario.what}`);
    if (scenario.flow) await probeVisit(name, scenario.flow);
    if (name === 'mixed-day') for (const [kind, s] of Object.entries(all)) if (s.request && !s.flow) await probe(`${name} (${kind})`, s.request);
    if (!scenario.flow) await probe(name, scenario.request);
    const request = counted(scenario.request, onError);
    if (WARMUP > 0) await run(request, WARMUP, connections);
    if (scenario.flow) await settle(scenario.flow);
    graphqlErrors = 0;
    errorSample = undefined;
    const visitsBefore = scenario.flow?.counts.finished ?? 0;
    const before = snapshot(procs);
    const supervisorBefore = supervisor ? cpuMs(supervisor) : 0;
    const q0 = await questions(admin);
    const runFrom = new Date();
    const result = await run(request, DURATION, connections);
    const runTo = new Date();
    const q1 = await questions(admin);
    // the audit service stores in batches a moment later: let it finish the run's events
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = snapshot(procs);
    const supervisorMs = supervisor ? cpuMs(supervisor) - supervisorBefore : 0;
    const requests = result.requests.total;
    const cpu = Object.fromEntries(Object.keys(procs).map((n) => [n, (after[n] - before[n]) / requests]));
    const total = Object.values(cpu).reduce((a, b) => a + b, 0);
    const errors = result.errors + result.non2xx + graphqlErrors;
    const visits = (scenario.flow?.counts.finished ?? 0) - visitsBefore;
    const audited = await auditEvents(runFrom, runTo);
    const row = {
      scenario: name,
      gateway: gatewayName,
      reqPerSec: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors,
      sqlPerRequest: (q1 - q0 - 2) / requests,
      cpuMsPerRequest: total,
      cpuMsByProcess: cpu,
      supervisorCpuMsPerRequest: supervisorMs / requests,
      auditEventsPerRequest: audited / requests,
      auditCpuMsPerEvent: audited > 0 ? (after.audit - before.audit) / audited : null,
      visitsFinished: scenario.flow ? visits : undefined,
      cpuMsPerVisit: scenario.flow && visits > 0 && name === 'full-visit' ? (total * requests) / visits : undefined,
    };
    const shares = Object.entries(cpu).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([n, v]) => `${n} ${v.toFixed(2)}`).join(', ');
    console.log(
      `  ${row.reqPerSec.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ${errors} errors, ${row.sqlPerRequest.toFixed(1)} SQL/req, ` +
        `CPU ${total.toFixed(2)} ms/req (${shares})` +
        (audited > 0 ? `; ${row.auditEventsPerRequest.toFixed(2)} audit events/req, audit ${row.auditCpuMsPerEvent.toFixed(3)} ms/event` : '') +
        (row.visitsFinished !== undefined ? `; ${row.visitsFinished} visits finished (${(row.visitsFinished / DURATION).toFixed(1)}/s)` : '') +
        (row.cpuMsPerVisit !== undefined ? `, CPU ${row.cpuMsPerVisit.toFixed(1)} ms per visit` : '') +
        (errorSample ? `\n  first error: ${errorSample}` : '') +
        (supervisor ? `; npm start's log printer ${row.supervisorCpuMsPerRequest.toFixed(2)} ms/req more` : '') +
        '\n',
    );
    if (scenario.flow) {
      const cleared = await settle(scenario.flow);
      if (cleared > 0) console.log(`  (${cleared} unfinished bench visits taken out of the queue)\n`);
    }
    return row;
  }
  await admin.end();
  await auditDb.end();
  return { results, env };
}

// ---- main

const wanted = args.scenarios.split(',').map((s) => s.trim()).filter(Boolean);
const gateways = args.gateways.split(',').map((s) => s.trim()).filter(Boolean);
if (args.baseline) {
  await compareWithBaseline(args.baseline);
} else {
  const { results, env } = await benchmarkPlatform(gateways);
  printTable(results, gateways.length > 1);
  if (args.json) await writeFile(args.json, JSON.stringify({ at: new Date().toISOString(), gateway: GATEWAY, env, results }, null, 2));
}

/**
 * --baseline <ref>: A/B/A/B rounds of the baseline checkout and this one, each side a platform of its
 * own brought up for its round and stopped after it (bench/lib/baseline.mjs), then each scenario's
 * median per side and the ratio.
 */
async function compareWithBaseline(ref) {
  if (gateways.length > 1) throw new Error('--baseline compares the platforms\' own gateways: leave out --gateways');
  const production = args.mode === 'production';
  if (!['production', 'development'].includes(args.mode)) throw new Error('--mode is production or development');
  const rounds = Number(args.rounds);
  await refuseWhenRunning();
  const baseline = prepareCheckout(root, ref);
  const sides = [
    { name: 'baseline', label: `${ref} (${baseline.sha.slice(0, 9)})`, dir: baseline.dir, env: sideEnv('base', 1) },
    { name: 'this', label: 'this checkout', dir: root, env: sideEnv('head', 2) },
  ];
  const rows = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const side of sides) {
      // the demo is seeded by a development start; production starts never seed
      if (round === 1 && production) {
        console.log(`round ${round}, ${side.label}: a development start first, for the demo seed`);
        await (await startPlatform(side.dir, { production: false, env: side.env })).stop();
      }
      console.log(`round ${round}/${rounds}, ${side.label} (${args.mode})`);
      const platform = await startPlatform(side.dir, { production, env: side.env });
      try {
        Object.assign(process.env, side.env);
        const { results } = await benchmarkPlatform(['ours']);
        rows.push(...results.map((r) => ({ ...r, side: side.name, round })));
      } finally {
        await platform.stop();
      }
    }
  }
  const stat = (scenario, side, key) => median(rows.filter((r) => r.scenario === scenario && r.side === side).map((r) => r[key]));
  console.log(`\n${sides[0].label} against this checkout, ${rounds} rounds A/B, ${args.mode}; medians\n`);
  console.log('| scenario | baseline CPU ms/req | this CPU ms/req | CPU ratio | baseline req/s | this req/s | req/s ratio |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const scenario of wanted) {
    const [cpuA, cpuB] = ['baseline', 'this'].map((side) => stat(scenario, side, 'cpuMsPerRequest'));
    const [rpsA, rpsB] = ['baseline', 'this'].map((side) => stat(scenario, side, 'reqPerSec'));
    console.log(`| ${scenario} | ${cpuA.toFixed(2)} | ${cpuB.toFixed(2)} | ${(cpuA / cpuB).toFixed(2)}× less | ${rpsA.toFixed(0)} | ${rpsB.toFixed(0)} | ${(rpsB / rpsA).toFixed(2)}× |`);
  }
  if (args.json) await writeFile(args.json, JSON.stringify({ at: new Date().toISOString(), baseline: { ref, sha: baseline.sha }, mode: args.mode, rounds, rows }, null, 2));
}

function printTable(results, several) {
  console.log(`| scenario |${several ? ' gateway | gateway CPU ms/req |' : ''} req/s | p50 ms | p99 ms | errors | SQL/req | CPU ms/req | audit ms/event |`);
  console.log(`| --- |${several ? ' --- | ---: |' : ''} ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const r of results) {
    const audit = r.auditCpuMsPerEvent === null ? '–' : r.auditCpuMsPerEvent.toFixed(3);
    const gateway = several ? ` ${r.gateway} | ${r.cpuMsByProcess.gateway.toFixed(2)} |` : '';
    console.log(`| ${r.scenario} |${gateway} ${r.reqPerSec.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.sqlPerRequest.toFixed(1)} | ${r.cpuMsPerRequest.toFixed(2)} | ${audit} |`);
  }
}
