import type { Caller } from '@clinicult/rbac';
import { auditApiFromHeader, buildAuditRecord, createAuditTrail, type AuditRecord } from './audit.js';
import { createLogger } from './logger.js';

const facts = { token: 't', jti: 'j', issuedAt: new Date(0), expiresAt: new Date(0), mfa: false };
const staff: Caller = { kind: 'staff', userId: 'u1', clinicId: 'c1', roles: ['DOCTOR'], permissions: [], ...facts };
const operator: Caller = { kind: 'operator', userId: 'op1', roles: ['OPERATOR'], permissions: [], ...facts };
const service = (clinicId: string | null): Caller => ({ kind: 'service', service: 'users', permissions: [], clinicId, ...facts });
const now = new Date('2026-11-27T10:00:00.000Z');

test('staff: the token names the actor and the clinic', () => {
  const record = buildAuditRecord(staff, 'req-1', 'patients', { action: 'patient.update', patientId: 'p1', fields: ['phone'] }, 'graphql', now);
  expect(record).toEqual<AuditRecord>({
    id: expect.any(String),
    action: 'patient.update',
    clinicId: 'c1',
    actorId: 'u1',
    actorKind: 'staff',
    patientId: 'p1',
    targetUserId: null,
    fields: ['phone'],
    api: 'graphql',
    service: 'patients',
    requestId: 'req-1',
    details: null,
    occurredAt: '2026-11-27T10:00:00.000Z',
  });
});

test('staff cannot file an event under another clinic', () => {
  expect(buildAuditRecord(staff, 'r', 's', { action: 'x', clinicId: 'c2' }, 'graphql')).toMatchObject({ refused: expect.stringMatching(/clinic c2/) });
  expect(buildAuditRecord(staff, 'r', 's', { action: 'x', clinicId: 'c1' }, 'graphql')).toMatchObject({ clinicId: 'c1' });
});

test('operators: the clinic they act on, or none', () => {
  expect(buildAuditRecord(operator, 'r', 'users', { action: 'invitation.resent', clinicId: 'c9' }, 'graphql')).toMatchObject({
    clinicId: 'c9',
    actorId: 'op1',
    actorKind: 'operator',
    details: null,
  });
  expect(buildAuditRecord(operator, 'r', 'admin', { action: 'template.published' }, 'graphql')).toMatchObject({ clinicId: null });
});

test("a person's own membership events belong to the clinic they concern, whatever the token's clinic", () => {
  const unscoped: Caller = { kind: 'unscoped', userId: 'u7', roles: [], permissions: [], ...facts };
  expect(buildAuditRecord(unscoped, 'r', 'users', { action: 'invitation.accepted', clinicId: 'c3', targetUserId: 'u7' }, 'graphql')).toMatchObject({
    clinicId: 'c3',
    actorId: 'u7',
    actorKind: 'staff',
  });
  expect(buildAuditRecord(staff, 'r', 'users', { action: 'invitation.accepted', clinicId: 'c3', targetUserId: staff.userId }, 'graphql')).toMatchObject({
    clinicId: 'c3',
  });
  // about someone else: refused as before
  expect(buildAuditRecord(unscoped, 'r', 'users', { action: 'x', clinicId: 'c3', targetUserId: 'someone' }, 'graphql')).toMatchObject({ refused: expect.any(String) });
  expect(buildAuditRecord(staff, 'r', 'users', { action: 'x', clinicId: 'c3', targetUserId: 'someone' }, 'graphql')).toMatchObject({ refused: expect.any(String) });
});

test('services: service:<name>, the clinic from the call header or else the argument; none is refused', () => {
  expect(buildAuditRecord(service('c1'), 'r', 'users', { action: 'x' }, 'graphql')).toMatchObject({ actorId: 'service:users', actorKind: 'service', clinicId: 'c1' });
  expect(buildAuditRecord(service(null), 'r', 'users', { action: 'x', clinicId: 'c2' }, 'graphql')).toMatchObject({ clinicId: 'c2' });
  expect(buildAuditRecord(service('c1'), 'r', 'users', { action: 'x', clinicId: 'c2' }, 'graphql')).toHaveProperty('refused');
  expect(buildAuditRecord(service(null), 'r', 'users', { action: 'x' }, 'graphql')).toHaveProperty('refused');
});

test('clinic-less callers and events without an action are refused', () => {
  expect(buildAuditRecord({ kind: 'anonymous' }, 'r', 's', { action: 'x' }, 'graphql')).toHaveProperty('refused');
  expect(buildAuditRecord({ kind: 'unscoped', userId: 'u', roles: [], permissions: [], ...facts }, 'r', 's', { action: 'x' }, 'graphql')).toHaveProperty('refused');
  expect(buildAuditRecord(staff, 'r', 's', { action: '' }, 'graphql')).toHaveProperty('refused');
});

test('the api: the event says, else the request (header), else graphql', () => {
  expect(buildAuditRecord(staff, 'r', 's', { action: 'x' }, 'fhir')).toMatchObject({ api: 'fhir' });
  expect(buildAuditRecord(staff, 'r', 's', { action: 'x', api: 'graphql' }, 'fhir')).toMatchObject({ api: 'graphql' });
  expect(auditApiFromHeader('FHIR')).toBe('fhir');
  expect(auditApiFromHeader('soap')).toBe('graphql');
  expect(auditApiFromHeader(undefined)).toBe('graphql');
});

test("regions: each event goes to the bus of its clinic's cluster; an unknown clinic, or a failed lookup, to the service's own", async () => {
  const published: Array<{ bus: string; clinicId: string | null }> = [];
  const busNamed = (bus: string) => ({
    publish: async (_stream: string, event: { clinicId?: string | null }) => {
      published.push({ bus, clinicId: event.clinicId ?? null });
      return event as never;
    },
  });
  const clusters: Record<string, string> = { c1: 'us-1', c2: 'eu-1' };
  const trail = createAuditTrail({
    bus: busNamed('platform'),
    service: 'users',
    logger: createLogger('audit-route-test', 'silent'),
    route: async (clinicId) => {
      if (clinicId === 'down') throw new Error('admin unreachable');
      return clinicId && clusters[clinicId] ? busNamed(clusters[clinicId]) : null;
    },
  });
  const ctx = (clinicId: string) => ({ caller: { ...staff, clinicId } as Caller, requestId: 'r', logger: createLogger('audit-route-test', 'silent') });
  for (const clinicId of ['c1', 'c2', 'unknown', 'down']) await trail.record(ctx(clinicId), { action: 'membership.added' });
  await trail.drain();
  expect(published).toEqual([
    { bus: 'us-1', clinicId: 'c1' },
    { bus: 'eu-1', clinicId: 'c2' },
    { bus: 'platform', clinicId: 'unknown' },
    { bus: 'platform', clinicId: 'down' },
  ]);
});
