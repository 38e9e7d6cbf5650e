/**
 * admin with the real services around it: auth (service tokens, clinic access), users
 * (provisioning) and the counting services of the operators' overview.
 */
import { createTestIssuer, freePort, gql, markSessionFactsReady, queryLog, type TestIssuer } from '@clinicult/testing';
import type { AdminServiceOverrides } from '@clinicult/admin-service';
import { startAdminProcess, startPatients, startUsers, startVisits, type StartOptions } from './services.js';

/**
 * The test issuer's `iss` differs from auth's (JWT_ISSUER): a service picks the verification key
 * by issuer, so tokens from the real auth (service tokens) and from this issuer both verify.
 */
export function testIssuer(): Promise<TestIssuer> {
  return createTestIssuer('https://test-issuer.clinicult.local');
}

export type AdminUnderTest = Awaited<ReturnType<typeof startAdmin>>;

/** admin on a fresh database; `url` is its GraphQL endpoint. */
export async function startAdmin(
  options: { issuer: TestIssuer; authUrl: string; usersUrl?: string; clusters?: string } & Pick<StartOptions<AdminServiceOverrides>, 'port' | 'env' | 'overrides'>,
) {
  await markSessionFactsReady();
  const admin = await startAdminProcess({
    issuer: options.issuer,
    ...(options.port ? { port: options.port } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    env: {
      AUTH_URL: options.authUrl,
      USERS_URL: options.usersUrl ?? 'http://127.0.0.1:9',
      CLUSTERS: options.clusters ?? 'eu-1,us-1',
      UPSTREAM_TIMEOUT_MS: '3000',
      ...options.env,
    },
  });
  return { ...admin, url: `${admin.url}/graphql` };
}

/** A URL where nothing listens (a service "down"). */
export async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** Something started that a test stops. */
export interface ServiceUnderTest {
  url: string;
  stop(): Promise<void>;
}

/** The real users service, reaching auth and admin. */
export function startRealUsers(options: { issuer: TestIssuer; authUrl: string; adminUrl: string }): Promise<ServiceUnderTest> {
  return startUsers({ issuer: options.issuer, env: { AUTH_URL: options.authUrl, ADMIN_URL: options.adminUrl } });
}

/** A started counting service with raw SQL access to its database (the arrange step of overview tests). */
export interface CountingServiceUnderTest extends ServiceUnderTest {
  /** Runs one SQL statement on the service's own database. */
  sql(statement: string, ...values: unknown[]): Promise<number>;
  /** SQL statements the service sent since the last `statements.length = 0`. */
  statements: string[];
}

type Counting = (options: {
  issuer: TestIssuer;
  env: Record<string, string>;
  overrides: { onQuery(sql: string): void };
}) => Promise<{ url: string; service: { db: { $executeRawUnsafe(statement: string, ...values: unknown[]): Promise<number> } }; stop(): Promise<void> }>;

async function counting(start: Counting, issuer: TestIssuer, env: Record<string, string>): Promise<CountingServiceUnderTest> {
  const log = queryLog();
  const started = await start({ issuer, env, overrides: { onQuery: log.onQuery } });
  return {
    url: started.url,
    statements: log.queries,
    sql: (statement, ...values) => started.service.db.$executeRawUnsafe(statement, ...values),
    stop: () => started.stop(),
  };
}

/** users, patients and visits, each on a fresh database, trusting auth at `authUrl` and the test issuer. */
export function startCountingUsers(options: { issuer: TestIssuer; authUrl: string; adminUrl: string }): Promise<CountingServiceUnderTest> {
  return counting(startUsers, options.issuer, { AUTH_URL: options.authUrl, ADMIN_URL: options.adminUrl });
}

export function startCountingPatients(options: { issuer: TestIssuer; authUrl: string; adminUrl: string }): Promise<CountingServiceUnderTest> {
  return counting(startPatients, options.issuer, { AUTH_URL: options.authUrl, ADMIN_URL: options.adminUrl, ARCHIVE_RELAY_ENABLED: 'false' });
}

export function startCountingVisits(options: { issuer: TestIssuer; authUrl: string }): Promise<CountingServiceUnderTest> {
  return counting(startVisits, options.issuer, { AUTH_URL: options.authUrl });
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
