import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createTestDatabase, mysqlExecute, mysqlQuery, type TestDatabase } from '@clinicult/db';
import {
  createEventBus,
  createPrismaOutbox,
  OUTBOX_TABLE_SQL,
  parseStreamFields,
  type EventEnvelope,
  type EventsLogger,
  type SqlClient,
} from '@clinicult/events';
import { can } from '@clinicult/rbac';
import { createTestIssuer, gql, markSessionFactsReady, startPrivateRedis, type TestIssuer } from '@clinicult/testing';
import {
  AUDIT_API_HEADER,
  AUDIT_EVENT_TYPE,
  createAuditTrail,
  MEDICAL_READ_ACTION,
  type AuditCollector,
  type AuditRecord,
  type AuditTrail,
} from './audit.js';
import { baseConfigSchema, loadConfig } from './config.js';
import { EDGE_HEADER } from './edge.js';
import { createRedis } from './redis.js';
import { startSubgraph, type BaseContext, type RunningService } from './server.js';

/**
 * The kit's audit trail against the real Redis (and a private redis-server for the outage) and a
 * real MariaDB outbox: one event per patient per request, never an error in the request, nothing
 * lost while Redis is down.
 */

const silent: EventsLogger = { debug() {}, info() {}, warn() {}, error() {} };
const config = loadConfig(baseConfigSchema, { NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_URL: 'http://127.0.0.1:9' });

async function streamEvents(redis: Redis, stream: string): Promise<Array<EventEnvelope<AuditRecord>>> {
  const entries = (await redis.xrange(stream, '-', '+')) as Array<[string, string[]]>;
  return entries.map(([, fields]) => parseStreamFields(fields) as EventEnvelope<AuditRecord>);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** createRedis fails fast (no offline queue): wait until it is connected before using it. */
function whenReady(redis: Redis): Promise<void> {
  return new Promise((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
}

/** A pino logger whose error lines a test can read. */
function recordingLogger() {
  const errors: Array<Record<string, any>> = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line)) });
  return { logger, errors };
}

/** Prisma-shaped raw client over short-lived mariadb connections (the kit has no Prisma client of its own). */
function sqlClient(url: string): SqlClient {
  return {
    $executeRawUnsafe: async (sql, ...values) => (await mysqlExecute(url, sql, values)).affectedRows,
    $queryRawUnsafe: (sql, ...values) => mysqlQuery(url, sql, values),
  };
}

