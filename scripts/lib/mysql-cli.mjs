// The MariaDB/MySQL command-line clients for the operator scripts (backup, restore): which binary to
// run, where the seven databases are, and how the credentials reach the client without appearing
// on its command line (a temporary --defaults-extra-file, mode 0600, removed afterwards).
// Node built-ins only: these scripts run on an operator's machine, maybe without node_modules.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { databaseUrlFor } from './infra.mjs';
import { DATABASE_SERVICES } from './services.mjs';

/** The services that own a database (scripts/lib/services.mjs), in start order. */
export { DATABASE_SERVICES };

/** Prisma's migrations table, as packages/db's runner keeps it. */
export const MIGRATIONS_TABLE = '_prisma_migrations';

/** A refusal with a message meant for the operator (no stack trace). */
export class OperatorError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.name = 'OperatorError';
    this.exitCode = exitCode;
  }
}

/** Parses `mysql://user:password@host:port/database` (also `mariadb://`), as packages/db does. */
export function parseMysqlUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new OperatorError(`Invalid database URL: ${redactUrl(url)}`);
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new OperatorError(`Unsupported database URL scheme "${parsed.protocol}" in ${redactUrl(url)} (expected mysql:// or mariadb://)`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return {
    host: (parsed.hostname || '127.0.0.1').replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    database: database === '' ? undefined : database,
  };
}

/** The URL with its password replaced by `***`. */
export function redactUrl(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return String(url).replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

const serverKey = (c) => `${c.host}:${c.port}`;

/**
 * The seven databases (from DATABASE_URL_<SERVICE> or the defaults) and the one connection that
 * reads or writes them all. Refuses (OperatorError) when they are not on one server, or when the
 * URLs use different users and BACKUP_DATABASE_URL does not name one that reaches all seven.
 */
export function resolveTargets(env = process.env) {
  const databases = DATABASE_SERVICES.map((service) => {
    const url = databaseUrlFor(service, env);
    const conn = parseMysqlUrl(url);
    if (!conn.database) throw new OperatorError(`The database URL of ${service} names no database: ${redactUrl(url)}`);
    return { service, name: conn.database, url, conn };
  });

  const names = new Map();
  for (const db of databases) {
    if (names.has(db.name)) {
      throw new OperatorError(`${names.get(db.name)} and ${db.service} both use the database ${db.name}: each service owns its own database.`);
    }
    names.set(db.name, db.service);
  }

  const servers = new Map();
  for (const db of databases) {
    const key = serverKey(db.conn);
    servers.set(key, [...(servers.get(key) ?? []), db.service]);
  }
  if (servers.size > 1) {
    const where = [...servers].map(([key, services]) => `    ${key}: ${services.join(', ')}`).join('\n');
    throw new OperatorError(
      `The seven databases are not on one server:\n${where}\n` +
        'One consistent snapshot (mariadb-dump --single-transaction) covers one server only, so this command refuses.\n' +
        'Instead, back up each server on its own (mariadb-dump --single-transaction --routines --triggers --events --hex-blob\n' +
        '--databases <its databases>), knowing the snapshots are taken at different moments; for one point in time across\n' +
        'servers, stop the services while the dumps run, or use each server\'s point-in-time recovery (binary logs).\n' +
        'If these URLs name the same server under different names, make them spell it the same way.',
    );
  }

  let server;
  const override = env.BACKUP_DATABASE_URL?.trim();
  if (override) {
    const conn = parseMysqlUrl(override);
    server = { host: conn.host, port: conn.port, user: conn.user, password: conn.password, from: 'BACKUP_DATABASE_URL' };
  } else {
    const credentials = new Set(databases.map((db) => JSON.stringify([db.conn.user, db.conn.password])));
    if (credentials.size > 1) {
      const users = [...new Set(databases.map((db) => db.conn.user))].join(', ');
      throw new OperatorError(
        `The database URLs use different users (${users}); each such user usually reaches only its own database,\n` +
          'and one snapshot needs one connection that reads all seven. Set\n' +
          '    BACKUP_DATABASE_URL=mysql://<user>:<password>@<host>:<port>/\n' +
          'for a user with rights on all seven databases (backup: SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT;\n' +
          'restore: ALL PRIVILEGES on them, plus SET USER/SUPER when the triggers\' definer is another user), e.g. root.',
      );
    }
    const { host, port, user, password } = databases[0].conn;
    server = { host, port, user, password, from: 'DATABASE_URL_<SERVICE>' };
  }
  return { databases, server };
}

/** `user@host:port`, never the password. */
export function describeServer(server) {
  return `${server.user}@${server.host}:${server.port}`;
}

function onPath(name, env) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {}
  }
  return undefined;
}

