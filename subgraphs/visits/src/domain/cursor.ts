import { badInput, decodeKeyset, encodeKeyset } from '@clinicult/kit';

/**
 * Keyset cursors for every list of visits: the position (finishedAt, id) of a row in the order
 * `finishedAt DESC, id DESC` (newest first; the id breaks ties between equal instants).
 */
export interface VisitKey {
  finishedAt: Date;
  id: string;
}

export function encodeCursor(row: VisitKey): string {
  return encodeKeyset([row.finishedAt, row.id]);
}

export function decodeCursor(cursor: string, field = 'after'): VisitKey {
  const parts = decodeKeyset(cursor, ['date', 'string']);
  if (!parts) {
    throw badInput(`${field}: not a cursor from this list; pass a pageInfo.endCursor or edges.cursor value you received.`, [field]);
  }
  return { finishedAt: parts[0] as Date, id: parts[1] as string };
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badInput(`first: give a number from 1 to ${MAX_PAGE_SIZE}.`, ['first']);
  }
  return size;
}