describe('in a subgraph: records from resolvers, one medical-read event per patient per request', () => {
  const stream = `events:audit:test:${randomUUID()}`;
  let issuer: TestIssuer;
  let redis: Redis;
  let service: RunningService;
  let trail: AuditTrail;

  type Ctx = BaseContext & { audit: AuditCollector };
  const patients = Array.from({ length: 20 }, (_, i) => ({ id: `patient-${String(i).padStart(2, '0')}`, name: `P${i}` }));
  const medical = (field: 'allergies' | 'notes' | 'bloodType') => (p: { id: string }, _a: unknown, ctx: Ctx) => {
    ctx.audit.medicalRead(p.id, field);
    return `${field} of ${p.id}`;
  };

  beforeAll(async () => {
    issuer = await createTestIssuer();
    await markSessionFactsReady();
    redis = createRedis(config.REDIS_URL, 'kit-audit-test');
    await whenReady(redis);
    const bus = createEventBus({ redis, service: 'kit-audit-test', logger: silent });
    trail = createAuditTrail({ bus, service: 'kit-audit-test', logger: silent, stream });
    service = await startSubgraph<Ctx>({
      name: 'kit-audit-test',
      port: 0,
      config,
      logger: pino({ level: 'silent' }),
      redis,
      issuers: [issuer.trusted],
      typeDefs: parse(`
        type Patient { id: ID! name: String! allergies: String notes: String bloodType: String }
        type Query { patients: [Patient!]! }
        type Mutation { touch(id: ID!): Boolean! }
      `),
      resolvers: {
        Query: { patients: () => patients },
        Mutation: {
          touch: async (_p: unknown, { id }: { id: string }, ctx: Ctx) => {
            await trail.record(ctx, { action: 'patient.update', patientId: id, fields: ['phone'], details: { version: 2 } });
            return true;
          },
        },
        Patient: { allergies: medical('allergies'), notes: medical('notes'), bloodType: medical('bloodType') },
      },
      rules: {
        Query: { patients: can('clinicult:patient:read') },
        Mutation: { touch: can('clinicult:patient:write') },
        Patient: can('clinicult:patient:read'),
      },
      plugins: [trail.plugin()],
      createContext: (base) => ({ ...base, audit: trail.collector(base) }),
    });
  });

  afterAll(async () => {
    await service?.stop();
    await trail?.drain();
    await redis?.del(stream);
    redis?.disconnect();
  });

  beforeEach(async () => {
    await redis.del(stream);
  });

  test('20 patients × 3 medical fields: 20 events, each with who, clinic, fields, api and request id', async () => {
    const clinicId = randomUUID();
    const userId = randomUUID();
    const token = await issuer.staffToken(userId, clinicId, ['DOCTOR']);
    const response = await gql(service.url, '{ patients { id name allergies notes bloodType } }', {}, { token });
    expect(response.errors).toBeUndefined();
    expect(response.data?.patients).toHaveLength(20);
    // published before the response was sent
    const events = await streamEvents(redis, stream);
    expect(events).toHaveLength(20);
    expect(events.map((e) => e.payload.patientId).sort()).toEqual(patients.map((p) => p.id));
    const requestId = response.headers.get('x-request-id');
    for (const event of events) {
      expect(event).toMatchObject({ type: AUDIT_EVENT_TYPE, clinicId, source: 'kit-audit-test' });
      expect(event.id).toBe(event.payload.id);
      expect(event.payload).toMatchObject({
        action: MEDICAL_READ_ACTION,
        clinicId,
        actorId: userId,
        actorKind: 'staff',
        fields: ['allergies', 'bloodType', 'notes'],
        api: 'graphql',
        service: 'kit-audit-test',
        requestId,
      });
      expect(Date.parse(event.payload.occurredAt)).not.toBeNaN();
    }
  });

  test('a request without medical fields records nothing; the gateway header marks FHIR requests', async () => {
    const token = await issuer.staffToken(randomUUID(), randomUUID(), ['DOCTOR']);
    await gql(service.url, '{ patients { id name } }', {}, { token });
    expect(await streamEvents(redis, stream)).toHaveLength(0);

    const fhir = await gql(service.url, '{ patients { id notes } }', {}, {
      token,
      headers: { [AUDIT_API_HEADER]: 'fhir', [EDGE_HEADER]: await issuer.serviceToken('gateway') },
    });
    expect(fhir.errors).toBeUndefined();
    const events = await streamEvents(redis, stream);
    expect(events).toHaveLength(20);
    expect(new Set(events.map((e) => e.payload.api))).toEqual(new Set(['fhir']));
    expect(events[0]?.payload.fields).toEqual(['notes']);
  });

  test('the API label counts only from the gateway: without its edge token (or with a token lacking edge) it is graphql', async () => {
    const token = await issuer.staffToken(randomUUID(), randomUUID(), ['DOCTOR']);
    for (const edge of [undefined, await issuer.serviceToken('users'), await issuer.staffToken(randomUUID(), randomUUID(), ['ADMIN'])]) {
      await redis.del(stream);
      const headers: Record<string, string> = { [AUDIT_API_HEADER]: 'fhir', ...(edge ? { [EDGE_HEADER]: edge } : {}) };
      expect((await gql(service.url, '{ patients { id notes } }', {}, { token, headers })).errors).toBeUndefined();
      expect(new Set((await streamEvents(redis, stream)).map((e) => e.payload.api))).toEqual(new Set(['graphql']));
    }
  });

  test('record from a mutation: one event with the details', async () => {
    const clinicId = randomUUID();
    const token = await issuer.staffToken(randomUUID(), clinicId, ['NURSE']);
    const response = await gql(service.url, 'mutation { touch(id: "p-7") }', {}, { token });
    expect(response.data).toEqual({ touch: true });
    const events = await streamEvents(redis, stream);
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({ action: 'patient.update', patientId: 'p-7', clinicId, fields: ['phone'], details: { version: 2 } }),
    ]);
  });
});

