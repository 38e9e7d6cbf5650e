import { randomUUID } from 'node:crypto';
import { mysqlExecute } from '@clinicult/db';
import { AUDIT_EVENT_TYPE, MEDICAL_READ_ACTION, type AuditRecord } from '@clinicult/kit';
import { codes, gql, type TestIssuer } from '@clinicult/testing';
import { storeAuditEvent } from './domain/events.js';
import {
  auditLog,
  newIssuer,
  staffCaller,
  startAudit,
  startRecorder,
  testStream,
  waitFor,
  type AuditUnderTest,
  type Recorder,
} from './__tests__/harness.js';

/**
 * audit over real HTTP, a fresh MariaDB database and the shared Redis (a stream of its own), fed by
 * the kit's audit trail as a recording service (patients) uses it.
 */
const CLINIC_A = randomUUID();
const CLINIC_B = randomUUID();
const DOCTOR_A = randomUUID();
const ADMIN_A = randomUUID();
const ADMIN_B = randomUUID();
const PATIENT_1 = randomUUID();
const PATIENT_2 = randomUUID();

let issuer: TestIssuer;
let audit: AuditUnderTest;
let recorder: Recorder;
let adminA: string;
let adminB: string;
const stream = testStream();

beforeAll(async () => {
  issuer = await newIssuer();
  audit = await startAudit({ issuer, stream });
  recorder = await startRecorder({ stream });
  adminA = await issuer.staffToken(ADMIN_A, CLINIC_A, ['ADMIN']);
  adminB = await issuer.staffToken(ADMIN_B, CLINIC_B, ['ADMIN']);
});

afterAll(async () => {
  await recorder?.close();
  await audit?.stop();
});

const storedCount = async (where: string, params: unknown[]) => (await audit.rows(where, params)).length;

