import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { parseStreamFields, type EventEnvelope } from '@clinicult/events';
import type { AuditRecord } from '@clinicult/kit';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { createTestIssuer, markSessionFactsReady, type TestIssuer } from '@clinicult/testing';
import { SERVICE_CAPABILITIES, type ClinicRole } from '@clinicult/rbac';
import { loadUsersConfig, startUsersService, type RunningUsersService, type UsersDb } from '@clinicult/users-service';
import { createClinic, deadUrl, startAdmin, type AdminUnderTest } from './admin.js';

type UserStatus = 'INVITED' | 'ACTIVE' | 'DEACTIVATED';

export interface UsersHarness {
  service: RunningUsersService;
  /** The real admin users asks about clinics, and the ids of the clinics created there (in the order asked). */
  admin: AdminUnderTest;
  clinics: string[];
  url: string;
  db: UsersDb;
  database: TestDatabase;
  issuer: TestIssuer;
  /** SQL statements seen since the last `queries.length = 0`. */
  queries: string[];
  /** Parsed log lines (audit lines have `audit`). */
  logs: Array<Record<string, any>>;
  /** This harness's own audit stream (the service publishes its audit events there). */
  auditStream: string;
  /**
   * The audit events published so far. They are published in the background right after the
   * change, so pass `until` to wait (up to 3 s) for the ones a test expects.
   */
  auditEvents(until?: (events: AuditRecord[]) => boolean): Promise<AuditRecord[]>;
  /** This harness's own identity stream (users writes its membership and status changes there). */
  identityStream: string;
  /** The identity events users delivered so far, oldest first (`until` waits up to 3 s, as auditEvents). */
  identityEvents(until?: (events: EventEnvelope[]) => boolean): Promise<EventEnvelope[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Names of clinics to register in admin first (their ids are `clinics`). */
  clinics?: string[];
  env?: Record<string, string>;
  /**
   * Trust the test issuer (default). Its issuer name is auth's, so a test that uses real auth's
   * tokens turns it off (the verifier picks the key set by issuer name).
   */
  trustTestIssuer?: boolean;
}

/**
 * users on a fresh database, port 0, trusting a test issuer; logs captured in memory. Clinics come
 * from the real admin (its own database, trusting the same issuer); auth answers nowhere (a dead
 * port), so a call users should not make fails the request (users with the real auth:
 * users-auth-coupling.int.test.ts). users' own service tokens come from the test issuer.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<UsersHarness> {
  const issuer = await createTestIssuer();
  await markSessionFactsReady();
  const nowhere = await deadUrl();
  const admin = await startAdmin({ issuer, authUrl: nowhere });
  const operator = await issuer.operatorToken(randomUUID());
  const clinics: string[] = [];
  for (const name of options.clinics ?? []) clinics.push((await createClinic(admin.url, operator, { name })).id);
  const database = await createTestDatabase('users');
  const logs: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'info', base: { service: 'users' } }, stream);
  const queries: string[] = [];
  const auditStream = `events:audit:test:users:${randomUUID()}`;
  const identityStream = options.env?.IDENTITY_STREAM ?? `events:identity:test:users:${randomUUID()}`;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const config = loadUsersConfig({
    ...process.env,
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: database.url,
    LOG_LEVEL: 'info',
    IDENTITY_STREAM: identityStream,
    // no auth reads this stream unless a test starts one: do not wait for it
    IDENTITY_APPLY_WAIT_MS: '0',
    AUTH_URL: nowhere,
    ADMIN_URL: admin.service.url,
    ...options.env,
  });
  let service: RunningUsersService;
  try {
    service = await startUsersService(config, {
      issuers: options.trustTestIssuer === false ? [] : [issuer.trusted],
      logger,
      tokens: { token: () => issuer.serviceToken('users', [SERVICE_CAPABILITIES.clinicRead]) },
      // the outbox relay's polling is not part of what a request costs
      onQuery: (sql) => {
        if (!sql.includes('event_outbox')) queries.push(sql);
      },
      auditStream,
    });
  } catch (error) {
    redis.disconnect();
    await database.drop();
    await admin.stop();
    throw error;
  }
  return {
    service,
    admin,
    clinics,
    url: `${service.url}/graphql`,
    db: service.db,
    database,
    issuer,
    queries,
    logs,
    auditStream,
    identityStream,
    async auditEvents(until) {
      const read = async () => (await readStream(redis, auditStream)).map((e) => e.payload as AuditRecord);
      return waitFor(read, until);
    },
    async identityEvents(until) {
      return waitFor(() => readStream(redis, identityStream), until);
    },
    async close() {
      await service.stop();
      await redis.del(auditStream, identityStream);
      redis.disconnect();
      await database.drop();
      await admin.stop();
    },
  };
}

async function readStream(redis: Redis, stream: string): Promise<EventEnvelope[]> {
  const entries = (await redis.xrange(stream, '-', '+')) as Array<[string, string[]]>;
  return entries.map(([, fields]) => parseStreamFields(fields));
}

/** Reads until `until` holds or 3 s passed (events are delivered in the background after a change). */
async function waitFor<T>(read: () => Promise<T[]>, until?: (events: T[]) => boolean): Promise<T[]> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const events = await read();
    if (!until || until(events) || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let counter = 0;

/** A user straight in the database (the arrange step of a test), with memberships. */
export async function seedUser(
  db: UsersDb,
  memberships: Array<{ clinicId: string; roles: ClinicRole[] }>,
  profile: { email?: string; firstName?: string; lastName?: string; status?: UserStatus } = {},
): Promise<{ id: string; email: string; firstName: string; lastName: string }> {
  counter += 1;
  return db.user.create({
    data: {
      email: profile.email ?? `user${counter}-${randomUUID().slice(0, 8)}@example.org`,
      firstName: profile.firstName ?? `First${counter}`,
      lastName: profile.lastName ?? `Last${counter}`,
      status: profile.status ?? 'ACTIVE',
      activatedAt: new Date(),
      memberships: { create: memberships.map((m) => ({ clinicId: m.clinicId, roles: m.roles })) },
    },
  });
}
