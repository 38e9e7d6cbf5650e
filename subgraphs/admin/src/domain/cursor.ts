import { badInput } from '@clinicult/kit';

/**
 * Opaque keyset cursors for the clinic list, in its stable order (name, id): base64url of
 * `[name, id]`. A cursor stays valid when clinics are added or renamed; it points between rows.
 */
export interface ClinicCursor {
  name: string;
  id: string;
}

export function encodeCursor(cursor: ClinicCursor): string {
  return Buffer.from(JSON.stringify([cursor.name, cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(value: string): ClinicCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { name: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw badInput('after: not a cursor of this list; pass pageInfo.endCursor from the previous page.', { field: 'after' });
}
