import { createConnection, type Connection } from 'mariadb';
import { parseMysqlUrl } from './url.js';

export interface OpenConnectionOptions {
  /** Connect to the URL's database (default true); false connects to the server only. */
  useDatabase?: boolean;
}

/**
 * Opens one connection (mariadb driver) for a URL. BIGINT values come back as numbers (an unsafe
 * one throws), DECIMAL as strings, DATETIME as Date read in UTC. The caller must `end()` it.
 */
export async function openConnection(url: string, options: OpenConnectionOptions = {}): Promise<Connection> {
  const { host, port, user, password, database } = parseMysqlUrl(url);
  return createConnection({
    host,
    port,
    user,
    password,
    database: options.useDatabase === false ? undefined : database,
    bigIntAsNumber: true,
    insertIdAsNumber: true,
    checkNumberRange: true,
    timezone: 'Z',
    connectTimeout: 10_000,
  });
}

/** Quotes a MySQL identifier with backticks. */
export function quoteIdentifier(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/**
 * Runs one query on a short-lived connection and returns its rows as plain objects
 * (e.g. `await mysqlQuery<{ n: number }>(url, 'SELECT COUNT(*) AS n FROM users')`).
 * For a statement that returns no rows the result is `[]`; use `mysqlExecute` to read affected rows.
 */
export async function mysqlQuery<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const conn = await openConnection(url);
  try {
    const result: unknown = await conn.query(sql, params);
    if (!Array.isArray(result)) return [];
    return result.map((row) => ({ ...(row as object) }) as T);
  } finally {
    await conn.end();
  }
}

export interface ExecuteResult {
  affectedRows: number;
  insertId: number;
  warningStatus: number;
}

/** Runs one statement that returns no rows (INSERT/UPDATE/DELETE/DDL) and reports affected rows. */
export async function mysqlExecute(url: string, sql: string, params: unknown[] = []): Promise<ExecuteResult> {
  const conn = await openConnection(url);
  try {
    const result = (await conn.query(sql, params)) as Partial<ExecuteResult> | unknown[];
    if (Array.isArray(result)) return { affectedRows: 0, insertId: 0, warningStatus: 0 };
    return {
      affectedRows: Number(result.affectedRows ?? 0),
      insertId: Number(result.insertId ?? 0),
      warningStatus: Number(result.warningStatus ?? 0),
    };
  } finally {
    await conn.end();
  }
}
