import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { createTestIssuer, markSessionFactsReady, type TestIssuer } from '@clinicult/testing';
import type { ClinicRole } from '@clinicult/rbac';
import { staticClinicDirectory, type ClinicDirectory } from '../clinics.js';
import { loadUsersConfig } from '../config.js';
import type { UsersDb } from '../db.js';
import { startUsersService, type RunningUsersService } from '../service.js';
import type { AuthClient } from '../auth-client.js';
import type { UserStatus } from '../generated/prisma/client.js';

export interface UsersHarness {
  service: RunningUsersService;
  url: string;
  db: UsersDb;
  database: TestDatabase;
  issuer: TestIssuer;
  /** SQL statements seen since the last `queries.length = 0`. */
  queries: string[];
  /** Parsed log lines (audit lines have `audit`). */
  logs: Array<Record<string, any>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  auth?: AuthClient;
  clinics?: ClinicDirectory;
  env?: Record<string, string>;
  /**
   * Trust the test issuer (default). Its issuer name is auth's, so a test that uses real auth's
   * tokens turns it off (the verifier picks the key set by issuer name).
   */
  trustTestIssuer?: boolean;
}

/** users on a fresh database, port 0, trusting a test issuer; logs captured in memory. */
export async function startHarness(options: HarnessOptions = {}): Promise<UsersHarness> {
  const database = await createTestDatabase('users');
  const issuer = await createTestIssuer();
  await markSessionFactsReady();
  const logs: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'info', base: { service: 'users' } }, stream);
  const queries: string[] = [];
  const config = loadUsersConfig({
    ...process.env,
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: database.url,
    LOG_LEVEL: 'info',
    ...options.env,
  });
  let service: RunningUsersService;
  try {
    service = await startUsersService(config, {
      issuers: options.trustTestIssuer === false ? [] : [issuer.trusted],
      logger,
      ...(options.auth ? { auth: options.auth } : {}),
      clinics: options.clinics ?? staticClinicDirectory([]),
      onQuery: (sql) => queries.push(sql),
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    service,
    url: `${service.url}/graphql`,
    db: service.db,
    database,
    issuer,
    queries,
    logs,
    async close() {
      await service.stop();
      await database.drop();
    },
  };
}

let counter = 0;

/** A user straight in the database (the arrange step of a test), with memberships. */
export async function seedUser(
  db: UsersDb,
  memberships: Array<{ clinicId: string; roles: ClinicRole[] }>,
  profile: { email?: string; firstName?: string; lastName?: string; status?: UserStatus } = {},
) {
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