describe('recording and finding', () => {
  test('an event recorded by the kit in patients is stored once, and ADMIN finds it with auditLog(patientId)', async () => {
    const requestId = `req-${randomUUID()}`;
    await recorder.record(staffCaller(DOCTOR_A, CLINIC_A), { action: MEDICAL_READ_ACTION, patientId: PATIENT_1, fields: ['allergies', 'medicalNotes'] }, requestId);
    await recorder.record(staffCaller(DOCTOR_A, CLINIC_A), { action: 'patient.update', patientId: PATIENT_2, fields: ['phone'] });
    await waitFor('both events stored', () => audit.rows('clinicId = ?', [CLINIC_A]), (rows) => rows.length === 2);

    const r = await auditLog(audit.url, adminA, { patientId: PATIENT_1 });
    expect(r.errors).toBeUndefined();
    expect(r.data!.auditLog.totalCount).toBe(1);
    expect(r.data!.auditLog.pageInfo).toEqual({ hasNextPage: false, endCursor: r.data!.auditLog.edges[0]!.cursor });
    const node = r.data!.auditLog.edges[0]!.node;
    expect(node).toEqual({
      id: expect.any(String),
      action: MEDICAL_READ_ACTION,
      actor: { id: DOCTOR_A },
      actorId: DOCTOR_A,
      actorKind: 'STAFF',
      patient: { id: PATIENT_1 },
      targetUser: null,
      fields: ['allergies', 'medicalNotes'],
      api: 'GRAPHQL',
      service: 'patients',
      requestId,
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      details: null,
    });

    const all = await auditLog(audit.url, adminA, {});
    expect(all.data!.auditLog.edges.map((e) => e.node.action)).toEqual(['patient.update', MEDICAL_READ_ACTION]); // newest first
  });

  test('replaying the same event stores nothing new (the bus drops a known id; the primary key the rest)', async () => {
    await recorder.record(staffCaller(DOCTOR_A, CLINIC_A), { action: MEDICAL_READ_ACTION, patientId: PATIENT_2, fields: ['allergies'] });
    const [stored] = await waitFor('the event stored', () => audit.rows('patientId = ? AND action = ?', [PATIENT_2, MEDICAL_READ_ACTION]), (rows) => rows.length === 1);
    const entries = (await recorder.redis.xrange(stream, '-', '+')) as Array<[string, string[]]>;
    const original = entries.find(([, fields]) => fields.includes(stored!.id))!;
    const before = audit.service.events.stats();

    // 1. the same entry again: the consumer group knows the id and acks it without storing
    await recorder.redis.xadd(stream, '*', ...original[1]);
    await waitFor('the copy dropped', async () => audit.service.events.stats().duplicates, (n) => n > before.duplicates);
    // 2. again after the bus forgot it (its record expired): the insert hits the primary key
    await recorder.redis.del(`events:done:${audit.config.AUDIT_GROUP}:${stored!.id}`);
    await recorder.redis.xadd(stream, '*', ...original[1]);
    await waitFor('the copy handled', async () => audit.service.events.stats().handled, (n) => n > before.handled);
    // 3. and straight through the domain layer
    const envelope = { id: stored!.id, type: AUDIT_EVENT_TYPE, occurredAt: new Date().toISOString(), source: 'patients', payload: JSON.parse(original[1][original[1].indexOf('envelope') + 1]!).payload as AuditRecord };
    await expect(storeAuditEvent(audit.service.db, envelope)).resolves.toBe('duplicate');

    expect(await storedCount('id = ?', [stored!.id])).toBe(1);
    expect(await storedCount('patientId = ? AND action = ?', [PATIENT_2, MEDICAL_READ_ACTION])).toBe(1);
  });

  test('events read together (one batch) with a stored id and a malformed one among them: the new ones are stored once, the malformed one is parked at once', async () => {
    const patient = randomUUID();
    const at = new Date().toISOString();
    const record = (id: string, action: string): AuditRecord => ({
      id, action, clinicId: CLINIC_A, actorId: DOCTOR_A, actorKind: 'staff', patientId: patient, targetUserId: null,
      fields: ['allergies'], api: 'graphql', service: 'patients', requestId: `req-${id}`, details: null, occurredAt: at,
    });
    const entry = (id: string, payload: unknown) => ['id', id, 'type', AUDIT_EVENT_TYPE, 'envelope', JSON.stringify({ id, type: AUDIT_EVENT_TYPE, occurredAt: at, source: 'patients', payload })];
    // the stored one first, alone
    const known = randomUUID();
    await recorder.redis.xadd(stream, '*', ...entry(known, record(known, 'patient.update')));
    await waitFor('the first event stored', () => audit.rows('id = ?', [known]), (rows) => rows.length === 1);
    const parkedBefore = await recorder.redis.xlen(`${stream}:parked`);
    const before = audit.service.events.stats();

    // then, in one transaction (one read takes them all): two new, a copy of the stored one after
    // the bus forgot it, one without an action, and two more new
    await recorder.redis.del(`events:done:${audit.config.AUDIT_GROUP}:${known}`);
    const fresh = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const bad = randomUUID();
    const multi = recorder.redis.multi();
    multi.xadd(stream, '*', ...entry(fresh[0]!, record(fresh[0]!, MEDICAL_READ_ACTION)));
    multi.xadd(stream, '*', ...entry(fresh[1]!, record(fresh[1]!, MEDICAL_READ_ACTION)));
    multi.xadd(stream, '*', ...entry(known, record(known, 'patient.update')));
    multi.xadd(stream, '*', ...entry(bad, { ...record(bad, MEDICAL_READ_ACTION), action: '' }));
    multi.xadd(stream, '*', ...entry(fresh[2]!, record(fresh[2]!, MEDICAL_READ_ACTION)));
    multi.xadd(stream, '*', ...entry(fresh[3]!, record(fresh[3]!, MEDICAL_READ_ACTION)));
    await multi.exec();

    await waitFor('the four new events stored', () => audit.rows('patientId = ? AND action = ?', [patient, MEDICAL_READ_ACTION]), (rows) => rows.length === 4);
    // parked on its first delivery: a malformed event can never succeed, so it is not retried
    await waitFor('the malformed event parked', () => recorder.redis.xlen(`${stream}:parked`), (n) => n === parkedBefore + 1);
    expect(audit.service.events.stats().failed - before.failed).toBe(0);
    const stored = await audit.rows('patientId = ?', [patient]);
    expect(stored.map((r) => r.id).sort()).toEqual([known, ...fresh].sort());
    // the batch's rows are what one event's INSERT writes (the known one went alone, before)
    const viaBatch = stored.find((r) => r.id === fresh[0])!;
    const alone = stored.find((r) => r.id === known)!;
    for (const row of [viaBatch, alone]) {
      expect(row).toMatchObject({ clinicId: CLINIC_A, actorId: DOCTOR_A, actorKind: 'staff', patientId: patient, targetUserId: null, api: 'graphql', service: 'patients', details: null });
      expect(new Date(row.occurredAt).toISOString()).toBe(at);
      expect(typeof row.fields === 'string' ? JSON.parse(row.fields) : row.fields).toEqual(['allergies']);
    }
    expect(await storedCount('id = ?', [bad])).toBe(0);
    expect(audit.service.events.stats().handled - before.handled).toBe(5); // four stored, the copy a duplicate at the key
  });

  test('a service acting for a clinic has no actor User; role changes name their target user', async () => {
    const target = randomUUID();
    await recorder.record(
      { kind: 'service', service: 'admin', permissions: [], clinicId: CLINIC_A, token: 't', jti: 'j', issuedAt: new Date(), expiresAt: new Date(), mfa: false },
      { action: 'membership.added', targetUserId: target, details: { before: null, after: ['ADMIN'] } },
    );
    await waitFor('stored', () => audit.rows('targetUserId = ?', [target]), (rows) => rows.length === 1);
    const r = await auditLog(audit.url, adminA, { userId: target });
    expect(r.data!.auditLog.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ actor: null, actorId: 'service:admin', actorKind: 'SERVICE', targetUser: { id: target }, patient: null, details: { before: null, after: ['ADMIN'] } }),
    ]);
  });
});

