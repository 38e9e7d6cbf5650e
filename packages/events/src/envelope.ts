import { randomUUID } from 'node:crypto';

/** What travels on a stream. `id` is the idempotency key: consumers process an id at most once per group. */
export interface EventEnvelope<P = unknown> {
  id: string;
  type: string;
  clinicId?: string | null;
  occurredAt: string;
  source: string;
  payload: P;
}

/** What a publisher supplies; the bus fills in id (unless given), occurredAt and source. */
export interface NewEvent<P = unknown> {
  type: string;
  clinicId?: string | null;
  payload: P;
  /** Pass a stable id to make re-publishing the same fact harmless (it is delivered once per group). */
  id?: string;
}

/** The outbox column is VARCHAR(36): a UUID fits exactly. */
const MAX_ID_LENGTH = 36;

export function createEnvelope<P>(source: string, event: NewEvent<P>): EventEnvelope<P> {
  if (!event.type) throw new Error('event type is required');
  const id = event.id ?? randomUUID();
  if (id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new Error(`event id must be 1..${MAX_ID_LENGTH} characters (use a UUID)`);
  }
  return {
    id,
    type: event.type,
    clinicId: event.clinicId ?? null,
    occurredAt: new Date().toISOString(),
    source,
    // JSON drops `undefined`; null keeps the field present for consumers.
    payload: (event.payload ?? null) as P,
  };
}

/** Stream entry fields: id and type are duplicated outside the JSON so XRANGE/redis-cli are readable. */
export function toStreamFields(env: EventEnvelope): string[] {
  return ['id', env.id, 'type', env.type, 'envelope', JSON.stringify(env)];
}

/** Flat [k1, v1, k2, v2, ...] field list → record (later duplicates win, as in Redis). */
export function fieldsToRecord(fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    out[fields[i] as string] = fields[i + 1] as string;
  }
  return out;
}

/** Parses a stream entry back into an envelope; throws on anything malformed (such entries get parked). */
export function parseStreamFields(fields: readonly string[]): EventEnvelope {
  const raw = fieldsToRecord(fields).envelope;
  if (raw === undefined) throw new Error('stream entry has no "envelope" field');
  const env: unknown = JSON.parse(raw);
  if (!isEnvelope(env)) throw new Error('stream entry "envelope" is not an event envelope');
  return env;
}

export function isEnvelope(value: unknown): value is EventEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' &&
    v.id.length > 0 &&
    typeof v.type === 'string' &&
    typeof v.occurredAt === 'string' &&
    typeof v.source === 'string' &&
    'payload' in v
  );
}

/** Redis key marking an envelope id as handled by a group (the idempotency record). */
export function doneKey(group: string, eventId: string): string {
  return `events:done:${group}:${eventId}`;
}

/** Where poison messages of a stream go, with their group and last error. */
export function parkedStream(stream: string): string {
  return `${stream}:parked`;
}
