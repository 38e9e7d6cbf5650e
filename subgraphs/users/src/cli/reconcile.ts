#!/usr/bin/env node
// Reports (and with --repair, repairs) drift between users — the source of memberships, roles and
// account status — and auth's copy of them. Run where users runs, with users' environment:
//
//   npm run identity:reconcile               report; exit 1 when anything differs
//   npm run identity:reconcile -- --repair   send users' truth to auth as identity events
//
// Needs DATABASE_URL (users'), REDIS_URL, AUTH_URL and users' SERVICE_KEY (or SERVICE_KEY_FILE).
import { parseArgs } from 'node:util';
import { createEventBus, createPrismaOutbox } from '@clinicult/events';
import { createLogger, createRedis } from '@clinicult/kit';
import { createAuthClient } from '../adapters/auth.js';
import { loadUsersConfig } from '../config.js';
import { createDb } from '../db.js';
import { describeDrift, findDrift, repairDrift } from '../domain/reconcile.js';

const { values } = parseArgs({ options: { repair: { type: 'boolean', default: false } } });
const config = loadUsersConfig();
const logger = createLogger('users-reconcile', config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
const db = createDb(config.DATABASE_URL);
const redis = createRedis(config, 'users-reconcile');
const bus = createEventBus({ redis, service: 'users', outbox: createPrismaOutbox(db), logger });
try {
  const auth = createAuthClient(config, logger);
  const drift = await findDrift(db, (ids) => auth.identities(ids, { clinicId: null }));
  for (const d of drift) console.log(describeDrift(d));
  if (drift.length === 0) console.log('users and auth agree.');
  else if (values.repair) {
    const sent = await repairDrift({ db, bus, identityStream: config.IDENTITY_STREAM }, drift);
    console.log(`${drift.length} difference(s); ${sent} repaired by identity events (auth applies them from the stream).`);
  } else {
    console.log(`${drift.length} difference(s). Run again with --repair to send users' version to auth.`);
    process.exitCode = 1;
  }
} catch (error) {
  const cause = (error as { originalError?: Error }).originalError;
  console.error(`identity:reconcile: ${(error as Error).message}${cause ? ` (${cause.message})` : ''}`);
  process.exitCode = 2;
} finally {
  await bus.close();
  redis.disconnect();
  await db.$disconnect();
}
