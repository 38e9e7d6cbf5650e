// `npm start -- --clusters=eu-1,us-1`: the platform plane once and each cluster's own processes,
// databases and Redis on one machine (docs/architecture.md, "Planes and regional clusters").
//
//   platform plane   auth, users, admin, the mail catcher and the web apps, on their usual ports;
//                    databases clinicult_global_<service>; its own redis-server on :6390
//   cluster N (0..)  gateway, patients, visits, clinic, audit on their usual ports + 100·N;
//                    databases clinicult_<cluster>_<service>; its own redis-server on :6391+N
//
// Two regions are a demo of their own: nothing is shared with the one-cluster `npm start` (its
// databases clinicult_<service>, the machine's Redis), so switching between the two loses nothing.
// The redis-servers keep their data under .clinicult/redis/<name> (append-only file): streams and
// consumer groups survive a restart, as the machine's Redis does between two `npm start`s.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { root } from './proc.mjs';

/** The processes each cluster runs; the others are the platform plane's. */
export const REGIONAL_SERVICES = new Set(['gateway', 'patients', 'visits', 'clinic', 'audit']);

const CLUSTER_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const PLATFORM_REDIS_PORT = 6390;

/** `--clusters=eu-1,us-1` → ['eu-1', 'us-1']; absent → null (one cluster, as always). Throws on a bad list. */
export function clustersFromArgs(argv) {
  const arg = argv.find((a) => a === '--clusters' || a.startsWith('--clusters='));
  if (!arg) return null;
  const names = [...new Set((arg.split('=')[1] ?? '').split(',').map((n) => n.trim()).filter(Boolean))];
  if (names.length === 0) throw new Error('--clusters needs names, e.g. --clusters=eu-1,us-1');
  const bad = names.filter((n) => !CLUSTER_NAME.test(n));
  if (bad.length) throw new Error(`--clusters: ${bad.join(', ')} is not a cluster name (lower-case letters, digits and dashes, e.g. eu-1)`);
  if (names.length > 9) throw new Error('--clusters: at most 9 clusters on one machine (their ports are 100 apart)');
  return names;
}

const databaseName = (scope, service) => `clinicult_${scope.replace(/-/g, '_')}_${service}`;

/** Where everything of a regional start lives: ports, Redis servers, database names. */
export function regionalLayout(clusters) {
  const redisDir = (name) => path.join(root, '.clinicult', 'redis', name);
  const clusterLayouts = clusters.map((name, index) => {
    const offset = index * 100;
    const redisPort = PLATFORM_REDIS_PORT + 1 + index;
    return {
      name,
      index,
      redis: { name: `redis.${name}`, port: redisPort, url: `redis://127.0.0.1:${redisPort}`, dir: redisDir(name) },
      port: (basePort) => basePort + offset,
      database: (service) => databaseName(name, service),
    };
  });
  return {
    clusters: clusterLayouts,
    platform: {
      redis: { name: 'redis.platform', port: PLATFORM_REDIS_PORT, url: `redis://127.0.0.1:${PLATFORM_REDIS_PORT}`, dir: redisDir('platform') },
      database: (service) => databaseName('global', service),
    },
    redisServers() {
      return [this.platform.redis, ...clusterLayouts.map((c) => c.redis)];
    },
  };
}

/** One process per platform service, one per cluster for each regional service: names like `patients.us-1`. */
export function expandForClusters(services, layout) {
  const out = [];
  for (const service of services) {
    if (!REGIONAL_SERVICES.has(service.name)) {
      out.push({ ...service, instance: service.name, cluster: null });
      continue;
    }
    for (const cluster of layout.clusters) {
      out.push({ ...service, instance: `${service.name}.${cluster.name}`, cluster: cluster.name, port: cluster.port(service.port) });
    }
  }
  return out;
}

/**
 * The environment that makes one process part of its plane or cluster: its database, its Redis,
 * the addresses of its cluster's services, and (auth, admin) every cluster's Redis and API.
 * `mysqlUrlFor(name)` is a database URL on the configured MySQL server for a database name.
 */
