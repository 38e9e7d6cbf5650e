import { badInput } from '@clinicult/kit';

/**
 * Opaque keyset cursors for the audit log, in its order (occurredAt, id) newest first: base64url of
 * `[occurredAt ISO, id]`. A cursor points between rows, so new events never shift a page.
 */
export interface AuditCursor {
  occurredAt: Date;
  id: string;
}

export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.occurredAt.toISOString(), cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(value: string): AuditCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const occurredAt = new Date(parsed[0]);
      if (!Number.isNaN(occurredAt.getTime())) return { occurredAt, id: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw badInput('after: not a cursor of this list; pass pageInfo.endCursor from the previous page.', { field: 'after' });
}
