#!/usr/bin/env node
// Restores a backup of scripts/backup.mjs (docs/operations.md, Backups):
//
//   npm run db:restore -- var/backups/clinicult-20270101T120000Z.sql.gz          # checks it, shows what it would drop
//   npm run db:restore -- var/backups/clinicult-20270101T120000Z.sql.gz --yes    # drops the seven databases, loads the dump
//
// Before anything is dropped the file must match its manifest (<file>.json: size, sha256) and be a
// complete gzip stream ending with the dump's "Dump completed" line. The seven databases are then
// DROPped (not emptied: audit's append-only triggers refuse DELETE) and the dump is piped into the
// mariadb/mysql client, which recreates them with their tables, data and triggers. Stop the services
// first. Credentials go through a temporary option file (mode 0600). Node built-ins only.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import {
  MANIFEST_FORMAT,
  OperatorError,
  countRows,
  describeDatabases,
  describeServer,
  serverVersion,
  exitOnSignals,
  findBinary,
  formatBytes,
  manifestPathFor,
  quoteIdentifier,
  quoteString,
  resolveTargets,
  runMain,
  runQuery,
  withDefaultsFile,
} from './lib/mysql-cli.mjs';

const USAGE = `usage: npm run db:restore -- <backup.sql.gz> [--yes] [--manifest <file.json>]

Replaces clinicult's seven databases with a backup of npm run db:backup. Without --yes it only checks the
file and prints what it would drop. The databases and server come from DATABASE_URL_<SERVICE> (or
BACKUP_DATABASE_URL for the connection); their names must be the ones in the backup.
  --yes              really drop and restore
  --manifest FILE    the backup's manifest (default <backup>.json)`;

const sameList = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

function readManifest(file) {
  if (!existsSync(file)) {
    throw new OperatorError(`Refused: no manifest ${file} (written by npm run db:backup beside the dump), so the dump cannot be checked. Nothing was dropped.\nPass --manifest <file> if it is elsewhere.`);
  }
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new OperatorError(`Refused: ${file} is not valid JSON (${error.message}). Nothing was dropped.`);
  }
  if (manifest?.format !== MANIFEST_FORMAT || !Array.isArray(manifest.databases) || typeof manifest.sha256 !== 'string') {
    throw new OperatorError(`Refused: ${file} is not a ${MANIFEST_FORMAT} manifest. Nothing was dropped.`);
  }
  return manifest;
}

