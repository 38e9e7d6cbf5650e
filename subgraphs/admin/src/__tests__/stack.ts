/**
 * Test harness: admin in-process on port 0 over a fresh MariaDB database, tokens from a test
 * issuer, and (when a test needs the real thing) the real auth service in-process too.
 */
import type { Logger, RunningService, TrustedIssuer } from '@clinicult/kit';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { createTestIssuer, freePort, gql, markSessionFactsReady, startRealAuth as startTestingAuth, type TestIssuer } from '@clinicult/testing';
import { loadAdminConfig, type AdminConfig } from '../config.js';
import { startAdminService, type AdminServiceOverrides, type RunningAdminService } from '../service.js';

/**
 * The test issuer's `iss` differs from auth's (JWT_ISSUER): a service picks the verification key
 * by issuer, so tokens from the real auth (service tokens) and from this issuer both verify.
 */
export const TEST_ISSUER = 'https://test-issuer.clinicult.local';

export async function testIssuer(): Promise<TestIssuer> {
  return createTestIssuer(TEST_ISSUER);
}

export interface AdminUnderTest {
  service: RunningAdminService;
  url: string;
  db: TestDatabase;
  config: AdminConfig;
  stop(): Promise<void>;
}

export async function startAdmin(options: {
  issuer: TestIssuer;
  authUrl: string;
  usersUrl?: string;
  clusters?: string;
  /** Default 0 (any free port). */
  port?: number;
  env?: Record<string, string>;
  overrides?: AdminServiceOverrides;
}): Promise<AdminUnderTest> {
  await markSessionFactsReady();
  const db = await createTestDatabase('admin');
  const config = loadAdminConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: String(options.port ?? 0),
    DATABASE_URL: db.url,
    AUTH_URL: options.authUrl,
    USERS_URL: options.usersUrl ?? 'http://127.0.0.1:9',
    CLUSTERS: options.clusters ?? 'eu-1,us-1',
    UPSTREAM_TIMEOUT_MS: '3000',
    ...options.env,
  });
  try {
    const service = await startAdminService(config, { issuers: [options.issuer.trusted], ...options.overrides });
    return {
      service,
      url: `${service.url}/graphql`,
      db,
      config,
      async stop() {
        await service.stop();
        await db.drop();
      },
    };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/** A URL where nothing listens (auth "down"). */
export async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

export interface AuthUnderTest {
  url: string;
  stop(): Promise<void>;
}

/** The real auth (packages/testing, loaded by path there), trusting this file's issuer, with its own mail catcher. */
export function startRealAuth(issuer: TestIssuer, env: Record<string, string> = {}) {
  return startTestingAuth({ issuer: issuer.trusted, env });
}

// The real users service, loaded the same way.
interface UsersModule {
  loadUsersConfig(env: Record<string, string>): unknown;
  startUsersService(config: unknown, overrides?: { issuers?: TrustedIssuer[]; logger?: Logger }): Promise<RunningService>;
}
const USERS_MODULE = '../../../users/src/index.js';

export async function startRealUsers(options: { issuer: TestIssuer; authUrl: string; adminUrl: string }): Promise<AuthUnderTest> {
  const { loadUsersConfig, startUsersService } = (await import(USERS_MODULE)) as UsersModule;
  const db = await createTestDatabase('users');
  try {
    const service = await startUsersService(
      loadUsersConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        PORT: '0',
        DATABASE_URL: db.url,
        AUTH_URL: options.authUrl,
        ADMIN_URL: options.adminUrl,
      }),
      { issuers: [options.issuer.trusted] },
    );
    return {
      url: service.url,
      async stop() {
        await service.stop();
        await db.drop();
      },
    };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/** A started counting service with raw SQL access to its database (the arrange step of overview tests). */
export interface CountingServiceUnderTest extends AuthUnderTest {
  /** Runs one SQL statement on the service's own database. */
  sql(statement: string, ...values: unknown[]): Promise<number>;
  /** SQL statements the service sent since the last `statements.length = 0`. */
  statements: string[];
}

interface RawDb {
  $executeRawUnsafe(statement: string, ...values: unknown[]): Promise<number>;
}
type ServiceWithDb = RunningService & { db: RawDb };
interface ServiceOverrides {
  issuers?: TrustedIssuer[];
  logger?: Logger;
  onQuery?: (sql: string) => void;
}

async function startCounting(
  name: 'users' | 'patients' | 'visits',
  start: (databaseUrl: string, overrides: ServiceOverrides) => Promise<ServiceWithDb>,
  issuer: TestIssuer,
): Promise<CountingServiceUnderTest> {
  const db = await createTestDatabase(name);
  const statements: string[] = [];
  let stopped: Promise<void> | null = null;
  try {
    const service = await start(db.url, {
      issuers: [issuer.trusted],
      onQuery: (sql) => {
        if (!sql.includes('event_outbox')) statements.push(sql);
      },
    });
    return {
      url: service.url,
      statements,
      sql: (statement, ...values) => service.db.$executeRawUnsafe(statement, ...values),
      stop() {
        stopped ??= (async () => {
          await service.stop();
          await db.drop();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

const testEnv = (databaseUrl: string, authUrl: string) => ({
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  PORT: '0',
  DATABASE_URL: databaseUrl,
  AUTH_URL: authUrl,
});

/** users, patients and visits in-process (loaded by path), each on a fresh database, trusting auth at `authUrl` and the test issuer. */
export async function startCountingUsers(options: { issuer: TestIssuer; authUrl: string; adminUrl: string }): Promise<CountingServiceUnderTest> {
  const mod = (await import(USERS_MODULE)) as {
    loadUsersConfig(env: Record<string, string>): unknown;
    startUsersService(config: unknown, overrides?: ServiceOverrides): Promise<ServiceWithDb>;
  };
  return startCounting(
    'users',
    (url, overrides) =>
      mod.startUsersService(mod.loadUsersConfig({ ...testEnv(url, options.authUrl), ADMIN_URL: options.adminUrl }), overrides),
    options.issuer,
  );
}

const PATIENTS_MODULE = '../../../patients/src/index.js';
const VISITS_MODULE = '../../../visits/src/index.js';

export async function startCountingPatients(options: { issuer: TestIssuer; authUrl: string; adminUrl: string }): Promise<CountingServiceUnderTest> {
  const mod = (await import(PATIENTS_MODULE)) as {
    loadPatientsConfig(env: Record<string, string>): unknown;
    startPatientsService(config: unknown, overrides?: ServiceOverrides): Promise<ServiceWithDb>;
  };
  return startCounting(
    'patients',
    (url, overrides) =>
      mod.startPatientsService(
        mod.loadPatientsConfig({ ...testEnv(url, options.authUrl), ADMIN_URL: options.adminUrl, ARCHIVE_RELAY_ENABLED: 'false' }),
        overrides,
      ),
    options.issuer,
  );
}

export async function startCountingVisits(options: { issuer: TestIssuer; authUrl: string }): Promise<CountingServiceUnderTest> {
  const mod = (await import(VISITS_MODULE)) as {
    loadVisitsConfig(env: Record<string, string>): unknown;
    startVisitsService(config: unknown, overrides?: ServiceOverrides): Promise<ServiceWithDb>;
  };
  return startCounting(
    'visits',
    (url, overrides) => mod.startVisitsService(mod.loadVisitsConfig(testEnv(url, options.authUrl)), overrides),
    options.issuer,
  );
}

export const CLINIC_FIELDS = 'id name status cluster timeZone suspendedReason suspendedAt createdAt updatedAt';

/** Creates a clinic as an operator and returns it (fails the test on errors). */
export async function createClinic(
  url: string,
  operatorToken: string,
  input: { name: string; timeZone?: string; cluster?: string },
): Promise<{ id: string; name: string; status: string; cluster: string; timeZone: string }> {
  const response = await gql<{ createClinic: { id: string; name: string; status: string; cluster: string; timeZone: string } }>(
    url,
    `mutation($input: CreateClinicInput!) { createClinic(input: $input) { ${CLINIC_FIELDS} } }`,
    { input: { timeZone: 'Europe/Madrid', ...input } },
    { token: operatorToken },
  );
  if (response.errors || !response.data) throw new Error(`createClinic failed: ${JSON.stringify(response.errors)}`);
  return response.data.createClinic;
}
