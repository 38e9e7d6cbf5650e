import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { parse } from 'graphql';
import { Redis } from 'ioredis';
import { can, isAuthenticated, permissionsForRoles } from '@clinicult/rbac';
import { codes, createTestIssuer, gql, markSessionFactsReady, startPrivateRedis, type TestIssuer } from '@clinicult/testing';
import { loadConfig, baseConfigSchema } from './config.js';
import { createLogger } from './logger.js';
import { createRedis } from './redis.js';
import { startSubgraph, type RunningService } from './server.js';
import { FACTS_HASH, factKeys } from './session-facts.js';
import { remoteIssuer } from './tokens.js';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { whoami: String! secret: String! }
  type Thing @key(fields: "id") { id: ID! }
`);
const resolvers = {
  Query: {
    whoami: (_p: unknown, _a: unknown, ctx: { caller: { kind: string } }) => ctx.caller.kind,
    secret: () => 'patient data',
  },
};
const rules = { Query: { whoami: isAuthenticated, secret: can('clinicult:medical:read') }, Thing: isAuthenticated };
const QUERY = '{ whoami secret }';
const config = loadConfig(baseConfigSchema, {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  AUTH_URL: 'http://127.0.0.1:9', // nothing listens: the session fallback must not be reached in these tests
});
const logger = createLogger('kit-test', 'silent');

let issuer: TestIssuer;
let service: RunningService;
let redis: Redis;

beforeAll(async () => {
  issuer = await createTestIssuer();
  await markSessionFactsReady();
  redis = createRedis(config.REDIS_URL, 'kit-test');
  service = await startSubgraph({ name: 'kit-test', port: 0, config, logger, redis, typeDefs, resolvers, rules, issuers: [issuer.trusted] });
});
afterAll(async () => {
  await service?.stop();
  redis?.disconnect();
});

const doctor = () => issuer.staffToken(randomUUID(), randomUUID(), ['DOCTOR']);

/** A test subgraph of its own (its Redis, its configuration, its session fallback standing in for auth). */
function startIsolated(name: string, extra: Partial<typeof config>, sessionFallback: Parameters<typeof startSubgraph>[0]['sessionFallback']) {
  return startSubgraph({ name, port: 0, config: { ...config, ...extra }, logger, typeDefs, resolvers, rules, issuers: [issuer.trusted], sessionFallback });
}

function expectRefused(response: Awaited<ReturnType<typeof gql>>, reason: string) {
  expect(response.data ?? null).toBeNull();
  expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
}

describe('every request is checked (DESIGN.md, security model)', () => {
  test('a valid staff token with the permission gets data', async () => {
    const response = await gql(service.url, QUERY, {}, { token: await doctor() });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ whoami: 'staff', secret: 'patient data' });
  });

  test('the permission rule blanks what the role may not read, with FORBIDDEN beside the data', async () => {
    const office = await issuer.staffToken(randomUUID(), randomUUID(), ['OFFICE']);
    const response = await gql(service.url, '{ whoami }', {}, { token: office });
    expect(response.data).toEqual({ whoami: 'staff' });
    const denied = await gql(service.url, QUERY, {}, { token: office });
    expect(codes(denied)).toEqual(['FORBIDDEN']);
    expect(denied.data ?? null).toBeNull(); // non-null field: the whole result is null
  });

  test('no token: UNAUTHENTICATED and no data, also for _service and _entities', async () => {
    expectRefused(await gql(service.url, QUERY), 'TOKEN_INVALID');
    expectRefused(await gql(service.url, '{ _service { sdl } }'), 'TOKEN_INVALID');
    expectRefused(await gql(service.url, '{ _entities(representations: []) { __typename } }'), 'TOKEN_INVALID');
  });

  test('alg none is refused', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(
      JSON.stringify({ sub: 'x', cid: 'c', roles: ['DOCTOR'], permissions: ['clinicult:medical:read'], iss: issuer.trusted.issuer, aud: issuer.trusted.audience, jti: 'j', iat: now, exp: now + 60 }),
    ).toString('base64url');
    expectRefused(await gql(service.url, QUERY, {}, { token: `${header}.${payload}.` }), 'TOKEN_INVALID');
  });

  test('a token signed by another key (same issuer name) is refused', async () => {
    const impostor = await createTestIssuer();
    expectRefused(await gql(service.url, QUERY, {}, { token: await impostor.staffToken('u', 'c', ['DOCTOR']) }), 'TOKEN_INVALID');
  });

  test('HS256 signed with the public key is refused', async () => {
    const secret = Buffer.from(JSON.stringify(issuer.publicJwk));
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: issuer.kid })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const body = Buffer.from(
      JSON.stringify({ sub: 'x', cid: 'c', roles: ['DOCTOR'], permissions: ['clinicult:medical:read'], iss: issuer.trusted.issuer, aud: issuer.trusted.audience, jti: 'j', iat: now, exp: now + 60 }),
    ).toString('base64url');
    const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
    expectRefused(await gql(service.url, QUERY, {}, { token: `${header}.${body}.${signature}` }), 'TOKEN_INVALID');
  });

  test('an expired token is refused as TOKEN_EXPIRED', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const token = await issuer.sign({ sub: 'u', cid: 'c', roles: ['DOCTOR'], permissions: [] }, { iat: past - 60, expiresIn: past });
    expectRefused(await gql(service.url, QUERY, {}, { token }), 'TOKEN_EXPIRED');
  });

  test('a wrong issuer or audience is refused', async () => {
    const otherIssuer = await createTestIssuer('https://evil.example');
    expectRefused(await gql(service.url, QUERY, {}, { token: await otherIssuer.staffToken('u', 'c', ['DOCTOR']) }), 'TOKEN_INVALID');
    const otherAudience = await createTestIssuer(issuer.trusted.issuer, 'another-api');
    // same issuer name, different key and audience: refused either way
    expectRefused(await gql(service.url, QUERY, {}, { token: await otherAudience.staffToken('u', 'c', ['DOCTOR']) }), 'TOKEN_INVALID');
  });

  test('a tampered payload is refused', async () => {
    const token = await issuer.staffToken('u', 'c', ['OFFICE']);
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    claims.permissions = ['clinicult:medical:read'];
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    expectRefused(await gql(service.url, QUERY, {}, { token: forged }), 'TOKEN_INVALID');
  });

  test('a malformed Authorization header is refused', async () => {
    const response = await gql(service.url, QUERY, {}, { headers: { authorization: 'Basic abc' } });
    expectRefused(response, 'TOKEN_INVALID');
  });
});

describe('session facts from Redis', () => {
  test('revoked jti, tokensValidAfter, deactivation and suspension refuse with their reasons', async () => {
    const userId = randomUUID();
    const clinicId = randomUUID();
    const token = await issuer.staffToken(userId, clinicId, ['DOCTOR']);
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
    try {
      await redis.hset(FACTS_HASH, factKeys.revokedJti(jti), String(Date.now() + 60_000));
      expectRefused(await gql(service.url, QUERY, {}, { token }), 'SESSION_REVOKED');
      await redis.hdel(FACTS_HASH, factKeys.revokedJti(jti));
      await redis.hset(FACTS_HASH, factKeys.tokensValidAfter(userId), String(Date.now() + 1000));
      expectRefused(await gql(service.url, QUERY, {}, { token }), 'SESSION_REVOKED');
      await redis.hdel(FACTS_HASH, factKeys.tokensValidAfter(userId));
      await redis.hset(FACTS_HASH, factKeys.deactivated(userId), '1');
      expectRefused(await gql(service.url, QUERY, {}, { token }), 'USER_DEACTIVATED');
      await redis.hdel(FACTS_HASH, factKeys.deactivated(userId));
      await redis.hset(FACTS_HASH, factKeys.clinicStatus(clinicId), 'SUSPENDED');
      expectRefused(await gql(service.url, QUERY, {}, { token }), 'CLINIC_SUSPENDED');
      await redis.hdel(FACTS_HASH, factKeys.clinicStatus(clinicId));
      expect((await gql(service.url, QUERY, {}, { token })).errors).toBeUndefined();
    } finally {
      await redis.hdel(FACTS_HASH, factKeys.revokedJti(jti), factKeys.tokensValidAfter(userId), factKeys.deactivated(userId), factKeys.clinicStatus(clinicId));
    }
  });

  test('Redis down: the fallback decides; when it cannot answer either, the request is refused (fail closed)', async () => {
    const privateRedis = await startPrivateRedis();
    const seed = new Redis(privateRedis.url);
    await seed.hset(FACTS_HASH, factKeys.ready, new Date().toISOString());
    seed.disconnect();
    let fallbackAnswer: 'ok' | 'revoked' | 'down' = 'ok';
    let fallbackCalls = 0;
    const isolated = await startIsolated('kit-test-fallback', { REDIS_URL: privateRedis.url }, async () => {
      fallbackCalls++;
      if (fallbackAnswer === 'down') throw new Error('auth unreachable');
      return fallbackAnswer === 'ok' ? { ok: true } : { ok: false, reason: 'SESSION_REVOKED' };
    });
    try {
      const token = await doctor();
      await new Promise((r) => setTimeout(r, 200));
      expect((await gql(isolated.url, QUERY, {}, { token })).errors).toBeUndefined();
      expect(fallbackCalls).toBe(0); // Redis answered

      await privateRedis.stop();
      expect((await gql(isolated.url, QUERY, {}, { token })).errors).toBeUndefined();
      expect(fallbackCalls).toBe(1);
      fallbackAnswer = 'revoked';
      expectRefused(await gql(isolated.url, QUERY, {}, { token }), 'SESSION_REVOKED');
      fallbackAnswer = 'down';
      expectRefused(await gql(isolated.url, QUERY, {}, { token }), 'SESSION_UNVERIFIABLE');
    } finally {
      await isolated.stop();
      await privateRedis.stop();
    }
  });
});

describe('the facts heartbeat (regions: a cluster cut off from auth fails closed)', () => {
  test('facts whose heartbeat is older than FACTS_MAX_AGE_MS are not trusted: auth decides, and nobody answering refuses', async () => {
    const privateRedis = await startPrivateRedis();
    const seed = new Redis(privateRedis.url);
    // auth wrote the facts, then stopped beating (partitioned away) a minute ago
    await seed.hset(FACTS_HASH, factKeys.ready, new Date(Date.now() - 60_000).toISOString());
    let fallbackCalls = 0;
    let authAnswers = true;
    const cut = await startIsolated('kit-test-heartbeat', { REDIS_URL: privateRedis.url, FACTS_MAX_AGE_MS: 30_000 }, async () => {
      fallbackCalls++;
      if (!authAnswers) throw new Error('auth unreachable');
      return { ok: true };
    });
    try {
      const token = await doctor();
      await new Promise((r) => setTimeout(r, 200));
      expect((await gql(cut.url, QUERY, {}, { token })).errors).toBeUndefined();
      expect(fallbackCalls).toBe(1);
      authAnswers = false;
      expectRefused(await gql(cut.url, QUERY, {}, { token }), 'SESSION_UNVERIFIABLE');
      // the heartbeat again: Redis decides, auth is not asked
      await seed.hset(FACTS_HASH, factKeys.ready, new Date().toISOString());
      expect((await gql(cut.url, QUERY, {}, { token })).errors).toBeUndefined();
      expect(fallbackCalls).toBe(2);
    } finally {
      seed.disconnect();
      await cut.stop();
      await privateRedis.stop();
    }
  });

  test('a cluster (CLUSTER set) bounds the heartbeat by default; a deployment of one cluster does not (its facts come from every producer)', async () => {
    const privateRedis = await startPrivateRedis();
    const seed = new Redis(privateRedis.url);
    await seed.hset(FACTS_HASH, factKeys.ready, new Date(Date.now() - 120_000).toISOString());
    seed.disconnect();
    let fallbackCalls = 0;
    const start = (extra: Partial<typeof config>) =>
      startIsolated('kit-test-heartbeat-default', { REDIS_URL: privateRedis.url, ...extra }, async () => {
        fallbackCalls++;
        throw new Error('auth unreachable');
      });
    const single = await start({});
    const regional = await start({ CLUSTER: 'eu-1' });
    try {
      const cl = { cl: 'eu-1' };
      const token = await issuer.sign({ sub: randomUUID(), cid: randomUUID(), ...cl, roles: ['DOCTOR'], permissions: permissionsForRoles(['DOCTOR']) });
      await new Promise((r) => setTimeout(r, 200));
      expect((await gql(single.url, QUERY, {}, { token })).errors).toBeUndefined();
      expect(fallbackCalls).toBe(0);
      expectRefused(await gql(regional.url, QUERY, {}, { token }), 'SESSION_UNVERIFIABLE');
      expect(fallbackCalls).toBe(1);
    } finally {
      await single.stop();
      await regional.stop();
      await privateRedis.stop();
    }
  });
});

describe('a service of one cluster (CLUSTER)', () => {
  test("a staff token of another cluster's clinic is refused with WRONG_REGION and that region's API; its own and non-staff tokens pass", async () => {
    const apiUrls = { 'eu-1': 'https://eu-1.api.clinicult.test/graphql', 'us-1': 'https://us-1.api.clinicult.test/graphql' };
    const regional = await startIsolated('kit-test-region', { CLUSTER: 'eu-1', CLUSTER_API_URLS: apiUrls }, undefined);
    const staff = (cl?: string) =>
      issuer.sign({ sub: randomUUID(), cid: randomUUID(), ...(cl ? { cl } : {}), roles: ['DOCTOR'], permissions: permissionsForRoles(['DOCTOR']) });
    try {
      expect((await gql(regional.url, QUERY, {}, { token: await staff('eu-1') })).errors).toBeUndefined();
      const elsewhere = await gql(regional.url, QUERY, {}, { token: await staff('us-1') });
      expectRefused(elsewhere, 'WRONG_REGION');
      expect(elsewhere.errors![0]!.extensions).toMatchObject({ cluster: 'us-1', apiUrl: apiUrls['us-1'] });
      expect(elsewhere.errors![0]!.message).toContain('us-1');
      // a token from before regions names none: sign in again (auth names the region from then on)
      expectRefused(await gql(regional.url, QUERY, {}, { token: await staff() }), 'WRONG_REGION');
      // operators and services are no clinic's staff: no region to check
      expect((await gql(regional.url, '{ whoami }', {}, { token: await issuer.operatorToken() })).errors).toBeUndefined();
    } finally {
      await regional.stop();
    }
  });
});

describe('external-IdP mode', () => {
  test('tokens from a configured external issuer (its own JWKS, RS256) are accepted; its other keys are not', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = 'idp-key-1';
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    const jwksServer = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    const idpIssuer = 'https://clinicult.eu.auth0.example/';
    const external = await startSubgraph({
      name: 'kit-test-idp',
      port: 0,
      config: { ...config, EXTERNAL_IDP_ISSUER: idpIssuer, EXTERNAL_IDP_JWKS_URL: jwksUrl },
      logger,
      redis,
      typeDefs,
      resolvers,
      rules,
      issuers: [],
    });
    const sign = (key: typeof privateKey, headerKid = kid) =>
      new SignJWT({ cid: randomUUID(), roles: ['DOCTOR'], permissions: ['clinicult:medical:read'] })
        .setProtectedHeader({ alg: 'RS256', kid: headerKid })
        .setIssuer(idpIssuer)
        .setAudience(config.JWT_AUDIENCE)
        .setSubject(`auth0|${randomUUID()}`)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);
    try {
      const accepted = await gql(external.url, QUERY, {}, { token: await sign(privateKey) });
      expect(accepted.errors).toBeUndefined();
      expect(accepted.data).toEqual({ whoami: 'staff', secret: 'patient data' });
      const other = await generateKeyPair('RS256');
      expectRefused(await gql(external.url, QUERY, {}, { token: await sign(other.privateKey) }), 'TOKEN_INVALID');
      expect(remoteIssuer(idpIssuer, 'x', jwksUrl).algorithms).toEqual(['EdDSA']); // default pin for our own issuer
    } finally {
      await external.stop();
      jwksServer.close();
    }
  });
});

describe('health, readiness, metrics, request id', () => {
  test('/healthz, /readyz with Redis and /metrics on the ops port (not the public one), and the request id echoed', async () => {
    expect(await (await fetch(`${service.url}/healthz`)).json()).toMatchObject({ status: 'ok' });
    for (const path of ['/readyz', '/metrics']) expect((await fetch(`${service.url}${path}`)).status).toBe(404);
    expect(await (await fetch(`${service.opsUrl}/healthz`)).json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${service.opsUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok' } });
    await fetch(`${service.url}/random/${Math.random()}`);
    const metrics = await (await fetch(`${service.opsUrl}/metrics`)).text();
    expect(metrics).not.toMatch(/random/);
    expect(metrics).toContain('http_request_duration_seconds');
    expect(metrics).toContain('auth_failures_total');
    const response = await gql(service.url, '{ whoami }', {}, { token: await doctor(), headers: { 'x-request-id': 'req-abc-123' } });
    expect(response.headers.get('x-request-id')).toBe('req-abc-123');
  });

  test('/readyz reports 503 naming the failing dependency', async () => {
    const privateRedis = await startPrivateRedis();
    const isolated = await startSubgraph({
      name: 'kit-test-ready',
      port: 0,
      config: { ...config, REDIS_URL: privateRedis.url },
      logger,
      typeDefs,
      resolvers,
      rules,
      issuers: [issuer.trusted],
      readiness: { database: async () => { throw new Error('connection refused'); } },
    });
    try {
      const response = await fetch(`${isolated.opsUrl}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'not ready', checks: { database: 'failing: connection refused' } });
    } finally {
      await isolated.stop();
      await privateRedis.stop();
    }
  });
});