async function sha256Of(file) {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * The file's size and sha256 must match the manifest; then it must gunzip completely, start with
 * the backup's header naming the manifest's databases and end with the dump's "-- Dump completed".
 */
async function verifyBackup(file, manifest) {
  const refuse = (problems) =>
    new OperatorError(`Refused: ${file} does not match its manifest:\n  - ${problems.join('\n  - ')}\nThe file is corrupt, truncated or not this backup. Nothing was dropped.`);
  const { sha256, bytes } = await sha256Of(file);
  const problems = [];
  if (bytes !== manifest.bytes) problems.push(`it has ${bytes} bytes, the manifest says ${manifest.bytes} (truncated or replaced?)`);
  if (sha256 !== manifest.sha256) problems.push(`its sha256 (checksum) is ${sha256}, the manifest says ${manifest.sha256}`);
  if (problems.length) throw refuse(problems);

  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  try {
    await pipeline(
      createReadStream(file),
      createGunzip(),
      new Writable({
        write(chunk, _encoding, callback) {
          if (head.length < 4096) head = Buffer.concat([head, chunk.subarray(0, 4096 - head.length)]);
          tail = Buffer.concat([tail, chunk]).subarray(-512);
          callback();
        },
      }),
    );
  } catch (error) {
    throw refuse([`it is not a complete gzip stream (${error.message})`]);
  }
  const names = manifest.databases.map((db) => db.name);
  const header = head.toString('utf8').match(/^-- databases: (.*)$/m)?.[1]?.trim().split(/\s+/) ?? [];
  if (!sameList(header, names)) problems.push(`its header names the databases ${header.join(', ') || '(none)'}, the manifest ${names.join(', ')}`);
  if (!/-- Dump completed/.test(tail.toString('utf8'))) problems.push('it does not end with the dump tool\'s "-- Dump completed" line (an incomplete dump)');
  if (problems.length) throw refuse(problems);
  return { sha256, bytes };
}

function totalRows(counts) {
  let n = 0;
  for (const value of counts.values()) n += value;
  return n;
}

export async function main(argv, env = process.env) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { yes: { type: 'boolean' }, manifest: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new OperatorError(`${error.message}\n\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new OperatorError(USAGE, 2);
  let dropped = false;
  exitOnSignals(() => {
    if (dropped) console.error('Interrupted: the databases may be partly restored; run the restore again (the backup file is unchanged).');
  });
  const cwd = env.INIT_CWD || process.cwd(); // npm run changes into the repository root
  const file = path.resolve(cwd, positionals[0]);
  if (!existsSync(file)) throw new OperatorError(`No such file: ${file}`);
  const manifestPath = values.manifest ? path.resolve(cwd, values.manifest) : manifestPathFor(file);
  const manifest = readManifest(manifestPath);

  const { databases, server } = resolveTargets(env);
  const byService = new Map(manifest.databases.map((db) => [db.service, db]));
  const mismatched = databases.filter((db) => byService.get(db.service)?.name !== db.name);
  if (mismatched.length || manifest.databases.length !== databases.length) {
    const lines = databases.map((db) => `    ${db.service}: here ${db.name}, in the backup ${byService.get(db.service)?.name ?? '(none)'}`);
    throw new OperatorError(
      `Refused: the backup's databases are not the ones configured here:\n${lines.join('\n')}\n` +
        'The dump recreates the databases under its own names; set DATABASE_URL_<SERVICE> so the names match. Nothing was dropped.',
    );
  }
  const names = databases.map((db) => db.name);
  const client = findBinary('client', env);

  console.log(`Checking ${file} against ${path.basename(manifestPath)} …`);
  const verified = await verifyBackup(file, manifest);
  console.log(
    `  ok: ${formatBytes(verified.bytes)}, sha256 ${verified.sha256}\n` +
      `  backup of ${manifest.createdAt} from ${manifest.server?.host}:${manifest.server?.port} (${manifest.server?.version}) by ${manifest.tool?.name}`,
  );

  return withDefaultsFile(server, async (defaultsFile) => {
    const version = serverVersion(client, defaultsFile, server, env);
    const current = describeDatabases(client, defaultsFile, names, env);
    console.log(`${values.yes ? 'Dropping and restoring' : 'Would drop and restore'} on ${describeServer(server)} (${version}):`);
    for (const db of current) {
      const from = byService.get(databases.find((d) => d.name === db.name).service);
      const now = db.exists
        ? `exists: ${db.tables.length} tables, about ${db.tables.reduce((n, t) => n + t.approxRows, 0)} rows, ${db.migrations?.length ?? 0} migration(s)`
        : 'does not exist';
      console.log(`  DROP DATABASE ${db.name} (${now}) → backup: ${from.tables.length} tables, ${from.migrations.length} migration(s)`);
    }
    const sessions = runQuery(
      client,
      defaultsFile,
      `SELECT COUNT(*), IFNULL(GROUP_CONCAT(DISTINCT CONCAT(USER, ' on ', DB) SEPARATOR ', '), '') FROM information_schema.PROCESSLIST
         WHERE DB IN (${names.map(quoteString).join(', ')}) AND ID <> CONNECTION_ID()`,
      env,
    )[0];
    if (Number(sessions[0]) > 0) {
      console.warn(`warning: ${sessions[0]} other session(s) use these databases (${sessions[1]}): stop the services before restoring, or their writes mix with the restore.`);
    }
    if (!values.yes) {
      console.error('Refused: a restore DROPS these databases and replaces all their data with the backup. Run again with --yes to do it.');
      return 1;
    }

    dropped = true;
    runQuery(client, defaultsFile, names.map((name) => `DROP DATABASE IF EXISTS ${quoteIdentifier(name)};`).join('\n'), env);
    console.log(`  dropped ${names.length} databases; loading the dump with ${client.name} …`);

    const started = Date.now();
    const child = spawn(
      client.path,
      [`--defaults-extra-file=${defaultsFile}`, '--default-character-set=utf8mb4', '--max-allowed-packet=1G'],
      { env, stdio: ['pipe', 'inherit', 'pipe'] },
    );
    const stderr = [];
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    const exited = new Promise((resolve) => {
      child.once('error', (error) => resolve({ code: 127, error }));
      child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0) }));
    });
    let pipeError;
    try {
      await pipeline(createReadStream(file), createGunzip(), child.stdin);
    } catch (error) {
      pipeError = error;
    }
    const result = await exited;
    const clientErrors = Buffer.concat(stderr).toString('utf8').trim();
    if (result.code !== 0 || pipeError) {
      throw new OperatorError(
        `Restore FAILED: ${client.name} exit ${result.code}${pipeError ? ` (${pipeError.message})` : ''}.\n${clientErrors}\n` +
          'The databases are dropped or partly restored; fix the cause and run the restore again (the backup file is unchanged).',
      );
    }
    if (clientErrors) console.warn(clientErrors);

    const restored = describeDatabases(client, defaultsFile, names, env);
    const counts = countRows(client, defaultsFile, restored, env);
    const problems = [];
    console.log(`Restored in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
    for (const db of restored) {
      const expected = manifest.databases.find((m) => m.name === db.name);
      const tables = db.tables.map((t) => t.name);
      if (!db.exists) problems.push(`${db.name} is missing`);
      if (!sameList(tables, expected.tables)) problems.push(`${db.name} has the tables ${tables.join(', ')}, the backup ${expected.tables.join(', ')}`);
      if (!sameList(db.triggers, expected.triggers)) problems.push(`${db.name} has the triggers ${db.triggers.join(', ') || '(none)'}, the backup ${expected.triggers.join(', ') || '(none)'}`);
      if (!sameList(db.migrations ?? [], expected.migrations)) problems.push(`${db.name}'s applied migrations differ from the backup's`);
      const rows = counts.get(db.name);
      const perTable = [...rows].map(([table, n]) => `${table} ${n}`).join(', ');
      console.log(
        `  ${db.name}: ${totalRows(rows)} rows in ${db.tables.length} tables, ${db.triggers.length} triggers, ${(db.migrations ?? []).length} migration(s)` +
          (perTable ? `\n      ${perTable}` : ''),
      );
    }
    if (problems.length) throw new OperatorError(`Restore finished, but the result differs from the backup:\n  - ${problems.join('\n  - ')}`);
    console.log('Restore complete. Run npm run db:migrate if this code has newer migrations than the backup, then start the services.');
    return 0;
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runMain(main);
