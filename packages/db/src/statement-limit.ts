/**
 * A time limit on every statement of a connection pool, for the queries whose cost a user's input
 * decides (text searches): past the limit the server interrupts the statement and the caller says
 * so, instead of a scan running for half a minute while its client has long given up.
 *
 * MariaDB bounds any statement with `max_statement_time` (seconds); MySQL bounds read-only SELECTs
 * with `max_execution_time` (ms). The driver sets either on each new connection from the URL's
 * `sessionVariables`, so the limit costs nothing per query.
 */

export type DatabaseFlavor = 'mariadb' | 'mysql';

/** The server's kind, from `SELECT VERSION()` ("10.11.19-MariaDB-0+deb12u1", "8.4.3"). */
export function flavorOf(version: string): DatabaseFlavor {
  return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
}

/** Asks the server what it is (any Prisma client of it). */
export async function databaseFlavor(db: { $queryRawUnsafe(sql: string): PromiseLike<unknown> }): Promise<DatabaseFlavor> {
  const rows = (await db.$queryRawUnsafe('SELECT VERSION() AS v')) as Array<{ v: string }>;
  return flavorOf(String(rows[0]?.v ?? ''));
}

/**
 * `url` with a session variable that interrupts any statement running longer than `limitMs`, for a
 * small pool of its own (at most `connections`, one kept open; the service's main pool holds ten):
 * searches are a share of the traffic, and each is over within the limit.
 */
export function withStatementTimeLimit(url: string, limitMs: number, flavor: DatabaseFlavor, connections = 4): string {
  if (!Number.isFinite(limitMs) || limitMs <= 0) throw new Error(`a statement time limit must be positive (got ${limitMs})`);
  const parsed = new URL(url);
  const variables = flavor === 'mariadb' ? { max_statement_time: limitMs / 1000 } : { max_execution_time: Math.ceil(limitMs) };
  parsed.searchParams.set('sessionVariables', JSON.stringify(variables));
  if (!parsed.searchParams.has('connectionLimit')) parsed.searchParams.set('connectionLimit', String(connections));
  if (!parsed.searchParams.has('minimumIdle')) parsed.searchParams.set('minimumIdle', '1');
  return parsed.toString();
}

/**
 * MariaDB ER_STATEMENT_TIMEOUT (1969), MySQL ER_QUERY_TIMEOUT (3024), and InnoDB's
 * HA_ERR_ABORTED_BY_USER (188), which MariaDB reports instead when the limit interrupts a FULLTEXT
 * search (the adapter passes it on as "Unknown error 188").
 */
const TIMEOUT_CODES = new Set(['1969', '3024', '188']);

/** Whether an error (from Prisma, its adapter or the driver) is a statement stopped by that limit. */
export function isStatementTimeout(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const fields = e as { code?: unknown; errno?: unknown; originalCode?: unknown; meta?: { code?: unknown; driverAdapterError?: unknown }; message?: unknown };
    for (const code of [fields.originalCode, fields.errno, fields.code, fields.meta?.code]) {
      if (code !== undefined && TIMEOUT_CODES.has(String(code))) return true;
    }
    if (typeof fields.message === 'string' && /max_statement_time exceeded|maximum statement execution time exceeded/i.test(fields.message)) return true;
    if (fields.meta?.driverAdapterError && isStatementTimeout(fields.meta.driverAdapterError)) return true;
  }
  return false;
}
