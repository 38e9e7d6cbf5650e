/**
 * Test harness: admin in-process on port 0 over a fresh MariaDB database, tokens from a test
 * issuer. Tests that need the real auth, users, patients or visits beside admin are in
 * tests/services.
 */
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { createTestIssuer, freePort, markSessionFactsReady, type TestIssuer } from '@clinicult/testing';
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

export const CLINIC_FIELDS = 'id name status cluster timeZone suspendedReason suspendedAt createdAt updatedAt';
