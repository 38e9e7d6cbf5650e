#!/usr/bin/env node
// `npm start`: from a fresh clone to a running Clinicult with demo data.
//   1. npm install (only when node_modules is missing)
//   2. turbo run build (prisma generate first, through the `generate` tasks)
//   3. MariaDB/MySQL and Redis answer? (if not: how to start them)
//   4. npm run db:migrate
//   5. the services as child processes, in dependency order, each waiting for the previous tier's
//      /healthz: auth → users, admin (+ patients, visits, clinic, audit once built) → gateway
//   6. the demo seed (never when NODE_ENV=production), then the web clients (once built)
//   7. the URLs and demo logins; Ctrl-C stops everything gracefully
// `npm start -- --tls`: the gateway and the web apps over HTTPS, with a certificate of a local CA
// (.clinicult/tls/ca.pem: trust it in the browser, or pass it to clients as their CA).
// `npm start -- --clusters=eu-1,us-1`: two regions, each with its own gateway, patients, visits,
// clinic and audit, databases and redis-server, beside one platform plane (scripts/lib/regions.mjs).
// Node built-ins only: this runs before `npm install`.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import { ensureInstalled, npmCommand, root, run, turbo } from './lib/proc.mjs';
import { checkInfrastructure, databaseUrlFor, portInUse } from './lib/infra.mjs';
import { DATABASE_SERVICES, entryOf, plan, SERVICES, url } from './lib/services.mjs';
import { clustersFromArgs, expandForClusters, hasRedisServer, migrationRuns, REGIONAL_SERVICES, redisServerArgs, regionalEnv, regionalLayout } from './lib/regions.mjs';
import { describeExit, Supervisor } from './lib/supervisor.mjs';
import { c, fail, ok, step, warn } from './lib/ui.mjs';

const production = process.env.NODE_ENV === 'production';
const withTls = process.argv.slice(2).includes('--tls');
/** --clusters=eu-1,us-1: the regions this start runs (null: one cluster serving every clinic, as always). */
let clusters = null;
try {
  clusters = clustersFromArgs(process.argv.slice(2));
} catch (error) {
  fail(error.message);
  process.exit(2);
}
const layout = clusters ? regionalLayout(clusters) : null;
/** The usual port of each service: a cluster's processes add 100 per cluster to it. */
const BASE_PORTS = Object.fromEntries(SERVICES.map((s) => [s.name, s.port]));
/** A database of this name on the configured MySQL server (where DATABASE_URL_AUTH or the default points). */
function mysqlUrlFor(database) {
  const server = new URL(databaseUrlFor('auth'));
  server.pathname = `/${database}`;
  return server.href;
}
/** The processes browsers reach: HTTPS with --tls. */
const PUBLIC_SERVICES = new Set(['gateway', 'clinic-web', 'admin-web']);
/** The web apps are opened at localhost: passkeys need a host name (WebAuthn refuses IP addresses). */
const localUrl = (port, pathname = '') => `${withTls ? 'https' : 'http'}://localhost:${port}${pathname}`;
/** A service's own URL as npm start reaches it (the certificate names localhost and 127.0.0.1). */
const serviceUrl = (service, pathname = '') => (withTls && PUBLIC_SERVICES.has(service.name) ? localUrl(service.port, pathname) : url(service.port, pathname));
const gatewayUrl = (pathname = '') => serviceUrl({ name: 'gateway', port: 4000 }, pathname);
/** The public URL of a process on `port` (https with --tls for the public ones). */
const publicUrl = (port) => (withTls ? localUrl(port) : url(port));
/** --tls: the certificate and key files (made after the build, by @clinicult/tls). */
let tlsFiles = null;
const startTimeoutMs = Number(process.env.START_TIMEOUT_MS ?? 60_000);
const graceMs = Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000) + 2_000;

/** The environment every child gets: the caller's, minus what must differ per service. */
function childEnv(service) {
  const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development', APOLLO_TELEMETRY_DISABLED: '1' };
  delete env.PORT;
  delete env.DATABASE_URL;
  env.PORT = String(service.port);
  // Each service its own database: DATABASE_URL_<SERVICE> or clinicult_<service> on the local server.
  if (service.database) env.DATABASE_URL = databaseUrlFor(service.name);
  // --clusters: the process's plane or cluster (its database, Redis and neighbours)
  if (layout) Object.assign(env, regionalEnv(service, layout, { mysqlUrlFor, basePorts: BASE_PORTS, publicUrl }));
  // Service keys (private_key_jwt): from SERVICE_KEYS_DIR (npm run keys:generate; required in
  // production), else each service generates its development key under .clinicult/keys.
  if (process.env.SERVICE_KEYS_DIR) {
    const dir = path.resolve(process.env.SERVICE_KEYS_DIR);
    if (service.name === 'auth') env.SERVICE_JWKS_FILE = path.join(dir, 'services.jwks.json');
    else if (existsSync(path.join(dir, `${service.name}.private.jwk.json`))) env.SERVICE_KEY_FILE = path.join(dir, `${service.name}.private.jwk.json`);
  }
  if (tlsFiles) Object.assign(env, tlsEnv(service));
  return env;
}

