import { z } from 'zod';
import { AUDIT_ACTOR_KINDS, AUDIT_APIS, type AuditRecord } from '@clinicult/kit';
import { PoisonMessageError, type EventEnvelope } from '@clinicult/events';
import { Prisma, type AuditDb } from '../db.js';

/**
 * Storing audit events: the only write this service has, an INSERT. There is no update or delete
 * path here, and the database refuses both anyway (triggers in prisma/audit/migrations).
 */

const id = (max: number) => z.string().trim().min(1).max(max);

/** What a service's audit trail (the kit's `createAuditTrail`) puts in the envelope payload. */
export const auditRecordSchema = z.object({
  action: id(100),
  clinicId: id(36).nullable(),
  actorId: id(100),
  actorKind: z.enum(AUDIT_ACTOR_KINDS),
  patientId: id(36).nullable().default(null),
  targetUserId: id(36).nullable().default(null),
  fields: z.array(z.string().max(200)).max(500).nullable().default(null),
  api: z.enum(AUDIT_APIS),
  service: id(50),
  requestId: id(128),
  details: z.record(z.string(), z.unknown()).nullable().default(null),
  occurredAt: z.iso.datetime({ offset: true }),
});

export type StoredOutcome = 'stored' | 'duplicate';

/** A malformed event can never be stored: a PoisonMessageError, so the bus parks it at once instead of retrying. */
export class InvalidAuditEvent extends PoisonMessageError {
  override readonly name = 'InvalidAuditEvent';
}

/**
 * The row for one envelope. The envelope id is the row id (the kit makes it the event's id), lower-
 * cased so that a replay is recognised whatever its spelling. Throws InvalidAuditEvent on anything
 * malformed: the bus parks it on `<stream>:parked` (no retries), where it can be inspected.
 */
export function toAuditRow(envelope: EventEnvelope): Prisma.AuditEventCreateInput {
  const eventId = z.uuid().safeParse(envelope.id);
  if (!eventId.success) throw new InvalidAuditEvent(`audit event id ${JSON.stringify(envelope.id)} is not a UUID`);
  const parsed = auditRecordSchema.safeParse(envelope.payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new InvalidAuditEvent(`audit event ${envelope.id} is malformed: ${problems}`);
  }
  const record = parsed.data;
  if (record.clinicId === null && record.actorKind !== 'operator') {
    throw new InvalidAuditEvent(`audit event ${envelope.id} has no clinic; only operator actions may have none`);
  }
  const payloadId = (envelope.payload as Partial<AuditRecord>).id;
  if (payloadId !== undefined && payloadId.toLowerCase() !== eventId.data.toLowerCase()) {
    throw new InvalidAuditEvent(`audit event ${envelope.id} carries another id (${payloadId}) in its payload`);
  }
  return {
    id: eventId.data.toLowerCase(),
    clinicId: record.clinicId,
    actorId: record.actorId,
    actorKind: record.actorKind,
    action: record.action,
    patientId: record.patientId,
    targetUserId: record.targetUserId,
    fields: record.fields ?? Prisma.DbNull,
    api: record.api,
    service: record.service,
    requestId: record.requestId,
    details: (record.details as Prisma.InputJsonObject | null) ?? Prisma.DbNull,
    occurredAt: new Date(record.occurredAt),
  };
}

/**
 * Stores one event once: a plain INSERT, and a second copy of the same id (a replay, the outbox
 * and Redis both delivering) hits the primary key and is reported as a duplicate. Not INSERT IGNORE
 * (which would also turn real errors into warnings), nor an upsert (whose UPDATE the trigger refuses).
 */
export async function storeAuditEvent(db: AuditDb, envelope: EventEnvelope): Promise<StoredOutcome> {
  const row = toAuditRow(envelope);
  try {
    await db.auditEvent.create({ data: row });
    return 'stored';
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return 'duplicate';
    throw error;
  }
}

/**
 * Stores the events of one read at once, in one multi-row INSERT (the audit service's hot path:
 * every medical read of every service ends here). A raw statement: Prisma's createMany compiles a
 * new query plan for every batch size, half of this service's CPU per event (issue 14). All or
 * nothing: a malformed event or an id stored before fails the whole batch, and the consumer then
 * stores its events one by one (`storeAuditEvent`), which parks the malformed one and reports the
 * duplicate.
 */
export async function storeAuditEvents(db: AuditDb, envelopes: EventEnvelope[]): Promise<number> {
  const rows = envelopes.map(toAuditRow).map((r) => Prisma.sql`(${r.id}, ${r.clinicId ?? null}, ${r.actorId}, ${r.actorKind}, ${r.action},
    ${r.patientId ?? null}, ${r.targetUserId ?? null}, ${jsonText(r.fields)}, ${r.api}, ${r.service}, ${r.requestId}, ${jsonText(r.details)},
    ${utcDateTime(r.occurredAt as Date)})`);
  return db.$executeRaw`INSERT INTO AuditEvent (id, clinicId, actorId, actorKind, action, patientId, targetUserId, fields, api, service, requestId, details, occurredAt)
    VALUES ${Prisma.join(rows)}`;
}

/** A JSON column's text, or NULL (Prisma.DbNull in the create input). */
function jsonText(value: unknown): string | null {
  return value === Prisma.DbNull || value === null || value === undefined ? null : JSON.stringify(value);
}

/** A DATETIME(3) literal in UTC, as Prisma writes DateTime columns (whatever the process's time zone). */
function utcDateTime(instant: Date): string {
  return instant.toISOString().replace('T', ' ').replace('Z', '');
}
