// Parsers for the stream replies we use. ioredis 6 speaks RESP3 but keeps RESP2-like shapes
// ("legacy" reply mapping); these parsers check the shapes instead of trusting casts.

/** A stream entry; `fields` is null when the entry was deleted/trimmed while still pending. */
export interface StreamEntry {
  id: string;
  fields: string[] | null;
}

function asString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new TypeError(`unexpected Redis reply element: ${typeof value}`);
}

/** [[id, [k, v, ...] | null], ...] */
export function parseEntries(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((item: unknown) => {
    if (!Array.isArray(item)) throw new TypeError('unexpected stream entry shape');
    const [id, fields] = item as [unknown, unknown];
    return { id: asString(id), fields: Array.isArray(fields) ? fields.map(asString) : null };
  });
}

/** XREADGROUP: null (timeout) or [[stream, entries]] for our single stream. */
export function parseReadGroup(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const first: unknown = reply[0];
  return Array.isArray(first) ? parseEntries(first[1]) : [];
}

/** XAUTOCLAIM: [nextCursor, entries, deletedIds] (the third element exists since Redis 7). */
export function parseAutoClaim(reply: unknown): { cursor: string; entries: StreamEntry[] } {
  if (!Array.isArray(reply)) throw new TypeError('unexpected XAUTOCLAIM reply');
  return { cursor: asString(reply[0]), entries: parseEntries(reply[1]) };
}

/** Extended XPENDING for one id: [[id, consumer, idleMs, deliveryCount]] or [] if not pending. */
export function parsePendingCount(reply: unknown): number | undefined {
  if (!Array.isArray(reply)) return undefined;
  const row: unknown = reply[0];
  if (!Array.isArray(row)) return undefined;
  const count = Number(row[3]);
  return Number.isFinite(count) ? count : undefined;
}
