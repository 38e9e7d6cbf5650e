import { badInput, decodeKeyset, encodeKeyset } from '@clinicult/kit';

/** Keyset cursors for the clinic list, in its stable order (name, id). */
export interface ClinicCursor {
  name: string;
  id: string;
}

export function encodeCursor(cursor: ClinicCursor): string {
  return encodeKeyset([cursor.name, cursor.id]);
}

export function decodeCursor(value: string): ClinicCursor {
  const parts = decodeKeyset(value, ['string', 'string']);
  if (!parts) throw badInput('after: not a cursor of this list; pass pageInfo.endCursor from the previous page.', ['after']);
  return { name: parts[0] as string, id: parts[1] as string };
}