/** --tls: HTTPS for the public processes, and every public URL on https://localhost. */
function tlsEnv(service) {
  const web = [localUrl(3000), localUrl(3001)].join(',');
  const env = {};
  // HSTS for 5 minutes only (unless set): a browser would otherwise refuse http://localhost for months
  if (PUBLIC_SERVICES.has(service.name)) Object.assign(env, { TLS_CERT_FILE: tlsFiles.certFile, TLS_KEY_FILE: tlsFiles.keyFile, PUBLIC_URL: localUrl(service.port), HSTS_MAX_AGE: process.env.HSTS_MAX_AGE ?? '300' });
  if (service.name === 'gateway') env.ALLOWED_ORIGINS = web;
  if (service.client) env.GATEWAY_URL = localUrl(4000);
  if (service.name === 'auth') Object.assign(env, { CLINIC_WEB_URL: localUrl(3000), WEBAUTHN_ORIGINS: web });
  return env;
}

/** --tls: the local certificate, trusted by this process's own requests (health checks, the seed). */
async function prepareTls() {
  const { localCertificate } = await import(path.join(root, 'packages/tls/dist/index.js'));
  tlsFiles = localCertificate(path.join(root, '.clinicult', 'tls'), ['localhost', '127.0.0.1']);
  const { Agent, setGlobalDispatcher } = await import('undici');
  setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, readFileSync(tlsFiles.caFile, 'utf8')] } }));
  ok(`HTTPS with the local CA's certificate ${c.dim(`(${path.relative(root, tlsFiles.caFile)}: trust it to open the apps without a warning)`)}`);
}

async function preflight() {
  step('Dependencies');
  if ((await ensureInstalled({ log: (m) => console.log(`  ${m}`) })) !== 0) {
    fail('npm install failed (see above).');
    process.exit(1);
  }

  step('Build (turbo run build: prisma generate, then tsc)');
  if ((await turbo(['run', 'build', '--output-logs=errors-only'])) !== 0) {
    fail('The build failed (see above). Fix it, then run npm start again.');
    process.exit(1);
  }

  step('MariaDB/MySQL and Redis');
  const { problems, mysql, redis } = await checkInfrastructure();
  if (problems.length) {
    for (const problem of problems) fail(problem);
    process.exit(1);
  }
  ok(`MariaDB/MySQL ${(mysql.version ?? '').replace(/^5\.5\.5-/, '')} at ${mysql.host}:${mysql.port}, Redis at ${redis.host}:${redis.port}`);

  step('Migrations (npm run db:migrate)');
  const runs = layout
    ? migrationRuns(layout, {
        platformServices: DATABASE_SERVICES.filter((s) => !REGIONAL_SERVICES.has(s)),
        regionalServices: DATABASE_SERVICES.filter((s) => REGIONAL_SERVICES.has(s)),
        mysqlUrlFor,
      })
    : [{ label: null, env: {}, services: [] }];
  for (const migration of runs) {
    if (migration.label) console.log(c.dim(`  ${migration.label}: ${migration.services.join(', ')}`));
    if ((await run(npmCommand, ['run', '--silent', 'db:migrate', '--', ...migration.services], { env: { ...process.env, ...migration.env } })) !== 0) {
      fail('Migrating the databases failed (see above).');
      process.exit(1);
    }
  }
}

/** Refuses to go on when a port it needs is taken (another Clinicult, usually). */
async function checkPorts(services) {
  const busy = [];
  for (const service of services) {
    // the services' ops endpoints (/readyz, /metrics) listen on PORT + 5000 (kit's OPS_PORT default)
    const opsPort = service.client || service.devOnly ? [] : [service.port + 5000];
    for (const port of [service.port, ...(service.extraPorts ?? []), ...opsPort]) if (await portInUse(port)) busy.push({ ...service, port });
  }
  if (busy.length) {
    fail(
      `Port${busy.length > 1 ? 's' : ''} already in use: ${busy.map((s) => `${s.port} (${s.name})`).join(', ')}. ` +
        'Is Clinicult already running? Stop it (Ctrl-C in its terminal) or free the port.',
    );
    process.exit(1);
  }
}