describe('who may read it', () => {
  test('OFFICE, DOCTOR and NURSE are FORBIDDEN; operators and services too; no token is UNAUTHENTICATED', async () => {
    for (const role of ['OFFICE', 'DOCTOR', 'NURSE'] as const) {
      const r = await auditLog(audit.url, await issuer.staffToken(randomUUID(), CLINIC_A, [role]), { patientId: PATIENT_1 });
      expect(codes(r)).toEqual(['FORBIDDEN']);
      expect(r.data ?? null).toBeNull();
    }
    expect(codes(await auditLog(audit.url, await issuer.operatorToken(), {}))).toEqual(['FORBIDDEN']);
    expect(codes(await auditLog(audit.url, await issuer.serviceToken('patients'), {}))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(audit.url, '{ auditLog { totalCount } }'))).toEqual(['UNAUTHENTICATED']);
  });

  test('a DOCTOR who is also ADMIN reads it', async () => {
    const r = await auditLog(audit.url, await issuer.staffToken(randomUUID(), CLINIC_A, ['DOCTOR', 'ADMIN']), { patientId: PATIENT_1 });
    expect(r.errors).toBeUndefined();
    expect(r.data!.auditLog.totalCount).toBe(1);
  });

  test("an ADMIN of clinic B sees nothing of clinic A's, whatever the filter", async () => {
    await recorder.record(staffCaller(randomUUID(), CLINIC_B), { action: 'patient.update', patientId: randomUUID() });
    await waitFor('B event stored', () => audit.rows('clinicId = ?', [CLINIC_B]), (rows) => rows.length === 1);
    const mine = await auditLog(audit.url, adminB, {});
    expect(mine.data!.auditLog.totalCount).toBe(1);
    expect(mine.data!.auditLog.edges[0]!.node.action).toBe('patient.update');
    for (const filter of [{ patientId: PATIENT_1 }, { userId: DOCTOR_A }, { patientId: PATIENT_2, userId: DOCTOR_A }]) {
      const r = await auditLog(audit.url, adminB, filter);
      expect(r.errors).toBeUndefined();
      expect(r.data!.auditLog).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    }
    // a cursor from clinic A's log does not open clinic A's rows either
    const fromA = await auditLog(audit.url, adminA, { first: 1 });
    const r = await auditLog(audit.url, adminB, { after: fromA.data!.auditLog.pageInfo.endCursor });
    expect(r.data!.auditLog.edges.every((e) => e.node.action === 'patient.update')).toBe(true);
    expect((await audit.rows('clinicId = ?', [CLINIC_B])).length).toBe(1);
  });
});

describe('append-only', () => {
  test('UPDATE and DELETE fail at the database, and the row stays as it was', async () => {
    const [row] = await audit.rows('clinicId = ?', [CLINIC_A]);
    await expect(mysqlExecute(audit.database.url, 'UPDATE AuditEvent SET action = ? WHERE id = ?', ['patient.nothing', row!.id])).rejects.toThrow(/append-only/);
    await expect(mysqlExecute(audit.database.url, 'UPDATE AuditEvent SET clinicId = ?', [CLINIC_B])).rejects.toThrow(/append-only/);
    await expect(mysqlExecute(audit.database.url, 'DELETE FROM AuditEvent WHERE id = ?', [row!.id])).rejects.toThrow(/append-only/);
    await expect(mysqlExecute(audit.database.url, 'DELETE FROM AuditEvent')).rejects.toThrow(/append-only/);
    await expect(audit.service.db.auditEvent.deleteMany({ where: { clinicId: CLINIC_A } })).rejects.toThrow(/append-only/);
    expect(await audit.rows('id = ?', [row!.id])).toEqual([row]);
  });

  test('the API has no mutation at all', async () => {
    const r = await gql(audit.url, '{ __schema { mutationType { name } } }', {}, { token: adminA });
    expect(r.data).toEqual({ __schema: { mutationType: null } });
  });
});