export function regionalEnv(service, layout, { mysqlUrlFor, basePorts, publicUrl }) {
  const urlOf = (port) => `http://127.0.0.1:${port}`;
  const apiUrls = Object.fromEntries(layout.clusters.map((c) => [c.name, `${publicUrl(c.port(basePorts.gateway))}/graphql`]));
  const redisUrls = Object.fromEntries(layout.clusters.map((c) => [c.name, c.redis.url]));
  const env = { CLUSTER_API_URLS: JSON.stringify(apiUrls) };
  if (service.cluster) {
    const cluster = layout.clusters.find((c) => c.name === service.cluster);
    Object.assign(env, {
      CLUSTER: cluster.name,
      REDIS_URL: cluster.redis.url,
      PATIENTS_URL: urlOf(cluster.port(basePorts.patients)),
      VISITS_URL: urlOf(cluster.port(basePorts.visits)),
      CLINIC_URL: urlOf(cluster.port(basePorts.clinic)),
      AUDIT_URL: urlOf(cluster.port(basePorts.audit)),
    });
    if (service.name === 'clinic') env.CLUSTERS = cluster.name;
    if (service.database) env.DATABASE_URL = mysqlUrlFor(cluster.database(service.name));
    return env;
  }
  env.REDIS_URL = layout.platform.redis.url;
  if (service.database) env.DATABASE_URL = mysqlUrlFor(layout.platform.database(service.name));
  // auth keeps the revocation facts in each cluster's Redis; users sends each clinic's audit events to its cluster's
  if (service.name === 'auth' || service.name === 'users') env.CLUSTER_REDIS_URLS = JSON.stringify(redisUrls);
  if (service.name === 'admin') {
    Object.assign(env, {
      CLUSTERS: layout.clusters.map((c) => c.name).join(','),
      CLUSTER_REDIS_URLS: JSON.stringify(redisUrls),
      CLUSTER_SERVICES: JSON.stringify(
        Object.fromEntries(layout.clusters.map((c) => [c.name, { patients: urlOf(c.port(basePorts.patients)), visits: urlOf(c.port(basePorts.visits)) }])),
      ),
      // (admin's own default addresses of patients and visits are the first cluster's)
      PATIENTS_URL: urlOf(layout.clusters[0].port(basePorts.patients)),
      VISITS_URL: urlOf(layout.clusters[0].port(basePorts.visits)),
    });
  }
  // the web apps talk to the first cluster's gateway; after sign-in the staff app follows apiUrl
  if (service.client) env.GATEWAY_URL = publicUrl(layout.clusters[0].port(basePorts.gateway));
  return env;
}

/** The database names of a regional start, per service, for the migrations: `[{ env, services }]`, one run per scope. */
export function migrationRuns(layout, { platformServices, regionalServices, mysqlUrlFor }) {
  const key = (service) => `DATABASE_URL_${service.toUpperCase()}`;
  const runs = [{ label: 'platform', env: Object.fromEntries(platformServices.map((s) => [key(s), mysqlUrlFor(layout.platform.database(s))])), services: platformServices }];
  for (const cluster of layout.clusters) {
    runs.push({ label: cluster.name, env: Object.fromEntries(regionalServices.map((s) => [key(s), mysqlUrlFor(cluster.database(s))])), services: regionalServices });
  }
  return runs;
}

/** The redis-server a cluster (or the platform) runs: the same policy as production's (docs/operations.md, Redis). */
export function redisServerArgs(server) {
  mkdirSync(server.dir, { recursive: true });
  return ['--port', String(server.port), '--bind', '127.0.0.1', '--dir', server.dir, '--appendonly', 'yes', '--save', '', '--maxmemory', '256mb', '--maxmemory-policy', 'volatile-lru'];
}

/** Whether `redis-server` can be run here (a regional start runs one per cluster). */
export function hasRedisServer() {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}
