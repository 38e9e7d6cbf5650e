import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@clinicult/events';
import { AUDIT_EVENT_TYPE } from '@clinicult/kit';
import { InvalidAuditEvent, toAuditRow } from './events.js';

function envelope(payload: Record<string, unknown>, id: string = randomUUID()): EventEnvelope {
  return { id, type: AUDIT_EVENT_TYPE, clinicId: 'c1', occurredAt: new Date().toISOString(), source: 'patients', payload: { id, ...payload } };
}

const valid = {
  action: 'patient.read.medical',
  clinicId: 'c1',
  actorId: 'u1',
  actorKind: 'staff',
  patientId: 'p1',
  targetUserId: null,
  fields: ['allergies'],
  api: 'graphql',
  service: 'patients',
  requestId: 'req-1',
  details: null,
  occurredAt: '2026-11-27T10:00:00.000Z',
};

test('a kit record becomes a row keyed by the (lower-cased) event id', () => {
  const id = randomUUID().toUpperCase();
  const row = toAuditRow(envelope(valid, id));
  expect(row).toMatchObject({ id: id.toLowerCase(), clinicId: 'c1', actorId: 'u1', patientId: 'p1', fields: ['allergies'], api: 'graphql' });
  expect(row.occurredAt).toEqual(new Date('2026-11-27T10:00:00.000Z'));
});

test('malformed events are refused with a reason (the bus parks them)', () => {
  expect(() => toAuditRow(envelope(valid, 'not-a-uuid'))).toThrow(/not a UUID/);
  expect(() => toAuditRow(envelope({ ...valid, actorKind: 'robot' }))).toThrow(InvalidAuditEvent);
  expect(() => toAuditRow(envelope({ ...valid, occurredAt: 'yesterday' }))).toThrow(/occurredAt/);
  expect(() => toAuditRow(envelope({ ...valid, action: 'x'.repeat(101) }))).toThrow(/action/);
  expect(() => toAuditRow(envelope({ ...valid, clinicId: null }))).toThrow(/only operator actions/);
  expect(toAuditRow(envelope({ ...valid, clinicId: null, actorKind: 'operator' })).clinicId).toBeNull();
  const other = envelope(valid);
  expect(() => toAuditRow({ ...other, payload: { ...(other.payload as object), id: randomUUID() } })).toThrow(/another id/);
});
