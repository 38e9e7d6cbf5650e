import { badInput, decodeKeyset, encodeKeyset } from '@clinicult/kit';

/** Keyset cursors for the audit log, in its order (occurredAt, id) newest first. */
export interface AuditCursor {
  occurredAt: Date;
  id: string;
}

export function encodeCursor(cursor: AuditCursor): string {
  return encodeKeyset([cursor.occurredAt, cursor.id]);
}

export function decodeCursor(value: string): AuditCursor {
  const parts = decodeKeyset(value, ['date', 'string']);
  if (!parts) throw badInput('after: not a cursor of this list; pass pageInfo.endCursor from the previous page.', ['after']);
  return { occurredAt: parts[0] as Date, id: parts[1] as string };
}
