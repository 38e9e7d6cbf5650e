#!/usr/bin/env node
// Backs up the seven service databases in ONE consistent snapshot (docs/operations.md, Backups):
//
//   npm run db:backup                              # → var/backups/clinicult-<UTC time>.sql.gz (+ .json)
//   npm run db:backup -- --out /backups/today.sql.gz
//
// mariadb-dump (or mysqldump) --single-transaction --databases <all seven>: one transaction, so
// the databases agree with each other as of one moment. Output is gzip; beside it `<file>.json`
// records the databases, server version, time, applied migrations and the file's sha256, which
// `npm run db:restore` checks before it drops anything. Credentials go through a temporary
// option file (mode 0600), never the command line. Node built-ins only.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import {
  MANIFEST_FORMAT,
  OperatorError,
  describeDatabases,
  describeServer,
  serverVersion,
  exitOnSignals,
  findBinary,
  formatBytes,
  manifestPathFor,
  resolveTargets,
  runMain,
  withDefaultsFile,
} from './lib/mysql-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `usage: npm run db:backup -- [--out <file.sql.gz>]

Dumps clinicult's seven databases (DATABASE_URL_<SERVICE>, default mysql://root@127.0.0.1:3306/clinicult_<service>)
in one consistent snapshot to a gzip file, default var/backups/clinicult-<UTC time>.sql.gz, with <file>.json beside it.
  --out FILE   where to write (refuses to overwrite)
Env: BACKUP_DATABASE_URL=mysql://user:password@host:port/  one user for all seven when the URLs use per-service users.`;

/** `20270101T120000Z` */
function utcStamp(date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** The dump tool's options (credentials come from the defaults file, its first argument). */
export function dumpArguments(dump, serverVersion, databases) {
  const args = [
    '--single-transaction',
    '--routines',
    '--triggers',
    '--events',
    '--hex-blob',
    '--default-character-set=utf8mb4',
    '--no-tablespaces',
    '--add-drop-database',
    '--max-allowed-packet=1G',
  ];
  if (dump.flavour === 'mysql') {
    // MySQL's mysqldump: no GTID_PURGED statement (it fails on a server with its own GTIDs), and
    // no column statistics query against a MariaDB server (which has no such table).
    args.push('--set-gtid-purged=OFF');
    if (/mariadb/i.test(serverVersion)) args.push('--column-statistics=0');
  }
  return [...args, '--databases', ...databases];
}

function sha256Tap(hash, counter) {
  return new Transform({
    transform(chunk, _encoding, callback) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      callback(null, chunk);
    },
  });
}

