/**
 * Prisma's default constraint names (psl ConstraintNames), for MySQL whose identifier limit is 64
 * bytes: `<table>_<columns joined by _>_key` (unique), `_idx` (index and fulltext), `_fkey`
 * (foreign key), always with the database names of the table and columns.
 */
export const MYSQL_MAX_IDENTIFIER_LENGTH = 64;

function truncateBytes(s: string, maxBytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let end = maxBytes;
  // back up to a UTF-8 character boundary (continuation bytes are 10xxxxxx)
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

function withSuffix(table: string, columns: string[], suffix: string): string {
  const joined = `${table}_${columns.join('_')}`;
  return truncateBytes(joined, MYSQL_MAX_IDENTIFIER_LENGTH - suffix.length) + suffix;
}

export function uniqueIndexName(table: string, columns: string[]): string {
  return withSuffix(table, columns, '_key');
}

export function nonUniqueIndexName(table: string, columns: string[]): string {
  return withSuffix(table, columns, '_idx');
}

export function foreignKeyName(table: string, columns: string[]): string {
  return withSuffix(table, columns, '_fkey');
}