describe('record never fails the request', () => {
  const ctx = (): BaseContext => ({
    caller: { kind: 'staff', userId: 'u', clinicId: 'c', roles: ['DOCTOR'], permissions: [], token: 't', jti: 'j', issuedAt: new Date(), expiresAt: new Date(), mfa: false },
    requestId: 'req',
    logger: pino({ level: 'silent' }),
    clientIp: '127.0.0.1',
      viaEdge: false,
  });

  test('Redis and the outbox both failing: resolves, and the whole event is in the error log', async () => {
    const { logger, errors } = recordingLogger();
    const trail = createAuditTrail({ bus: { publish: () => Promise.reject(new Error('both down')) }, service: 's', logger });
    await expect(trail.record({ ...ctx(), logger }, { action: 'patient.update', patientId: 'p1' })).resolves.toBeUndefined();
    expect(errors).toEqual([
      expect.objectContaining({
        msg: 'audit event lost: patient.update',
        audit: expect.objectContaining({ action: 'patient.update', patientId: 'p1', clinicId: 'c', requestId: 'req' }),
      }),
    ]);
  });

  test('a hanging publish keeps the caller waiting at most maxWaitMs; drain waits for it', async () => {
    let finish!: () => void;
    const published: string[] = [];
    const bus = {
      publish: (_stream: string, event: { id?: string }) =>
        new Promise<never>((resolve) => {
          finish = () => {
            published.push(event.id!);
            resolve(undefined as never);
          };
        }),
    };
    const trail = createAuditTrail({ bus, service: 's', logger: silent, maxWaitMs: 100 });
    const started = Date.now();
    await trail.record(ctx(), { action: 'patient.update' });
    expect(Date.now() - started).toBeLessThan(1000);
    const draining = trail.drain();
    setTimeout(() => finish(), 50);
    await draining;
    expect(published).toHaveLength(1);
  });

  test('a clinic-less caller: refused and logged, nothing published', async () => {
    const { logger, errors } = recordingLogger();
    const published: unknown[] = [];
    const trail = createAuditTrail({ bus: { publish: async (_stream: string, event: unknown) => { published.push(event); return event as never; } }, service: 's', logger });
    await trail.record({ ...ctx(), caller: { kind: 'anonymous' }, logger }, { action: 'patient.read.medical', patientId: 'p' });
    expect(published).toEqual([]);
    expect(errors[0]?.msg).toMatch(/refused/);
  });
});

describe('Redis down: the event waits in the MariaDB outbox and is delivered once Redis is back', () => {
  let database: TestDatabase;
  let privateRedis: Awaited<ReturnType<typeof startPrivateRedis>>;

  beforeAll(async () => {
    database = await createTestDatabase('kit_audit', { migrate: false });
    await mysqlExecute(database.url, OUTBOX_TABLE_SQL);
    privateRedis = await startPrivateRedis();
  });
  afterAll(async () => {
    await privateRedis?.stop();
    await database?.drop();
  });

  test('no error, no long wait, exactly one event on the stream afterwards', async () => {
    const stream = `events:audit:test:${randomUUID()}`;
    const redis = createRedis(privateRedis.url, 'kit-audit-outage');
    await whenReady(redis);
    const bus = createEventBus({ redis, service: 'patients', outbox: createPrismaOutbox(sqlClient(database.url)), logger: silent });
    const trail = createAuditTrail({ bus, service: 'patients', logger: silent, stream });
    const context: BaseContext = {
      caller: { kind: 'staff', userId: 'doc', clinicId: 'clinic-a', roles: ['DOCTOR'], permissions: [], token: 't', jti: 'j', issuedAt: new Date(), expiresAt: new Date(), mfa: false },
      requestId: 'req-outage',
      logger: pino({ level: 'silent' }),
      clientIp: '127.0.0.1',
      viaEdge: false,
    };
    try {
      await privateRedis.stop();
      const started = Date.now();
      const collector = trail.collector(context);
      collector.medicalRead('patient-1', ['allergies', 'notes']);
      collector.medicalRead('patient-1', 'allergies');
      collector.medicalRead('patient-1', 'visit.vitals', 'visit-2');
      collector.medicalRead('patient-1', 'visit.vitals', 'visit-1');
      await collector.flush();
      expect(Date.now() - started).toBeLessThan(1500);
      const rows = await mysqlQuery<{ stream: string; eventId: string; envelope: string }>(database.url, 'SELECT stream, eventId, envelope FROM event_outbox');
      expect(rows).toHaveLength(1);
      expect(rows[0]?.stream).toBe(stream);
      const held = JSON.parse(rows[0]!.envelope) as EventEnvelope<AuditRecord>;
      expect(held.payload).toMatchObject({
        action: MEDICAL_READ_ACTION,
        patientId: 'patient-1',
        fields: ['allergies', 'notes', 'visit.vitals'],
        details: { visitIds: ['visit-1', 'visit-2'] },
        clinicId: 'clinic-a',
        requestId: 'req-outage',
      });

      await privateRedis.restart();
      const reader = new Redis(privateRedis.url);
      try {
        const relay = bus.startOutboxRelay(100);
        for (let i = 0; i < 100 && (await bus.outboxBacklog()) > 0; i++) await sleep(100);
        await relay.stop();
        expect(await bus.outboxBacklog()).toBe(0);
        const events = await streamEvents(reader, stream);
        expect(events).toHaveLength(1);
        expect(events[0]?.id).toBe(held.id);
        expect(events[0]?.payload).toEqual(held.payload);
      } finally {
        reader.disconnect();
      }
    } finally {
      await trail.drain();
      await bus.close();
      redis.disconnect();
    }
  }, 30_000);
});
