import { badInput } from '@clinicult/kit';

/**
 * Keyset cursors for every list of visits: the position (finishedAt, id) of a row in the order
 * `finishedAt DESC, id DESC` (newest first; the id breaks ties between equal instants).
 */
export interface VisitKey {
  finishedAt: Date;
  id: string;
}

export function encodeCursor(row: VisitKey): string {
  return Buffer.from(JSON.stringify([row.finishedAt.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): VisitKey {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const finishedAt = new Date(value[0]);
      if (!Number.isNaN(finishedAt.getTime())) return { finishedAt, id: value[1] };
    }
  } catch {
    // fall through
  }
  throw badInput(`${field}: not a cursor from this list; pass a pageInfo.endCursor or edges.cursor value you received.`, { fields: [field] });
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badInput(`first: give a number from 1 to ${MAX_PAGE_SIZE}.`, { fields: ['first'] });
  }
  return size;
}