describe('paging and filters', () => {
  const CLINIC = randomUUID();
  const PATIENT = randomUUID();
  const USER = randomUUID();
  let admin: string;
  const base = new Date('2026-11-01T08:00:00.000Z').getTime();
  // 25 events about PATIENT, two per minute (ties on occurredAt are broken by id)
  const events = Array.from({ length: 25 }, (_, i) => ({
    id: randomUUID(),
    occurredAt: new Date(base + Math.floor(i / 2) * 60_000).toISOString(),
    actorId: i % 5 === 0 ? USER : randomUUID(),
    targetUserId: i % 7 === 0 ? USER : null,
  }));
  const newestFirst = [...events].sort((a, b) => (a.occurredAt === b.occurredAt ? (a.id < b.id ? 1 : -1) : a.occurredAt < b.occurredAt ? 1 : -1));

  beforeAll(async () => {
    admin = await issuer.staffToken(randomUUID(), CLINIC, ['ADMIN']);
    for (const e of events) {
      const payload: Omit<AuditRecord, 'id'> = {
        action: e.targetUserId ? 'membership.changed' : MEDICAL_READ_ACTION,
        clinicId: CLINIC,
        actorId: e.actorId,
        actorKind: 'staff',
        patientId: PATIENT,
        targetUserId: e.targetUserId,
        fields: ['allergies'],
        api: 'fhir',
        service: 'patients',
        requestId: randomUUID(),
        details: null,
        occurredAt: e.occurredAt,
      };
      await storeAuditEvent(audit.service.db, { id: e.id, type: AUDIT_EVENT_TYPE, occurredAt: e.occurredAt, source: 'patients', payload: { id: e.id, ...payload } });
    }
  });

  async function allPages(variables: Record<string, unknown>, first: number): Promise<{ ids: string[]; totals: number[] }> {
    const ids: string[] = [];
    const totals: number[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const r = await auditLog(audit.url, admin, { ...variables, first, after });
      expect(r.errors).toBeUndefined();
      const page = r.data!.auditLog;
      expect(page.edges.length).toBeLessThanOrEqual(first);
      ids.push(...page.edges.map((e) => e.node.id));
      totals.push(page.totalCount);
      if (!page.pageInfo.hasNextPage) return { ids, totals };
      after = page.pageInfo.endCursor;
    }
    throw new Error('too many pages');
  }

  test('newest first, in pages of 10, every event once', async () => {
    const { ids, totals } = await allPages({ patientId: PATIENT }, 10);
    expect(ids).toEqual(newestFirst.map((e) => e.id));
    expect(totals).toEqual([25, 25, 25]);
  });

  test('userId: events by or about the user, merged in order', async () => {
    const expected = newestFirst.filter((e) => e.actorId === USER || e.targetUserId === USER);
    expect(expected.length).toBeGreaterThan(5);
    for (const first of [1, 3, 100]) {
      const { ids, totals } = await allPages({ userId: USER }, first);
      expect(ids).toEqual(expected.map((e) => e.id));
      expect(new Set(totals)).toEqual(new Set([expected.length]));
    }
    const withPatient = await allPages({ userId: USER, patientId: PATIENT }, 4);
    expect(withPatient.ids).toEqual(expected.map((e) => e.id));
  });

  test('from (inclusive) and to (exclusive)', async () => {
    const from = new Date(base + 3 * 60_000).toISOString();
    const to = new Date(base + 6 * 60_000).toISOString();
    const expected = newestFirst.filter((e) => e.occurredAt >= from && e.occurredAt < to);
    expect(expected).toHaveLength(6);
    const { ids } = await allPages({ patientId: PATIENT, from, to }, 4);
    expect(ids).toEqual(expected.map((e) => e.id));
  });

  test('arguments a person can fix are BAD_USER_INPUT', async () => {
    const bad = async (variables: Record<string, unknown>, message: RegExp) => {
      const r = await auditLog(audit.url, admin, variables);
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.message).toMatch(message);
    };
    await bad({ first: 0 }, /first: ask for 1 to 100/);
    await bad({ first: 101 }, /first: at most 100/);
    await bad({ after: 'nonsense' }, /after: not a cursor/);
    await bad({ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, /from must be before to/);
    await bad({ from: 'yesterday' }, /DateTime/);
  });
});
