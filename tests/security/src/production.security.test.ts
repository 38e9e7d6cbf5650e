// Issue 12 (8.): Redis with a password and TLS works; no service answers a stack trace (or other
// internals) in production, even when its database disappears under it.
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { generateServiceKey, type RunningService } from '@clinicult/kit';
import { createTestIssuer, gql, markSessionFactsReady, startPrivateRedis, type PrivateRedis, type TestIssuer } from '@clinicult/testing';
import { loadAuthConfig, startAuthService } from '@clinicult/auth-service';
import { loadUsersConfig, startUsersService } from '@clinicult/users-service';
import { loadAdminConfig, startAdminService } from '@clinicult/admin-service';
import { loadPatientsConfig, startPatientsService } from '@clinicult/patients-service';
import { loadVisitsConfig, startVisitsService } from '@clinicult/visits-service';
import { loadClinicConfig, startClinicService } from '@clinicult/clinic-service';
import { loadAuditConfig, startAuditService } from '@clinicult/audit-service';
import { loadGatewayConfig, startGateway } from '@clinicult/gateway';
import { randomUUID } from 'node:crypto';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer();
  await markSessionFactsReady();
});

describe('Redis with a password and TLS (rediss://)', () => {
  let redis: PrivateRedis;
  let database: TestDatabase;
  beforeAll(async () => {
    redis = await startPrivateRedis(undefined, { password: `pw-${randomUUID()}`, tls: true });
    database = await createTestDatabase('audit');
    // the revocation facts are loaded (as auth marks them), in that Redis
    await markSessionFactsReady({ REDIS_URL: redis.url, REDIS_CA_FILE: redis.caFile });
  });
  afterAll(async () => {
    await database?.drop();
    await redis?.stop();
  });

  const start = (redisEnv: Record<string, string>) =>
    startAuditService(loadAuditConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', OPS_PORT: '0', DATABASE_URL: database.url, ...redisEnv }), { issuers: [issuer.trusted] });
  const readiness = async (service: RunningService) => {
    const response = await fetch(`${service.opsUrl}/readyz`);
    return { status: response.status, redis: ((await response.json()) as { checks: Record<string, string> }).checks.redis };
  };

  test('with the password and the CA, the service is ready and its session checks go through Redis', async () => {
    const service = await start({ REDIS_URL: redis.url, REDIS_CA_FILE: redis.caFile! });
    try {
      expect(redis.url).toMatch(/^rediss:\/\/:[^@]+@127\.0\.0\.1:\d+$/);
      for (let i = 0; i < 20 && (await readiness(service)).status !== 200; i += 1) await new Promise((r) => setTimeout(r, 100));
      expect(await readiness(service)).toEqual({ status: 200, redis: 'ok' });
      const token = await issuer.staffToken(randomUUID(), randomUUID(), ['ADMIN']);
      const answer = await gql(service.url, '{ auditLog(first: 1) { edges { node { id } } } }', {}, { token });
      expect(answer.errors).toBeUndefined();
    } finally {
      await service.stop();
    }
  });

  test('a wrong password, no CA for the self-signed certificate, or plain redis:// are not ready (and say it is Redis)', async () => {
    const wrongPassword = redis.url.replace(/:\/\/:[^@]+@/, '://:wrong@');
    const plain = redis.url.replace(/^rediss:\/\/:[^@]+@/, 'redis://');
    const settings: Array<Record<string, string>> = [{ REDIS_URL: wrongPassword, REDIS_CA_FILE: redis.caFile! }, { REDIS_URL: redis.url }, { REDIS_URL: plain }];
    for (const env of settings) {
      const service = await start(env);
      try {
        const ready = await readiness(service);
        const scheme = env.REDIS_URL!.split(':')[0];
        expect([scheme, ready.status, ready.redis]).toEqual([scheme, 503, expect.not.stringMatching(/^ok$/)]);
      } finally {
        await service.stop();
      }
    }
  });
});

describe('no stack traces in production', () => {
  const key = (service: string) => JSON.stringify(generateServiceKey(service).privateJwk);
  const production = { NODE_ENV: 'production', LOG_LEVEL: 'silent', PORT: '0', OPS_PORT: '0' };

  /** What a production service answers when its database is gone: a generic internal error, nothing of its insides. */
  function expectNoInternals(body: string) {
    const parsed = JSON.parse(body) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    expect(parsed.errors?.length).toBeGreaterThan(0);
    for (const error of parsed.errors ?? []) {
      expect(error.extensions?.stacktrace).toBeUndefined();
      expect(error.extensions?.exception).toBeUndefined();
    }
    expect(body).not.toMatch(/\bat [^\s]+ \(|\.ts:\d+|\.js:\d+|prisma|clinicult_|\bER_|\bSELECT /i);
  }

  const cases: Array<[string, (url: string) => Promise<{ service: RunningService; query: string; token?: string }>]> = [
    [
      'auth',
      async (url) => ({
        service: await startAuthService(
          loadAuthConfig({
            ...production,
            DATABASE_URL: url,
            SMTP_URL: 'smtp://127.0.0.1:9',
            MFA_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
            SERVICE_JWKS: JSON.stringify({ users: { keys: [generateServiceKey('users').publicJwk] } }),
          }),
          { issuers: [issuer.trusted] },
        ),
        query: 'mutation { login(email: "someone@example.test", password: "Some-password-1") { token } }',
      }),
    ],
    [
      'users',
      async (url) => ({
        service: await startUsersService(loadUsersConfig({ ...production, DATABASE_URL: url, SERVICE_KEY: key('users') }), { issuers: [issuer.trusted] }),
        query: '{ users(first: 1) { edges { node { id } } } }',
        token: await issuer.staffToken(randomUUID(), randomUUID(), ['ADMIN']),
      }),
    ],
    [
      'admin',
      async (url) => ({
        service: await startAdminService(loadAdminConfig({ ...production, DATABASE_URL: url, SERVICE_KEY: key('admin') }), { issuers: [issuer.trusted] }),
        query: '{ clinics(first: 1) { edges { node { id } } } }',
        token: await issuer.operatorToken(),
      }),
    ],
    [
      'patients',
      async (url) => ({
        service: await startPatientsService(loadPatientsConfig({ ...production, DATABASE_URL: url, SERVICE_KEY: key('patients') }), { issuers: [issuer.trusted] }),
        query: '{ patients(first: 1) { edges { node { id } } } }',
        token: await issuer.staffToken(randomUUID(), randomUUID(), ['DOCTOR']),
      }),
    ],
    [
      'visits',
      async (url) => ({
        service: await startVisitsService(loadVisitsConfig({ ...production, DATABASE_URL: url }), { issuers: [issuer.trusted] }),
        query: '{ visits(first: 1) { edges { node { id } } } }',
        token: await issuer.staffToken(randomUUID(), randomUUID(), ['DOCTOR']),
      }),
    ],
    [
      'clinic',
      async (url) => ({
        service: await startClinicService(loadClinicConfig({ ...production, DATABASE_URL: url, SERVICE_KEY: key('clinic') }), { issuers: [issuer.trusted] }),
        query: '{ templates { id } }',
        token: await issuer.staffToken(randomUUID(), randomUUID(), ['ADMIN']),
      }),
    ],
    [
      'audit',
      async (url) => ({
        service: await startAuditService(loadAuditConfig({ ...production, DATABASE_URL: url }), { issuers: [issuer.trusted] }),
        query: '{ auditLog(first: 1) { edges { node { id } } } }',
        token: await issuer.staffToken(randomUUID(), randomUUID(), ['ADMIN']),
      }),
    ],
  ];

  test.each(cases)('%s: its database gone, a generic internal error; a malformed query, no stack either', async (name, start) => {
    const database = await createTestDatabase(name as 'auth');
    const { service, query, token } = await start(database.url);
    try {
      const post = (body: string) =>
        fetch(`${service.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body,
        }).then((r) => r.text());
      // once while the database is there (the pool holds a connection), then it goes
      await post(JSON.stringify({ query }));
      await database.drop();
      const broken = await post(JSON.stringify({ query }));
      expectNoInternals(broken);
      expect(JSON.parse(broken).errors[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expectNoInternals(await post(JSON.stringify({ query: '{ nope' })));
      expectNoInternals(await post('{"query": '));
    } finally {
      await service.stop();
    }
  });

  test('gateway: an internal error of a subgraph reaches the client as a generic one, without the subgraph name', async () => {
    const database = await createTestDatabase('users');
    const users = await startUsersService(loadUsersConfig({ ...production, DATABASE_URL: database.url, SERVICE_KEY: key('users') }), { issuers: [issuer.trusted] });
    const gateway = await startGateway(loadGatewayConfig({ ...production, SERVICE_KEY: key('gateway'), USERS_URL: users.url }), {
      issuers: [issuer.trusted],
      edgeToken: () => issuer.serviceToken('gateway'),
    });
    try {
      const token = await issuer.staffToken(randomUUID(), randomUUID(), ['ADMIN']);
      const post = (query: string) =>
        fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) }).then((r) => r.text());
      await post('{ users(first: 1) { edges { node { id } } } }');
      await database.drop();
      const broken = await post('{ users(first: 1) { edges { node { id } } } }');
      expectNoInternals(broken);
      expect(JSON.parse(broken).errors[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(broken).not.toMatch(/serviceName|users/);
      const invalid = await post('{ userz { id } }');
      expectNoInternals(invalid);
      expect(invalid).not.toMatch(/Did you mean/);
    } finally {
      await gateway.stop();
      await users.stop();
    }
  });
});
