/**
 * Keyset pagination, written once: an opaque cursor is the base64url JSON of a row's position in
 * its list's order (e.g. `[lastName, firstName, id]`), so it points between rows and new rows never
 * shift a page. Each list decodes with the shape of its key and words its own error.
 */
export type KeysetPart = string | Date;
export type KeysetShape = ReadonlyArray<'string' | 'date'>;

export function encodeKeyset(parts: ReadonlyArray<KeysetPart>): string {
  return Buffer.from(JSON.stringify(parts.map((p) => (p instanceof Date ? p.toISOString() : p))), 'utf8').toString('base64url');
}

/** The key's parts (dates as Date), or null when `cursor` is not a cursor of this shape. */
export function decodeKeyset(cursor: string, shape: KeysetShape): KeysetPart[] | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== shape.length || !value.every((v) => typeof v === 'string')) return null;
    const parts: KeysetPart[] = [];
    for (const [i, kind] of shape.entries()) {
      const raw = value[i] as string;
      if (kind === 'string') parts.push(raw);
      else {
        const date = new Date(raw);
        if (Number.isNaN(date.getTime())) return null;
        parts.push(date);
      }
    }
    return parts;
  } catch {
    return null;
  }
}

/** Escapes LIKE's wildcards, so a search for "50%" finds "50%" (Prisma's `contains` does not). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