async function main() {
  if (process.env.DATABASE_URL) {
    warn('DATABASE_URL is ignored by npm start: each service has its own database. Use DATABASE_URL_<SERVICE> (e.g. DATABASE_URL_AUTH).');
  }
  if (layout && !hasRedisServer()) {
    fail('--clusters runs a redis-server per cluster, and redis-server is not on the PATH (Debian: apt-get install redis-server).');
    process.exit(1);
  }
  const instances = (list) => (layout ? expandForClusters(list, layout) : list);
  // Fail fast, before building: the services that always run, and those already built.
  await checkPorts(instances(SERVICES.filter((s) => (!s.optional || entryOf(s)) && !(production && s.devOnly))));
  if (layout) await checkPorts(layout.redisServers().map((r) => ({ name: r.name, port: r.port, devOnly: true })));
  await preflight();

  const planned = plan({ production });
  const { missing, skipped } = planned;
  const services = instances(planned.run);
  if (missing.length) {
    fail(`Not built: ${missing.map((s) => `${s.dir}/dist/main.js`).join(', ')}. Run npm run build and read its errors.`);
    process.exit(1);
  }
  await checkPorts(services);
  if (withTls) await prepareTls();

  let shutdown = null;
  let firstSignalAt = 0;
  const supervisor = new Supervisor({
    prefixWidth: Math.max(...services.map((s) => (s.instance ?? s.name).length), ...(layout ? layout.redisServers().map((r) => r.name.length) : [])),
    onUnexpectedExit: (child) => {
      fail(`${child.name} exited unexpectedly (${describeExit(child.exit)}): stopping the others.`);
      stop(1);
    },
  });
  const stop = (exitCode) => {
    shutdown ??= supervisor
      .stopAll({ graceMs, log: (m) => console.log(c.dim(`  ${m}`)) })
      .then(() => {
        console.log(exitCode === 0 ? 'Clinicult stopped.' : c.red('Clinicult stopped after a failure.'));
        process.exit(exitCode);
      });
    return shutdown;
  };
  const onSignal = (signal) => {
    const now = Date.now();
    if (firstSignalAt === 0) {
      firstSignalAt = now;
      console.log(`\n${c.bold(`${signal}: stopping Clinicult`)} (press Ctrl-C again to kill at once)`);
      stop(0);
    } else if (now - firstSignalAt > 1000) {
      // A second, deliberate Ctrl-C (npm forwards the first one again at once: ignore that copy).
      supervisor.killAll();
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  if (layout) {
    step(`Redis, one per plane and cluster ${c.dim(`(${clusters.join(', ')}; data in .clinicult/redis)`)}`);
    try {
      for (const server of layout.redisServers()) {
        const child = supervisor.start({ name: server.name, command: 'redis-server', args: redisServerArgs(server), cwd: root, env: process.env, late: true });
        await waitForPort(child, server.port, startTimeoutMs);
      }
      ok(layout.redisServers().map((r) => `${r.name} :${r.port}`).join(', '));
    } catch (error) {
      fail(error.message);
      return stop(1);
    }
  }

  step(`Services${skipped.length ? c.dim(` (not built yet, skipped: ${skipped.map((s) => s.name).join(', ')})`) : ''}`);
  const tiers = [...new Set(services.map((s) => s.tier))].sort((a, b) => a - b);
  let seeded = null;
  try {
    for (const tier of tiers) {
      const inTier = services.filter((s) => s.tier === tier);
      if (inTier.some((s) => s.client) && seeded === null) seeded = await seed();
      const started = inTier.map((service) => ({
        service,
        child: supervisor.start({ name: service.instance ?? service.name, entry: service.entry, cwd: path.join(root, service.dir), env: childEnv(service) }),
      }));
      await Promise.all(
        started.map(({ service, child }) =>
          supervisor.waitHealthy(child, serviceUrl(service, '/healthz'), { timeoutMs: startTimeoutMs, anyAnswer: !!service.client }),
        ),
      );
      ok(`${inTier.map((s) => `${s.instance ?? s.name} :${s.port}`).join(', ')} ${inTier.length > 1 ? 'are' : 'is'} up`);
    }
    if (seeded === null) seeded = await seed();
  } catch (error) {
    if (shutdown) return shutdown; // a child died: already reported and stopping
    fail(error.message);
    return stop(1);
  }
  if (shutdown) return shutdown;
  await banner(services, skipped, seeded);
}

/** Resolves once something listens on `port`; rejects when the child exits first or the time runs out. */
async function waitForPort(child, port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.alive) throw new Error(`${child.name} exited (${describeExit(child.exit)}) before it listened on :${port}`);
    if (await portInUse(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${child.name} did not listen on :${port} within ${Math.round(timeoutMs / 1000)} s`);
}

/** The seed's environment: with --clusters, the platform's own auth database and the regional demo's operator secret. */
function seedEnv() {
  const env = { ...process.env, NODE_ENV: 'development' };
  if (layout) {
    env.DATABASE_URL_AUTH = mysqlUrlFor(layout.platform.database('auth'));
    env.REDIS_URL = layout.platform.redis.url;
    env.DEMO_OPERATOR_FILE ||= path.join(root, '.clinicult', 'demo-operator.clusters.json');
  }
  return env;
}

/** Seeds the demo (not in production); a failure is reported, and the services keep running. */
async function seed() {
  if (production) {
    console.log(c.dim('  NODE_ENV=production: the demo is not seeded.'));
    return false;
  }
  step('Demo data (scripts/seed.mjs)');
  try {
    const { seedDemo, fileSecretStore } = await import('./seed.mjs');
    const env = seedEnv();
    await seedDemo({ gatewayUrl: gatewayUrl(), env, operatorSecrets: fileSecretStore(env.DEMO_OPERATOR_FILE), log: (line) => console.log(`  ${line}`) });
    return true;
  } catch (error) {
    const code = error.code ? ` [${error.code}${error.reason ? `/${error.reason}` : ''}]` : '';
    warn(`Seeding the demo failed${code}: ${error.message}`);
    warn('The services keep running; fix the cause and run `npm run db:seed`.');
    return false;
  }
}

async function answers(target) {
  try {
    const response = await fetch(target, { headers: { accept: 'text/html,application/json' }, signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer().catch(() => {});
    return response.status === 200;
  } catch {
    return false;
  }
}

async function banner(services, skipped, seeded) {
  const line = (label, value) => console.log(`  ${label.padEnd(18)} ${value}`);
  console.log(`\n${c.bold(c.green('Clinicult is running'))} ${c.dim(`(NODE_ENV=${process.env.NODE_ENV ?? 'development'})`)}`);
  if (layout) {
    for (const cluster of layout.clusters) line(`GraphQL ${cluster.name}`, c.cyan(`${publicUrl(cluster.port(BASE_PORTS.gateway))}/graphql`));
  } else {
    line('GraphQL API', c.cyan(gatewayUrl('/graphql')));
  }
  for (const candidate of ['/playground', '/graphiql']) {
    if (!production && (await answers(gatewayUrl(candidate)))) {
      line('Playground', c.cyan(gatewayUrl(candidate)));
      break;
    }
  }
  if (await answers(gatewayUrl('/fhir/metadata'))) line('FHIR R4', c.cyan(gatewayUrl('/fhir')));
  for (const s of services.filter((x) => x.client)) {
    line(s.name === 'clinic-web' ? 'Staff app' : s.name === 'admin-web' ? 'Operator console' : s.name, c.cyan(localUrl(s.port)));
  }
  if (services.some((s) => s.name === 'mail')) line('Mail (dev)', `${c.cyan(url(1080))} ${c.dim('(what auth sent: invitations, resets; SMTP on :1025)')}`);
  console.log(`  ${c.bold('Services')} ${c.dim('(internal: GraphQL at /graphql; /healthz, /readyz and /metrics on each ops port, PORT + 5000)')}`);
  for (const s of services.filter((x) => !x.client && !x.devOnly)) line(`  ${s.instance ?? s.name}`, serviceUrl(s, s.name === 'gateway' ? '/healthz' : '/graphql'));
  if (layout) for (const r of layout.redisServers()) line(`  ${r.name}`, r.url);
  if (skipped.length) line('  not built yet', skipped.map((s) => s.name).join(', '));
  if (seeded) {
    const { demoLogins, demoPassword, DEFAULT_DEMO_PASSWORD } = await import('./seed.mjs');
    const password = demoPassword() === DEFAULT_DEMO_PASSWORD ? DEFAULT_DEMO_PASSWORD : 'the DEMO_PASSWORD you set';
    console.log(`  ${c.bold('Demo logins')} ${c.dim(`(password: ${password})`)}`);
    for (const login of demoLogins()) line(`  ${login.email}`.padEnd(30), c.dim(login.what));
    const otp = layout ? `DEMO_OPERATOR_FILE=${path.relative(root, seedEnv().DEMO_OPERATOR_FILE)} npm run demo:otp` : 'npm run demo:otp';
    console.log(c.dim(`  The operator signs in with a second factor too: \`${otp}\` prints the current code.`));
  }
  console.log(c.dim('\nPress Ctrl-C to stop.\n'));
}

main().catch((error) => {
  fail(error.stack ?? String(error));
  process.exit(1);
});
