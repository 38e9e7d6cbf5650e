#!/usr/bin/env node
// `npm run keys:generate [-- <dir>] [--rotate]`: a key pair for every service client (private_key_jwt,
// packages/kit/src/service-keys.ts) into <dir> (default .clinicult/service-keys):
//   <service>.private.jwk.json   mount into that service only, as SERVICE_KEY_FILE (mode 600)
//   services.jwks.json           the public halves, for auth's SERVICE_JWKS_FILE
// Existing keys are kept; --rotate adds a new key per service and keeps the old public half in
// services.jwks.json until you run it again (so running services keep getting tokens meanwhile).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { root } from './lib/proc.mjs';

const args = process.argv.slice(2);
const rotate = args.includes('--rotate');
const dir = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(root, '.clinicult', 'service-keys'));
const { generateServiceKey, publicHalf } = await import(path.join(root, 'packages/kit/dist/service-keys.js'));
const { SERVICE_CLIENTS } = await import(path.join(root, 'packages/rbac/dist/index.js'));

mkdirSync(dir, { recursive: true, mode: 0o700 });
const jwksFile = path.join(dir, 'services.jwks.json');
const jwks = {};
// auth mints its own service token (create-operator): it needs no key
for (const service of Object.keys(SERVICE_CLIENTS).filter((name) => name !== 'auth')) {
  const file = path.join(dir, `${service}.private.jwk.json`);
  let privateJwk = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
  const retired = rotate && privateJwk ? [publicHalf(privateJwk)] : [];
  if (!privateJwk || rotate) {
    privateJwk = generateServiceKey(service).privateJwk;
    writeFileSync(file, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    console.log(`  ${service}: new key ${privateJwk.kid}`);
  } else {
    console.log(`  ${service}: kept key ${privateJwk.kid}`);
  }
  // a rotation keeps the retired public key for one more run; a plain run keeps only current keys
  const kept = rotate ? retired : [];
  jwks[service] = { keys: [publicHalf(privateJwk), ...kept] };
}
writeFileSync(jwksFile, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o644 });
console.log(`Service keys in ${dir}: give each service its <name>.private.jwk.json as SERVICE_KEY_FILE, and auth services.jwks.json as SERVICE_JWKS_FILE.`);
