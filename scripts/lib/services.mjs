// The processes `npm start` runs, in start order (DESIGN.md, services). A service marked optional
// starts only once it has been built (`<dir>/dist/main.js` exists): later issues add them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { root } from './proc.mjs';

/**
 * tier: everything in a tier starts together, once every earlier tier answers its health check.
 * auth first (everyone fetches its JWKS and service tokens), then the subgraphs, then the gateway,
 * then the web clients.
 */
export const SERVICES = [
  // development only: a real SMTP server on :1025 that keeps the mail auth sends (the web page on
  // :1080 lists it, with the invitation and reset links); production sets SMTP_URL to a real one
  { name: 'mail', port: 1080, dir: 'packages/mail-catcher', tier: 0, devOnly: true, extraPorts: [1025] },
  { name: 'auth', port: 4001, dir: 'subgraphs/auth', tier: 0, database: true },
  { name: 'users', port: 4002, dir: 'subgraphs/users', tier: 1, database: true },
  { name: 'admin', port: 4006, dir: 'subgraphs/admin', tier: 1, database: true },
  { name: 'patients', port: 4003, dir: 'subgraphs/patients', tier: 1, database: true, optional: true },
  { name: 'visits', port: 4004, dir: 'subgraphs/visits', tier: 1, database: true, optional: true },
  { name: 'clinic', port: 4005, dir: 'subgraphs/clinic', tier: 1, database: true, optional: true },
  { name: 'audit', port: 4007, dir: 'subgraphs/audit', tier: 1, database: true, optional: true },
  { name: 'gateway', port: 4000, dir: 'gateway', tier: 2 },
  { name: 'clinic-web', port: 3000, dir: 'clients/clinic-web', tier: 3, optional: true, client: true },
  { name: 'admin-web', port: 3001, dir: 'clients/admin-web', tier: 3, optional: true, client: true },
];

/** The services that own a database, in start order (one MySQL database and user each). */
export const DATABASE_SERVICES = SERVICES.filter((s) => s.database).map((s) => s.name);

/** A web client's server: the first of these that exists. */
const CLIENT_ENTRIES = ['dist/server.js', 'dist/main.js', 'server.mjs', 'server.js'];

export function entryOf(service) {
  const candidates = service.client ? CLIENT_ENTRIES : ['dist/main.js'];
  for (const candidate of candidates) {
    const file = path.join(root, service.dir, candidate);
    if (existsSync(file)) return file;
  }
  return null;
}

/** What to run now: every required service (missing entries are reported) and the built optional ones. */
export function plan({ production = false } = {}) {
  const run = [];
  const missing = [];
  const skipped = [];
  for (const service of SERVICES) {
    if (production && service.devOnly) continue;
    const entry = entryOf(service);
    if (entry) run.push({ ...service, entry });
    else if (service.optional) skipped.push(service);
    else missing.push(service);
  }
  return { run, missing, skipped };
}

export const url = (port, pathname = '') => `http://127.0.0.1:${port}${pathname}`;
