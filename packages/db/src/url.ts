/** Connection URLs: one MySQL/MariaDB database per service. */

export interface MysqlConnectionOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Database name from the URL path; `undefined` when the URL names none. */
  database: string | undefined;
}

/**
 * The URL of a service's database: `DATABASE_URL_<SERVICE>` (upper-case, `-` → `_`) when set,
 * else `mysql://root@127.0.0.1:3306/clinicult_<service>`.
 */
export function databaseUrlFor(service: string, env: NodeJS.ProcessEnv = process.env): string {
  const key = `DATABASE_URL_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  const fromEnv = env[key];
  if (fromEnv && fromEnv.trim() !== '') return fromEnv.trim();
  return `mysql://root@127.0.0.1:3306/clinicult_${service.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Parses `mysql://user:password@host:port/database?…` (also `mariadb://`). Query parameters are ignored. */
export function parseMysqlUrl(url: string): MysqlConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Invalid database URL: ${redactUrl(url)}`);
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new Error(`Unsupported database URL scheme "${parsed.protocol}" (expected mysql:// or mariadb://)`);
  }
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    database: path === '' ? undefined : path,
  };
}

/** The database name in a URL; throws when the URL names none. */
export function databaseNameOf(url: string): string {
  const { database } = parseMysqlUrl(url);
  if (!database) throw new Error(`Database URL names no database: ${redactUrl(url)}`);
  return database;
}

/** The same server URL pointing at another database (query string kept). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}
