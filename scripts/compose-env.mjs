#!/usr/bin/env node
// `npm run compose:env [-- --out .env] [--force]`: the secrets docker-compose.yml requires, freshly
// made, in an env file (compose reads ./.env by itself), and the services' key pairs
// (npm run keys:generate, into SERVICE_KEYS_DIR or .clinicult/service-keys).
//
//   MYSQL_ROOT_PASSWORD, MYSQL_<SERVICE>_PASSWORD   the database server's and each service's own user
//   MFA_SECRET_KEY                                  encrypts TOTP secrets at rest (32 random bytes)
//   SMTP_URL                                        the demo profile's mail catcher: set your relay
//
// An existing file is kept (its passwords are already in MySQL's volume): --force replaces it.
// The file is written with mode 600; never commit it (.gitignore has .env).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './lib/proc.mjs';
import { DATABASE_SERVICES } from './lib/services.mjs';

/** A password safe in a URL, a shell and an SQL string: 24 random bytes, base64url. */
const password = () => randomBytes(24).toString('base64url');

/** The variables of a new env file. */
export function composeSecrets() {
  return {
    MYSQL_ROOT_PASSWORD: password(),
    ...Object.fromEntries(DATABASE_SERVICES.map((s) => [`MYSQL_${s.toUpperCase()}_PASSWORD`, password()])),
    MFA_SECRET_KEY: randomBytes(32).toString('base64'),
    SMTP_URL: 'smtp://mail:1025',
  };
}

export function envFileText(values, at = new Date()) {
  return [
    `# Clinicult compose secrets, made by npm run compose:env on ${at.toISOString()}. Keep private; never commit.`,
    '# SMTP_URL is the demo mail catcher (docker compose --profile demo): set your SMTP relay for real mail.',
    ...Object.entries(values).map(([k, v]) => `${k}=${v}`),
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: args } = parseArgs({ options: { out: { type: 'string', default: path.join(root, '.env') }, force: { type: 'boolean', default: false } } });
  const out = path.resolve(args.out);
  if (existsSync(out) && !args.force) {
    console.log(`${path.relative(process.cwd(), out) || out} exists: kept (its passwords are already in MySQL's volume; --force makes new ones).`);
  } else {
    writeFileSync(out, envFileText(composeSecrets()), { mode: 0o600 });
    console.log(`wrote ${out} (mode 600)`);
  }
  const keysDir = process.env.SERVICE_KEYS_DIR ?? path.join(root, '.clinicult', 'service-keys');
  const keys = spawnSync(process.execPath, [path.join(root, 'scripts/service-keys.mjs'), keysDir], { stdio: 'inherit' });
  process.exit(keys.status ?? 1);
}