const BINARIES = {
  dump: ['mariadb-dump', 'mysqldump'],
  client: ['mariadb', 'mysql'],
};

/**
 * The dump tool (`kind: 'dump'`: mariadb-dump, else mysqldump) or the client (`'client'`:
 * mariadb, else mysql) on PATH: { name, path, flavour: 'mariadb' | 'mysql', version }.
 */
export function findBinary(kind, env = process.env) {
  for (const name of BINARIES[kind]) {
    const file = onPath(name, env);
    if (!file) continue;
    const probe = spawnSync(file, ['--version'], { encoding: 'utf8', env });
    const version = (probe.stdout ?? '').trim();
    return { name, path: file, version, flavour: /mariadb/i.test(version) ? 'mariadb' : 'mysql' };
  }
  throw new OperatorError(
    `Neither ${BINARIES[kind].join(' nor ')} is on PATH. Install the MariaDB (or MySQL) client tools, e.g.\n` +
      '    sudo apt-get install mariadb-client      # Debian/Ubuntu\n' +
      '    brew install mariadb                     # macOS',
  );
}

/** A value for an option file: double-quoted, with the escapes both MariaDB and MySQL read. */
export function optionFileValue(value) {
  const escaped = String(value)
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

const liveDefaultsDirs = new Set();
process.once('exit', () => {
  for (const dir of liveDefaultsDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Writes the server's host, port, user and password to a temporary option file (mode 0600 in a
 * directory of mode 0700), runs `fn(file)` and removes it, also when `fn` throws or the process
 * exits. Pass it to a client as its first argument: `--defaults-extra-file=<file>`.
 */
export async function withDefaultsFile(server, fn) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clinicult-mysql-'));
  liveDefaultsDirs.add(dir);
  try {
    const file = path.join(dir, 'client.cnf');
    const lines = [
      '[client]',
      `host=${optionFileValue(server.host)}`,
      `port=${Number(server.port)}`,
      `user=${optionFileValue(server.user)}`,
      ...(server.password ? [`password=${optionFileValue(server.password)}`] : []),
      'protocol=TCP',
      '',
    ];
    writeFileSync(file, lines.join('\n'), { mode: 0o600, flag: 'wx' });
    return await fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    liveDefaultsDirs.delete(dir);
  }
}

/** Quotes a MySQL identifier with backticks. */
export function quoteIdentifier(name) {
  return '`' + String(name).replace(/`/g, '``') + '`';
}

/** Quotes a MySQL string literal. */
export function quoteString(value) {
  return "'" + String(value).replace(/\\/g, '\\\\').replace(/'/g, "''") + "'";
}

function unescapeBatch(field) {
  if (field === 'NULL') return null;
  return field.replace(/\\(.)/g, (_, c) => ({ n: '\n', t: '\t', '0': '\0', '\\': '\\', r: '\r' })[c] ?? c);
}

/**
 * Runs SQL (on stdin) with the client and returns the rows of its result sets as arrays of strings
 * (`null` for NULL). Throws an OperatorError with the client's message when it fails.
 */
export function runQuery(client, defaultsFile, sql, env = process.env) {
  const result = spawnSync(
    client.path,
    [`--defaults-extra-file=${defaultsFile}`, '--batch', '--skip-column-names', '--default-character-set=utf8mb4'],
    { input: sql, encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 },
  );
  if (result.error) throw new OperatorError(`${client.name}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new OperatorError(`${client.name} failed (exit ${result.status}): ${(result.stderr ?? '').trim()}`);
  }
  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t').map(unescapeBatch));
}

/**
 * What the server holds of the given databases: which exist, their base tables (name, engine,
 * approximate rows), triggers, routines, events, and the applied migrations of each.
 */
/** The server's version (SELECT VERSION()), or an OperatorError saying the server cannot be reached. */
export function serverVersion(client, defaultsFile, server, env = process.env) {
  try {
    return runQuery(client, defaultsFile, 'SELECT VERSION()', env)[0][0];
  } catch (error) {
    throw new OperatorError(`Cannot reach the database server ${describeServer(server)}: ${error.message}`);
  }
}

export function describeDatabases(client, defaultsFile, names, env = process.env) {
  const list = names.map(quoteString).join(', ');
  const existing = new Set(
    runQuery(client, defaultsFile, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${list})`, env).map((r) => r[0]),
  );
  const byName = new Map(
    names.map((name) => [name, { name, exists: existing.has(name), tables: [], triggers: [], routines: [], events: [], migrations: null }]),
  );
  const rows = runQuery(
    client,
    defaultsFile,
    `SELECT 'table', TABLE_SCHEMA, TABLE_NAME, IFNULL(ENGINE, ''), IFNULL(TABLE_ROWS, 0) FROM information_schema.TABLES
       WHERE TABLE_SCHEMA IN (${list}) AND TABLE_TYPE = 'BASE TABLE'
     UNION ALL SELECT 'trigger', TRIGGER_SCHEMA, TRIGGER_NAME, EVENT_OBJECT_TABLE, '' FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN (${list})
     UNION ALL SELECT 'routine', ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE, '' FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN (${list})
     UNION ALL SELECT 'event', EVENT_SCHEMA, EVENT_NAME, '', '' FROM information_schema.EVENTS WHERE EVENT_SCHEMA IN (${list})`,
    env,
  );
  for (const [kind, schema, name, extra, approxRows] of rows) {
    const db = byName.get(schema);
    if (!db) continue;
    if (kind === 'table') db.tables.push({ name, engine: extra, approxRows: Number(approxRows) });
    else if (kind === 'trigger') db.triggers.push(`${extra}.${name}`);
    else if (kind === 'routine') db.routines.push(`${extra} ${name}`);
    else db.events.push(name);
  }
  const withMigrations = [...byName.values()].filter((db) => db.tables.some((t) => t.name === MIGRATIONS_TABLE));
  if (withMigrations.length > 0) {
    const sql = withMigrations
      .map(
        (db) =>
          `SELECT ${quoteString(db.name)}, migration_name FROM ${quoteIdentifier(db.name)}.${quoteIdentifier(MIGRATIONS_TABLE)}` +
          ' WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      )
      .join('\nUNION ALL ');
    for (const db of withMigrations) db.migrations = [];
    for (const [schema, migration] of runQuery(client, defaultsFile, `${sql}\nORDER BY 2`, env)) byName.get(schema).migrations.push(migration);
  }
  for (const db of byName.values()) {
    db.tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    db.triggers.sort();
    db.routines.sort();
    db.events.sort();
  }
  return names.map((name) => byName.get(name));
}

/** Exact row counts (COUNT(*)) of every base table of the given databases: Map<db, Map<table, n>>. */
export function countRows(client, defaultsFile, databases, env = process.env) {
  const counts = new Map(databases.map((db) => [db.name, new Map()]));
  const selects = databases.flatMap((db) =>
    db.tables.map(
      (t) => `SELECT ${quoteString(db.name)}, ${quoteString(t.name)}, COUNT(*) FROM ${quoteIdentifier(db.name)}.${quoteIdentifier(t.name)}`,
    ),
  );
  if (selects.length === 0) return counts;
  for (const [schema, table, n] of runQuery(client, defaultsFile, selects.join('\nUNION ALL '), env)) {
    counts.get(schema).set(table, Number(n));
  }
  return counts;
}

/** `1.2 MB`-style sizes. */
export function formatBytes(bytes) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** The manifest written beside a backup: `<backup>.json`. */
export function manifestPathFor(file) {
  return `${file}.json`;
}

export const MANIFEST_FORMAT = 'clinicult-backup/1';

/** Ends the process on Ctrl-C/SIGTERM through process.exit, so the 'exit' cleanups run. */
export function exitOnSignals(onSignal = () => {}) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      onSignal(signal);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Runs a script's main(), printing OperatorErrors without a stack trace. */
export function runMain(main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error) => {
      if (error instanceof OperatorError) {
        console.error(error.message);
        process.exitCode = error.exitCode;
      } else {
        console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
        process.exitCode = 1;
      }
    },
  );
}