export async function main(argv, env = process.env) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    throw new OperatorError(`${error.message}\n\n${USAGE}`, 2);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }

  const { databases, server } = resolveTargets(env);
  const names = databases.map((db) => db.name);
  const dump = findBinary('dump', env);
  const client = findBinary('client', env);

  const startedAt = new Date();
  // npm run changes into the repository root; INIT_CWD is where the operator typed the command
  const cwd = env.INIT_CWD || process.cwd();
  const out = values.out ? path.resolve(cwd, values.out) : path.join(root, 'var', 'backups', `clinicult-${utcStamp(startedAt)}.sql.gz`);
  const manifestPath = manifestPathFor(out);
  if (existsSync(out) || existsSync(manifestPath)) {
    throw new OperatorError(`${out} (or its manifest ${path.basename(manifestPath)}) already exists; choose another --out.`);
  }
  mkdirSync(path.dirname(out), { recursive: true, mode: 0o700 });
  const partial = `${out}.partial`;
  exitOnSignals(() => rmSync(partial, { force: true }));

  return withDefaultsFile(server, async (defaultsFile) => {
    const version = serverVersion(client, defaultsFile, server, env);
    const described = describeDatabases(client, defaultsFile, names, env);
    const missing = described.filter((db) => !db.exists).map((db) => db.name);
    if (missing.length) {
      throw new OperatorError(
        `Not on ${describeServer(server)}: ${missing.join(', ')}. Migrate first (npm run db:migrate) or check DATABASE_URL_<SERVICE>.`,
      );
    }
    const notInnodb = described.flatMap((db) => db.tables.filter((t) => t.engine.toLowerCase() !== 'innodb').map((t) => `${db.name}.${t.name} (${t.engine})`));
    if (notInnodb.length) {
      console.warn(`warning: --single-transaction is consistent for InnoDB tables only; these are not: ${notInnodb.join(', ')}`);
    }

    console.log(`Backing up ${names.length} databases from ${describeServer(server)} (${version}) with ${dump.name}: ${names.join(', ')}`);
    const args = dumpArguments(dump, version, names);
    const header =
      `-- Clinicult backup (scripts/backup.mjs, ${MANIFEST_FORMAT})\n` +
      `-- created ${startedAt.toISOString()} from ${server.host}:${server.port} (${version}) with ${dump.name}\n` +
      `-- databases: ${names.join(' ')}\n` +
      `-- one snapshot: ${dump.name} ${args.join(' ')}\n` +
      '-- restore: npm run db:restore -- <this file> --yes   (checks <this file>.json, drops the databases first)\n';

    const child = spawn(dump.path, [`--defaults-extra-file=${defaultsFile}`, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr = [];
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    const exited = new Promise((resolve) => {
      child.once('error', (error) => resolve({ code: 127, error }));
      child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0) }));
    });
    async function* source() {
      yield Buffer.from(header, 'utf8');
      for await (const chunk of child.stdout) yield chunk;
    }
    const hash = createHash('sha256');
    const counter = { bytes: 0 };
    let result;
    try {
      await pipeline(source, createGzip({ level: 6 }), sha256Tap(hash, counter), createWriteStream(partial, { mode: 0o600, flags: 'wx' }));
      result = await exited;
    } catch (error) {
      child.kill('SIGTERM');
      rmSync(partial, { force: true });
      throw new OperatorError(`Writing ${partial} failed: ${error.message}`);
    }
    const dumpErrors = Buffer.concat(stderr).toString('utf8').trim();
    if (result.code !== 0) {
      rmSync(partial, { force: true });
      throw new OperatorError(`${dump.name} failed (exit ${result.code}${result.error ? `, ${result.error.message}` : ''}); nothing was written.\n${dumpErrors}`);
    }
    if (dumpErrors) console.warn(dumpErrors);

    renameSync(partial, out);
    const sha256 = hash.digest('hex');
    const finishedAt = new Date();
    const manifest = {
      format: MANIFEST_FORMAT,
      file: path.basename(out),
      bytes: counter.bytes,
      sha256,
      createdAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      server: { host: server.host, port: server.port, user: server.user, version },
      tool: { name: dump.name, version: dump.version, arguments: args },
      consistency: 'one --single-transaction snapshot of all databases (consistent for InnoDB tables)',
      databases: described.map((db, i) => ({
        service: databases[i].service,
        name: db.name,
        migrations: db.migrations ?? [],
        tables: db.tables.map((t) => t.name),
        triggers: db.triggers,
        routines: db.routines,
        events: db.events,
      })),
    };
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600, flag: 'wx' });

    const size = statSync(out).size;
    console.log(`Backup written: ${out}`);
    console.log(`  size    ${formatBytes(size)} (${size} bytes, gzip)`);
    console.log(`  sha256  ${sha256}`);
    console.log(`  manifest ${manifestPath}`);
    for (const db of manifest.databases) {
      const last = db.migrations.at(-1);
      console.log(`  ${db.name}: ${db.tables.length} tables, ${db.migrations.length} migration${db.migrations.length === 1 ? '' : 's'}${last ? ` (last ${last})` : ''}`);
    }
    console.log(`  took ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(1)} s. It holds medical data: encrypt it before it leaves this machine.`);
    return 0;
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runMain(main);
